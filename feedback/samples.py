"""The sample conversations the chat and Workbench pages show, to rate."""

from .models import Surface

CHAT_SAMPLE = {
    "messages": [
        {"role": "user", "content": [
            {"type": "text", "text": "Can you summarise our Q3 launch plan and list the open Jira blockers?"},
            {"type": "document", "title": "Q3 launch plan",
             "source": {"type": "text", "media_type": "text/plain",
                        "data": "Q3 launch plan (internal): ship the partner portal on 14 September; budget 1.2M."},
             "origin": {"type": "connector", "name": "google_drive", "file_id": "1AbCdEf-demo",
                        "url": "https://drive.example.test/file/1AbCdEf-demo"}},
        ]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "Let me look up the open blockers."},
            {"type": "tool_use", "id": "toolu_demo_1", "name": "jira_search",
             "input": {"jql": "project = LAUNCH AND status = Blocked"}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_demo_1",
             "origin": {"type": "mcp", "server": "jira", "transport": "remote"},
             "content": [{"type": "text", "text": "LAUNCH-42 Payment provider contract unsigned; LAUNCH-57 SSO review"}]},
        ]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "The plan ships the partner portal in mid-September. Two blockers are open: "
                                     "the payment provider contract and the SSO review. I suggest settling the "
                                     "contract first: the portal cannot take payments without it."},
        ]},
    ],
    "style": {"name": "Concise", "instructions": "Short answers, lead with the recommendation."},
    "preferences": {"language": "en", "artifacts": True},
    "model_settings": {"model": "claude-sonnet-4-5", "temperature": 0.7, "max_tokens": 2048,
                       "extended_thinking": False},
}

WORKBENCH_SAMPLE = {
    "messages": [
        {"role": "user", "content": [
            {"type": "text", "text": "Classify this support ticket and draft a reply."},
            {"type": "document", "title": "Ticket 8812",
             "source": {"type": "text", "media_type": "text/plain",
                        "data": "Customer reports double billing on invoice INV-2291."},
             "origin": {"type": "mcp", "server": "zendesk", "transport": "local"}},
        ]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "Category: billing. Draft: Sorry about the double charge on your latest "
                                     "invoice: we have refunded the duplicate and it will reach you in 3–5 days."},
        ]},
    ],
    "style": {"name": "Support tone", "instructions": "Warm, brief, no jargon."},
    "preferences": {"system_prompt": "You are a support assistant."},
    "model_settings": {"model": "claude-haiku-4-5", "temperature": 0.2, "max_tokens": 512,
                       "extended_thinking": {"enabled": True, "budget_tokens": 1024}},
}


# The sample each rating page shows, by the surface its organization rates from.
SAMPLE_BY_SURFACE = {Surface.CHAT: CHAT_SAMPLE, Surface.WORKBENCH: WORKBENCH_SAMPLE}
