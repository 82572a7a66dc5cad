"""Strip content that came from connectors or MCP servers out of a conversation before it is stored.

The whole conversation is walked: messages, style, preferences and model settings alike. An object
is connector content, and is replaced by an "omitted" marker, when:

- its ``origin`` or ``source`` object has a ``type`` naming a connector or MCP server ("connector",
  "mcp", case and surrounding whitespace ignored, or any type containing those words);
- its ``type`` is ``mcp_tool_result`` (the Messages API's MCP connector), whatever else it says (the marker
  names the server of the ``mcp_tool_use`` it answers, when the conversation has it);
- it has an ``origin`` that cannot be read as a non-connector origin (a string, a list, a number,
  an object without a non-empty string ``type``): when in doubt, leave it out.

The marker keeps only the origin's kind and a short, safe name. Everything else, including every
block a person typed or pasted, is copied exactly as given. ``mcp_tool_use`` (the model's own call)
is kept, with its ``server_name``.
"""

import copy
import re
from dataclasses import dataclass
from typing import Any

OMITTED_TYPE = "omitted"
OMITTED_REASON = "connector_content"
CONNECTOR = "connector"
MCP = "mcp"
UNKNOWN = "unknown"
UNKNOWN_NAME = UNKNOWN
MCP_TOOL_RESULT = "mcp_tool_result"
MAX_ORIGIN_NAME_LENGTH = 64
# A name that cannot carry a URL, an address or an id with punctuation: anything else becomes "unknown".
SAFE_NAME = re.compile(rf"[A-Za-z0-9 _.\-]{{1,{MAX_ORIGIN_NAME_LENGTH}}}")

# Immutable JSON leaves, returned as they are instead of copied.
_LEAF_TYPES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class ConnectorOrigin:
    """Where a piece of connector or MCP content came from, reduced to what may be stored."""

    type: str
    name: str

    def as_dict(self) -> dict[str, str]:
        """Return the origin as it appears in an omitted marker."""
        return {"type": self.type, "name": self.name}


UNREADABLE = ConnectorOrigin(type=UNKNOWN, name=UNKNOWN)


def _kind_of(type_value: str) -> str | None:
    """Return "mcp" or "connector" when an origin type names one, else None."""
    kind = type_value.strip().lower()
    if MCP in kind:
        return MCP
    if CONNECTOR in kind:
        return CONNECTOR
    return None


def connector_type(value: object) -> str | None:
    """Return "connector" or "mcp" when ``value`` is an origin/source object of that type, else None."""
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return None
    return _kind_of(value["type"])


def safe_name(value: object) -> str:
    """Return ``value`` as a marker name when it is short and plain (letters, digits, space, ``_ . -``), else "unknown"."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return UNKNOWN_NAME
    text = str(value)
    if not text.strip() or not SAFE_NAME.fullmatch(text):
        return UNKNOWN_NAME
    return text


def origin_name(origin: dict, kind: str) -> str:
    """Return the storable name of an origin: a connector's name, or an MCP server's server/name."""
    value = origin.get("name")
    if kind == MCP and origin.get("server") is not None:
        value = origin.get("server")
    return safe_name(value)


def _readable_origin(origin: object) -> bool:
    """Whether an ``origin`` value can be read at all: an object with a non-empty string type."""
    return isinstance(origin, dict) and isinstance(origin.get("type"), str) and bool(origin["type"].strip())


def connector_origin(block: object, servers: dict | None = None) -> ConnectorOrigin | None:
    """Return the connector/MCP origin of a block, or None when the block is not connector content.

    ``servers`` maps ``mcp_tool_use`` ids to their ``server_name``, to name the server of an ``mcp_tool_result``.
    """
    if not isinstance(block, dict):
        return None
    block_type = block.get("type")
    if isinstance(block_type, str) and block_type.strip().lower() == MCP_TOOL_RESULT:
        server = block.get("server_name")
        if server is None and servers:
            server = servers.get(block.get("tool_use_id")) if isinstance(block.get("tool_use_id"), str) else None
        return ConnectorOrigin(type=MCP, name=safe_name(server))
    for key in ("origin", "source"):
        described_by = block.get(key)
        kind = connector_type(described_by)
        if kind is not None:
            return ConnectorOrigin(type=kind, name=origin_name(described_by, kind))
    # null reads as "no origin"; anything else that is not a plain origin object is left out.
    origin = block.get("origin")
    if origin is not None and not _readable_origin(origin):
        return UNREADABLE
    return None


def omitted_block(origin: ConnectorOrigin) -> dict:
    """Return the marker that stands in for a removed connector or MCP block."""
    return {"type": OMITTED_TYPE, "reason": OMITTED_REASON, "origin": origin.as_dict()}


def redact_value(value: Any, servers: dict | None = None) -> Any:
    """Return a copy of ``value`` with every connector or MCP block replaced by a marker."""
    if isinstance(value, dict):
        origin = connector_origin(value, servers)
        if origin is not None:
            return omitted_block(origin)
        return {key: redact_value(item, servers) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item, servers) for item in value]
    if isinstance(value, tuple):
        return tuple(redact_value(item, servers) for item in value)
    return value if isinstance(value, _LEAF_TYPES) else _copy_leaf(value)


def _copy_leaf(value: Any) -> Any:
    """Return a deep copy of an unusual leaf value, or the value itself if it cannot be copied."""
    try:
        return copy.deepcopy(value)
    except Exception:
        # Parsed JSON never gets here; odd Python objects must not make redaction fail.
        return value


def redact_message(message: Any, servers: dict | None = None) -> Any:
    """Return a redacted copy of one message; a whole-message connector origin keeps only the role."""
    origin = connector_origin(message, servers)
    if origin is not None:
        # Replacing the message itself would drop its role; the stored conversation must stay well-formed.
        role = message.get("role")
        return {"role": role if isinstance(role, str) else None, "content": [omitted_block(origin)]}
    return redact_value(message, servers)


def mcp_servers(messages: list) -> dict[str, object]:
    """Map the id of each ``mcp_tool_use`` block in the messages to its ``server_name``."""
    servers = {}
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else ():
            if isinstance(block, dict) and block.get("type") == "mcp_tool_use" and isinstance(block.get("id"), str):
                servers[block["id"]] = block.get("server_name")
    return servers


def redact_conversation(conversation: Any) -> Any:
    """Return a copy of a conversation with all connector and MCP content replaced by markers, wherever it sits."""
    if not isinstance(conversation, dict):
        return redact_value(conversation)
    redacted = {}
    for key, value in conversation.items():
        if key == "messages" and isinstance(value, list):
            servers = mcp_servers(value)
            redacted[key] = [redact_message(message, servers) for message in value]
        else:
            # style, preferences, model_settings and anything else: walked like the messages.
            redacted[key] = redact_value(value)
    return redacted
