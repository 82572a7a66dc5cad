"""Strip content that came from connectors or MCP servers out of a conversation before it is stored.

A block counts as connector content when its ``origin`` object, or its ``source`` object (where the
Messages API puts file-backed content such as documents), has ``type`` "connector" or "mcp"
(case-insensitive, surrounding whitespace ignored); an ``origin`` that is not an object is ignored.
Such a block is replaced, at any depth inside the messages, by an "omitted" marker that keeps only
the origin's type and name. Everything else, including style, preferences and model settings, is
copied as given.
"""

import copy
from dataclasses import dataclass
from typing import Any

OMITTED_TYPE = "omitted"
OMITTED_REASON = "connector_content"
CONNECTOR = "connector"
MCP = "mcp"
CONNECTOR_TYPES = frozenset({CONNECTOR, MCP})
MAX_ORIGIN_NAME_LENGTH = 100
UNKNOWN_NAME = "unknown"

# Settings, not content: kept exactly as given.
SETTINGS_KEYS = frozenset({"style", "preferences", "model_settings"})


@dataclass(frozen=True)
class ConnectorOrigin:
    """Where a piece of connector or MCP content came from, reduced to what may be stored."""

    type: str
    name: str

    def as_dict(self) -> dict[str, str]:
        """Return the origin as it appears in an omitted marker."""
        return {"type": self.type, "name": self.name}


def connector_type(value: object) -> str | None:
    """Return "connector" or "mcp" when ``value`` is an origin/source object of that type, else None."""
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if not isinstance(kind, str):
        return None
    kind = kind.strip().lower()
    return kind if kind in CONNECTOR_TYPES else None


def origin_name(origin: dict, kind: str) -> str:
    """Return the storable name of an origin: a connector's name, or an MCP server's server/name."""
    value = origin.get("name")
    if kind == MCP and origin.get("server") is not None:
        value = origin.get("server")
    # Only scalars are turned into text: str() of a dict or list could carry URLs or ids.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return UNKNOWN_NAME
    text = str(value)[:MAX_ORIGIN_NAME_LENGTH]
    return text if text.strip() else UNKNOWN_NAME


def connector_origin(block: object) -> ConnectorOrigin | None:
    """Return the connector/MCP origin of a block, or None when the block is not connector content."""
    if not isinstance(block, dict):
        return None
    for key in ("origin", "source"):
        described_by = block.get(key)
        kind = connector_type(described_by)
        if kind is not None:
            return ConnectorOrigin(type=kind, name=origin_name(described_by, kind))
    return None


def is_connector_content(block: object) -> bool:
    """Return whether a block came from a connector or an MCP server."""
    return connector_origin(block) is not None


def omitted_block(origin: ConnectorOrigin) -> dict:
    """Return the marker that stands in for a removed connector or MCP block."""
    return {"type": OMITTED_TYPE, "reason": OMITTED_REASON, "origin": origin.as_dict()}


def redact_value(value: Any) -> Any:
    """Return a deep copy of ``value`` with every connector or MCP block replaced by a marker."""
    if isinstance(value, dict):
        origin = connector_origin(value)
        if origin is not None:
            return omitted_block(origin)
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(redact_value(item) for item in value)
    return _copy_leaf(value)


def _copy_leaf(value: Any) -> Any:
    """Return a deep copy of a non-container value, or the value itself if it cannot be copied."""
    try:
        return copy.deepcopy(value)
    except Exception:
        # Parsed JSON never gets here; odd Python objects must not make redaction fail.
        return value


def redact_message(message: Any) -> Any:
    """Return a redacted copy of one message; a whole-message connector origin keeps only the role."""
    origin = connector_origin(message)
    if origin is not None:
        # Replacing the message itself would drop its role; the stored conversation must stay well-formed.
        role = message.get("role")
        return {"role": role if isinstance(role, str) else None, "content": [omitted_block(origin)]}
    return redact_value(message)


def redact_conversation(conversation: dict) -> dict:
    """Return a deep copy of a conversation with all connector and MCP content replaced by markers."""
    if not isinstance(conversation, dict):
        return redact_value(conversation)
    redacted = {}
    for key, value in conversation.items():
        if key in SETTINGS_KEYS:
            redacted[key] = _copy_leaf(value)
        elif key == "messages" and isinstance(value, list):
            redacted[key] = [redact_message(message) for message in value]
        else:
            redacted[key] = redact_value(value)
    return redacted
