"""The sample conversations the chat and Workbench pages show, to rate, and a coding session's transcript."""

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

# A Claude Code session in the Messages API shape: parallel calls of a built-in tool and of an MCP
# tool (named mcp__<server>__<tool>), a result that comes several messages after its call, a
# result of text and an image, and a failed command (is_error).
CODE_SAMPLE = {
    "messages": [
        {"role": "user", "content": "The audit CSV export breaks rows whose name has a comma. Fix it; "
                                    "the customer's ticket is LAUNCH-88."},
        {"role": "assistant", "content": [
            {"type": "text", "text": "I'll find the export code and read the ticket."},
            {"type": "tool_use", "id": "toolu_01Grep", "name": "Grep",
             "input": {"pattern": "def export_csv", "path": "orgs", "output_mode": "content"}},
            {"type": "tool_use", "id": "toolu_01Jira", "name": "mcp__jira__get_issue",
             "input": {"issue_key": "LAUNCH-88"}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_01Grep",
             "content": "orgs/audit_log.py:41:def export_csv(rows):"},
        ]},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_01Read", "name": "Read",
             "input": {"file_path": "/work/console/orgs/audit_log.py", "offset": 38, "limit": 8}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_01Jira",
             "content": [{"type": "text", "text": "LAUNCH-88 (Acme Corp): export splits \"Doe, Jane\" into two columns; "
                                                  "reported by jane.doe@acme.example"}]},
            {"type": "tool_result", "tool_use_id": "toolu_01Read",
             "content": [
                 {"type": "text", "text": "    41\u2192def export_csv(rows):\n"
                                          "    42\u2192    return \"\\n\".join(\",\".join(r) for r in rows)"},
                 {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
             ]},
        ]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "The rows are joined by hand. Let me run the tests first."},
            {"type": "tool_use", "id": "toolu_01Bash", "name": "Bash",
             "input": {"command": "pytest tests/orgs -q -k csv", "description": "Run the CSV tests"}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_01Bash", "is_error": True,
             "content": "Exit code 1\nFAILED tests/orgs/test_audit_log.py::test_csv_quotes_commas"},
        ]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "The export joins values with commas by hand, so a comma inside a name starts a "
                                     "new column. I'll switch it to the csv module, which quotes such values."},
        ]},
    ],
    "style": {},
    "preferences": {"permission_mode": "default"},
    "model_settings": {"model": "claude-sonnet-4-5", "max_tokens": 8192},
}

# The sample each rating page shows, by the surface its organization rates from.
SAMPLE_BY_SURFACE = {Surface.CHAT: CHAT_SAMPLE, Surface.WORKBENCH: WORKBENCH_SAMPLE}
