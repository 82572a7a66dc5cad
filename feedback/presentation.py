"""How a sample conversation is shown on the rating pages."""

from .redaction import connector_origin

ORIGIN_LABELS = {"connector": "connector", "mcp": "MCP server", "unknown": "an unknown source"}


def _origin_label(block):
    origin = connector_origin(block)
    if origin is None:
        return ""
    return f"{origin.name.replace('_', ' ').title()} ({ORIGIN_LABELS[origin.type]})"


def _block_view(block):
    kind = block.get("type")
    origin = _origin_label(block)
    if kind == "text":
        return {"kind": "text", "text": block.get("text", ""), "origin": origin}
    if kind == "document":
        return {"kind": "attachment", "title": block.get("title") or "Document", "origin": origin}
    if kind == "tool_use":
        return {"kind": "tool", "title": f"Used the tool “{block.get('name', 'tool')}”", "origin": origin}
    if kind == "tool_result":
        nested = block.get("content")
        text = nested if isinstance(nested, str) else " ".join(
            b.get("text", "") for b in nested or [] if isinstance(b, dict) and b.get("type") == "text"
        )
        return {"kind": "tool-result", "title": "Tool result", "text": text, "origin": origin}
    return {"kind": "other", "title": kind or "content", "origin": origin}


def conversation_view(conversation):
    """Messages as display items; assistant messages carry their index for the rating buttons."""
    items = []
    for index, message in enumerate(conversation["messages"]):
        content = message["content"]
        blocks = [{"kind": "text", "text": content, "origin": ""}] if isinstance(content, str) else [
            _block_view(b) for b in content
        ]
        items.append({"index": index, "role": message["role"], "blocks": blocks})
    return items
