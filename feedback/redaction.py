"""Strip content that came from connectors or MCP servers out of a conversation before it is stored.

One module serves every surface (chat, Workbench, Claude Code sessions). The whole conversation is
walked: messages, style, preferences and model settings alike. It fails closed: what it cannot
classify is left out, never stored as given. Each left-out object becomes a marker,
``{"type": "omitted", "reason": "connector_content", "origin": {"type", "name"}}``, naming only the
kind of origin and a short, safe name (plus ``replaces``: the block type it stands for, when that
is a type of KNOWN_TYPES, so that citations still count documents right).

Connector or MCP content (the marker names its origin):

- an object whose ``origin`` or ``source`` object has the type ``connector`` or ``mcp``;
- an ``mcp_tool_result`` block (the Messages API's MCP connector), whatever else it says;
- a ``tool_result`` answering a call of an MCP tool: a ``mcp_tool_use``, a ``tool_use`` named
  ``mcp__<server>__<tool>`` (Claude Code's names) or by Claude Code's MCP resource tools, or a
  call whose ``origin`` says MCP;
- a text block whose ``citations`` quote a source that was left out or changed.

Unreadable content (the marker's origin is "unknown"):

- an item of a content list that is not an object whose ``type`` is exactly one in KNOWN_TYPES;
- an ``origin``, ``source`` or citation whose type is not exactly a known one (case, spaces,
  look-alike letters all count as different), or a block key that is not a plain ASCII name;
- a key or a ``type`` anywhere that reads like one this module knows but is not it (``οrigin``
  with a Greek omicron, ``ｓｏｕｒｃｅ`` in full-width letters, ``type\u200b``);
- a ``tool_result`` whose call is not in the conversation, or whose ``tool_use_id`` names more
  than one call (also when two ids differ only by look-alike characters);
- text with a citation that cannot be resolved to its source, by whatever index it points.

Everything else, including every block a person typed or pasted and the results of the session's
own tools (reading a file, running a command), is copied exactly as given.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

OMITTED_TYPE = "omitted"
OMITTED_REASON = "connector_content"
CONNECTOR = "connector"
MCP = "mcp"
UNKNOWN = "unknown"
UNKNOWN_NAME = UNKNOWN
MAX_ORIGIN_NAME_LENGTH = 64
# A name that cannot carry a URL, an address or an id with punctuation: anything else becomes "unknown".
SAFE_NAME = re.compile(rf"[A-Za-z0-9 _.\-]{{1,{MAX_ORIGIN_NAME_LENGTH}}}")


# JSON leaves: copied as they are.
_LEAF_TYPES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class BlockType:
    """What redaction reads in one type of content block."""

    # Keys holding content: a string, one block, or a list of blocks (each checked against the table).
    content: tuple[str, ...] = ()
    # What its ``source`` is: "object" (a source object of a known type), "string" (a name or URL), None (no source).
    source: str | None = None
    # What its ``citations`` is: "list" (citations it makes), "config" ({"enabled": bool}), None (none).
    citations: str | None = None
    # MCP content by its type alone.
    mcp: bool = False
    # A tool's result, classified by the call it answers (``tool_use_id``); a call other blocks answer (``id``).
    answers_call: bool = False
    call: bool = False


@dataclass(frozen=True)
class CitationType:
    """How a citation points at its source: which block type, by which index (None: by ``url``), and
    which of its keys must agree with the source's (cited key, source key)."""

    cites: str
    index: str | None
    agrees: tuple[tuple[str, str], ...] = ()


_PLAIN = BlockType()
_RESULT = BlockType(content=("content",))
_DOCUMENT_CITATION = CitationType("document", "document_index", agrees=(("document_title", "title"),))

# The one table of every type this module knows, exactly as spelled (Messages API, Claude Code,
# and this product's origins). A type not in it is unreadable.
KNOWN_TYPES = {
    "block": {
        "text": BlockType(citations="list"),
        "image": BlockType(source="object"),
        "document": BlockType(source="object", citations="config"),
        "search_result": BlockType(content=("content",), source="string", citations="config"),
        "thinking": _PLAIN,
        "redacted_thinking": _PLAIN,
        "tool_use": BlockType(call=True),
        "server_tool_use": BlockType(call=True),
        "mcp_tool_use": BlockType(call=True),
        "tool_result": BlockType(content=("content",), answers_call=True),
        "mcp_tool_result": BlockType(content=("content",), answers_call=True, mcp=True),
        "web_search_tool_result": _RESULT,
        "web_search_result": _PLAIN,
        "web_search_tool_result_error": _PLAIN,
        "web_fetch_tool_result": _RESULT,
        "web_fetch_result": _RESULT,
        "web_fetch_tool_result_error": _PLAIN,
        "code_execution_tool_result": _RESULT,
        "code_execution_result": _RESULT,
        "code_execution_output": _PLAIN,
        "code_execution_tool_result_error": _PLAIN,
        "bash_code_execution_tool_result": _RESULT,
        "bash_code_execution_result": _RESULT,
        "bash_code_execution_output": _PLAIN,
        "bash_code_execution_tool_result_error": _PLAIN,
        "text_editor_code_execution_tool_result": _RESULT,
        "text_editor_code_execution_view_result": _RESULT,
        "text_editor_code_execution_create_result": _PLAIN,
        "text_editor_code_execution_str_replace_result": _PLAIN,
        "text_editor_code_execution_tool_result_error": _PLAIN,
        "tool_search_tool_result": _RESULT,
        "tool_search_tool_search_result": BlockType(content=("tool_references",)),
        "tool_reference": _PLAIN,
        "tool_search_tool_result_error": _PLAIN,
        "container_upload": _PLAIN,
        OMITTED_TYPE: _PLAIN,  # this module's own marker, so that redacting twice changes nothing
    },
    # Origin and source types: the kind of connector content they mark, or None for content kept as given.
    "origin": {"connector": CONNECTOR, "mcp": MCP, "user": None, "upload": None, "paste": None},
    "source": {"base64": None, "text": None, "content": None, "url": None, "file": None,
               "connector": CONNECTOR, "mcp": MCP},
    "citation": {
        "char_location": _DOCUMENT_CITATION,
        "page_location": _DOCUMENT_CITATION,
        "content_block_location": _DOCUMENT_CITATION,
        "search_result_location": CitationType("search_result", "search_result_index",
                                               agrees=(("source", "source"), ("title", "title"))),
        "web_search_result_location": CitationType("web_search_result", None, agrees=(("title", "title"),)),
    },
}
BLOCK_TYPES = KNOWN_TYPES["block"]
ORIGIN_TYPES = KNOWN_TYPES["origin"]
SOURCE_TYPES = KNOWN_TYPES["source"]
CITATION_TYPES = KNOWN_TYPES["citation"]

# Claude Code's name for an MCP tool, and its built-in tools that read an MCP server's resources.
MCP_TOOL_NAME = re.compile(r"mcp__(?P<server>[A-Za-z0-9_-]+?)__(?P<tool>[A-Za-z0-9_-]+)")
MCP_RESOURCE_TOOLS = frozenset({"ListMcpResourcesTool", "ReadMcpResourceTool"})
# A tool name as the Messages API allows it; a name that starts like an MCP one but is not one is read as MCP.
TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
MCP_LIKE_NAME = re.compile(r"mcp[^a-z0-9]", re.IGNORECASE)
# Keys of a block (and of an origin or source object): plain ASCII names, as the Messages API spells them.
BLOCK_KEY = re.compile(r"[a-z_][a-z0-9_]*")
# Keys redaction reads: a key that reads like one of them but is not it is a disguise.
READ_KEYS = frozenset({"type", "origin", "source", "citations", "content"})
CALL_TYPES = frozenset(name for name, spec in BLOCK_TYPES.items() if spec.call)
# Keys most blocks have, known to be plain without a regular expression.
_COMMON_KEYS = frozenset({"type", "text", "content", "source", "id", "name", "input", "tool_use_id", "is_error", "title",
                          "citations", "cache_control", "origin", "data", "media_type"})
CITED_TYPES = frozenset(citation.cites for citation in CITATION_TYPES.values())

# Letters of other scripts drawn like Latin ones (after case folding), mapped to the Latin letter.
_LOOK_ALIKES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "н": "h", "і": "i", "ј": "j",
    "к": "k", "ӏ": "l", "м": "m", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "х": "x",
    "ԝ": "w",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    # Armenian and Latin extensions
    "օ": "o", "ս": "u", "ո": "n", "հ": "h", "ı": "i", "ɑ": "a", "ɩ": "i", "ɡ": "g",
})
# Characters that show nothing (format, control and combining characters).
_INVISIBLE = frozenset({"Cf", "Cc", "Mn", "Me"})


@lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """How ``text`` reads: compatibility forms, case, accents, invisible characters and look-alike letters folded away."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    visible = "".join(ch for ch in decomposed if not ch.isspace() and unicodedata.category(ch) not in _INVISIBLE)
    return visible.translate(_LOOK_ALIKES)


def disguised(text: object, known: frozenset | dict) -> bool:
    """Whether ``text`` reads like one of ``known``'s names without being it."""
    if not isinstance(text, str) or text in known:
        return False
    if text.isascii() and text.islower() and text.isidentifier():
        return False  # reads as itself, and it is none of them (the common case, answered without folding)
    return skeleton(text) in known


@dataclass(frozen=True)
class ConnectorOrigin:
    """Where a piece of connector or MCP content came from, reduced to what may be stored."""

    type: str
    name: str

    def as_dict(self) -> dict[str, str]:
        """Return the origin as it appears in an omitted marker."""
        return {"type": self.type, "name": self.name}


UNREADABLE = ConnectorOrigin(type=UNKNOWN, name=UNKNOWN)


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


def _plain_keys(value: dict) -> bool:
    return all(key in _COMMON_KEYS or (isinstance(key, str) and BLOCK_KEY.fullmatch(key)) for key in value)


def _typed(table: dict, value: object) -> tuple[bool, Any]:
    """(whether ``value`` is an object whose ``type`` is exactly one of ``table``'s, that entry)."""
    kind = value.get("type") if isinstance(value, dict) else None
    if isinstance(kind, str) and kind in table:
        return True, table[kind]
    return False, None


def _described_origin(value: object, table: dict) -> ConnectorOrigin | None:
    """The origin an ``origin`` or ``source`` object declares: None when it is kept as given, UNREADABLE when unknown."""
    if not isinstance(value, dict) or not _plain_keys(value):
        return UNREADABLE
    known, kind = _typed(table, value)
    if not known:
        return UNREADABLE
    return ConnectorOrigin(type=kind, name=origin_name(value, kind)) if kind else None


def declared_origin(value: dict) -> ConnectorOrigin | None:
    """The origin an object's own ``origin`` key declares (null and person-made origins: None)."""
    origin = value.get("origin")
    return None if origin is None else _described_origin(origin, ORIGIN_TYPES)


def connector_origin(block: object) -> ConnectorOrigin | None:
    """The connector or MCP origin a block declares by its own ``origin`` or ``source``, for display; else None."""
    if not isinstance(block, dict):
        return None
    for key, table in (("origin", ORIGIN_TYPES), ("source", SOURCE_TYPES)):
        described = _described_origin(block.get(key), table) if isinstance(block.get(key), dict) else None
        if described is not None and described != UNREADABLE:
            return described
    return None


def omitted_block(origin: ConnectorOrigin, replaces: object = None) -> dict:
    """Return the marker that stands in for a removed connector, MCP or unreadable block."""
    marker = {"type": OMITTED_TYPE, "reason": OMITTED_REASON, "origin": origin.as_dict()}
    if isinstance(replaces, str) and replaces in BLOCK_TYPES and replaces != OMITTED_TYPE:
        marker["replaces"] = replaces
    return marker


def _stands_for(block: dict) -> str | None:
    """The block type a block counts as: its own, or the one a marker replaces."""
    kind = block.get("type")
    if kind == OMITTED_TYPE:
        return block.get("replaces") if isinstance(block.get("replaces"), str) else None
    return kind if isinstance(kind, str) else None


def _dicts(value: Any):
    """Every object inside ``value``, depth first, in the order they were written."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _dicts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _dicts(item)


def _cites(value: dict) -> bool:
    """Whether anything inside ``value`` makes citations."""
    return any(isinstance(inner.get("citations"), list) for inner in _dicts(value))


class _Sources:
    """The blocks of one cited type, in the orders an index may count them."""

    def __init__(self):
        self.everywhere: list[dict] = []  # depth first through every message
        self.top_level: list[dict] = []  # only items of a message's content list
        self.by_url: dict[str, list[dict]] = {}
        self.disguised = False  # a look-alike of the type was seen: no index can be trusted


class _Redactor:
    """One conversation's redaction: its tool calls and citable sources are read first, then every value is copied."""

    def __init__(self, messages: list):
        self._messages = messages
        self._read = False
        self.calls: dict[str, list[dict]] = {}
        self.sources = {kind: _Sources() for kind in CITED_TYPES}
        self._source_origins: dict[int, ConnectorOrigin | None] = {}
        # What holds each source: its message and the blocks around it (a source inside a left-out block goes with it).
        self._holders: dict[int, tuple[dict, tuple[dict, ...]]] = {}

    def _read_messages(self) -> None:
        """Note every tool call and citable source, once, when the first result or citation needs them."""
        if self._read:
            return
        self._read = True
        for message in self._messages:
            if not isinstance(message, dict):
                continue
            # Every call anywhere counts, so that a second call with the same id makes its results ambiguous.
            for inner in _dicts(message):
                self._note_call(inner)
            content = message.get("content")
            for block in content if isinstance(content, list) else ():
                self._note_source(block, message, ())

    def _note_call(self, block: dict) -> None:
        kind = block.get("type")
        if isinstance(kind, str) and skeleton(kind) in CALL_TYPES and isinstance(block.get("id"), str):
            self.calls.setdefault(skeleton(block["id"]), []).append(block)

    def _note_source(self, block: Any, message: dict, holders: tuple[dict, ...]) -> None:
        """Count a citable source where the Messages API would: in content, a block's content, a document's."""
        if not isinstance(block, dict):
            return
        kind = _stands_for(block)
        shape = skeleton(kind) if kind is not None else None
        if shape in self.sources:
            sources = self.sources[shape]
            sources.disguised |= kind != shape
            sources.everywhere.append(block)
            if not holders:
                sources.top_level.append(block)
            if isinstance(block.get("url"), str):
                sources.by_url.setdefault(block["url"], []).append(block)
            self._holders[id(block)] = (message, holders)
        known, spec = _typed(BLOCK_TYPES, block)
        if not known:
            return
        source = block.get("source")
        inner_content = source.get("content") if isinstance(source, dict) and source.get("type") == "content" else None
        for value in (*(block.get(key) for key in spec.content), inner_content):
            for child in value if isinstance(value, list | tuple) else (value,):
                self._note_source(child, message, (*holders, block))

    # --- values -------------------------------------------------------------------------------

    def message(self, message: Any) -> Any:
        """A redacted copy of one message; a whole-message connector origin keeps only the role."""
        if not isinstance(message, dict):
            return self.value(message)
        origin = self._object_origin(message)
        if origin is not None:
            # Replacing the message itself would drop its role; the stored conversation must stay well-formed.
            role = message.get("role")
            return {"role": role if isinstance(role, str) else None, "content": [omitted_block(origin)]}
        return {key: self.content(item) if key == "content" else self.value(item) for key, item in message.items()}

    def value(self, value: Any) -> Any:
        """A redacted copy of any JSON value outside a content list."""
        if isinstance(value, _LEAF_TYPES):
            return value
        if isinstance(value, dict):
            known, spec = _typed(BLOCK_TYPES, value)
            if known:
                return self.block(value, spec)
            origin = self._object_origin(value)
            if origin is not None:
                return omitted_block(origin)
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.value(item) for item in value)
        return value

    def content(self, value: Any) -> Any:
        """A redacted copy of content: text as given, and each block checked against the table."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, list):
            return [self._content_block(block) for block in value]
        if isinstance(value, tuple):
            return tuple(self._content_block(block) for block in value)
        return self._content_block(value)

    def _content_block(self, block: Any) -> Any:
        known, spec = _typed(BLOCK_TYPES, block)
        return self.block(block, spec) if known else omitted_block(UNREADABLE)

    def _object_origin(self, value: dict) -> ConnectorOrigin | None:
        """Why an object that is not a block is left out: a disguised key or type, or the origin it declares."""
        for key in value:
            if disguised(key, READ_KEYS):
                return UNREADABLE
        if disguised(value.get("type"), BLOCK_TYPES):
            return UNREADABLE
        origin = declared_origin(value)
        if origin is None and isinstance(value.get("source"), dict):
            origin = _described_origin(value["source"], SOURCE_TYPES)
        return origin

    # --- blocks -------------------------------------------------------------------------------

    def block(self, block: dict, spec: BlockType) -> dict:
        """A redacted copy of a block of a known type, or the marker that replaces it."""
        origin = self._block_origin(block, spec)
        if origin is not None:
            return omitted_block(origin, _stands_for(block))
        copied = {}
        for key, item in block.items():
            if key in spec.content:
                copied[key] = self.content(item)
            elif key == "type" or isinstance(item, _LEAF_TYPES):
                copied[key] = item
            elif key == "source" and isinstance(item, dict):
                copied[key] = self._source(item)
            else:
                copied[key] = self.value(item)
        return copied

    def _block_origin(self, block: dict, spec: BlockType) -> ConnectorOrigin | None:
        """Why a block of a known type is left out, or None to keep it."""
        if not _plain_keys(block):
            return UNREADABLE
        origin = declared_origin(block)
        if origin is not None:
            return origin
        if spec.mcp:
            return self._mcp_result_origin(block)
        if "source" in block:
            origin = self._source_origin(block["source"], spec)
            if origin is not None:
                return origin
        if spec.answers_call:
            origin = self._answered_call_origin(block)
            if origin is not None:
                return origin
        if "citations" in block:
            return self._citations_origin(block["citations"], spec)
        return None

    def _source(self, source: dict) -> dict:
        """A copy of a (known, non-connector) source object; a ``content`` source's blocks are checked too."""
        return {
            key: item if key == "type" else self.content(item) if key == "content" and source["type"] == "content"
            else self.value(item)
            for key, item in source.items()
        }

    @staticmethod
    def _source_origin(source: Any, spec: BlockType) -> ConnectorOrigin | None:
        if source is None:
            return None
        if isinstance(source, dict):
            origin = _described_origin(source, SOURCE_TYPES)
            if origin is None and spec.source != "object":
                return UNREADABLE
            return origin
        return None if isinstance(source, str) and spec.source == "string" else UNREADABLE

    # --- tool calls and their results ---------------------------------------------------------

    def _call_answered(self, result: dict) -> dict | None:
        """The one call a result answers, or None when it is absent or its id names more than one."""
        self._read_messages()
        tool_use_id = result.get("tool_use_id")
        calls = self.calls.get(skeleton(tool_use_id), []) if isinstance(tool_use_id, str) else []
        if len(calls) != 1 or calls[0].get("id") != tool_use_id:
            return None
        return calls[0]

    def _answered_call_origin(self, result: dict) -> ConnectorOrigin | None:
        call = self._call_answered(result)
        return UNREADABLE if call is None else call_origin(call)

    def _mcp_result_origin(self, result: dict) -> ConnectorOrigin:
        server = result.get("server_name")
        call = self._call_answered(result)
        if server is None and call is not None and call.get("type") == "mcp_tool_use":
            server = call.get("server_name")
        return ConnectorOrigin(type=MCP, name=safe_name(server))

    # --- citations ----------------------------------------------------------------------------

    def _citations_origin(self, citations: Any, spec: BlockType) -> ConnectorOrigin | None:
        if citations is None:
            return None
        if spec.citations == "config":
            readable = isinstance(citations, dict) and set(citations) <= {"enabled"} and isinstance(
                citations.get("enabled", False), bool)
            return None if readable else UNREADABLE
        if spec.citations != "list" or not isinstance(citations, list):
            return UNREADABLE
        for citation in citations:
            origin = self._citation_origin(citation)
            if origin is not None:
                return origin
        return None

    def _citation_origin(self, citation: Any) -> ConnectorOrigin | None:
        """None when the citation quotes only sources kept whole, else the origin of what it quotes."""
        known, kind = _typed(CITATION_TYPES, citation)
        if not known or not _plain_keys(citation):
            return UNREADABLE
        self._read_messages()
        sources = self.sources[kind.cites]
        if sources.disguised:
            return UNREADABLE
        if kind.index is None:
            url = citation.get("url")
            candidates = sources.by_url.get(url, []) if isinstance(url, str) else []
        else:
            index = citation.get(kind.index)
            if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                return UNREADABLE
            # Whether the API counts only a message's own blocks or nested ones too, the source must be kept either way.
            candidates = [blocks[index] for blocks in (sources.everywhere, sources.top_level) if index < len(blocks)]
        if not candidates:
            return UNREADABLE
        for source in candidates:
            if any(isinstance(citation.get(cited), str) and citation[cited] != source.get(own)
                   for cited, own in kind.agrees):
                return UNREADABLE  # the index points elsewhere than the client thinks
            origin = self._cited_source_origin(source)
            if origin is not None:
                return origin
        return None

    def _cited_source_origin(self, source: dict) -> ConnectorOrigin | None:
        """None when a cited source is stored exactly as given, else the origin of what was taken out of it."""
        key = id(source)
        if key not in self._source_origins:
            self._source_origins[key] = self._taken_out_of(source)
        return self._source_origins[key]

    def _taken_out_of(self, source: dict) -> ConnectorOrigin | None:
        message, holders = self._holders[id(source)]
        origin = self._object_origin(message)
        for holder in holders:
            origin = origin or self._block_origin(holder, BLOCK_TYPES[holder["type"]])
        if origin is not None:
            return origin  # the block or message around the source is left out, and the source with it
        known, spec = _typed(BLOCK_TYPES, source)
        if not known or source["type"] == OMITTED_TYPE:
            origin = source.get("origin") if known else None
            return _described_origin(origin, ORIGIN_TYPES) or UNREADABLE
        if _cites(source):
            return UNREADABLE  # a source that cites others is not followed (citations could go round in circles)
        copied = self.block(source, spec)
        if copied == source:
            return None
        marker = next((inner for inner in _dicts(copied) if inner.get("type") == OMITTED_TYPE), None)
        origin = marker.get("origin") if marker else None
        return _described_origin(origin, ORIGIN_TYPES) or UNREADABLE


def call_origin(call: dict) -> ConnectorOrigin | None:
    """What the results of a tool call are: None for the session's own tools, else the MCP or unknown origin."""
    if call.get("type") not in CALL_TYPES or not _plain_keys(call):
        return UNREADABLE
    origin = declared_origin(call)
    if origin is not None:
        return origin
    if call["type"] == "mcp_tool_use":
        return ConnectorOrigin(type=MCP, name=safe_name(call.get("server_name")))
    if call["type"] == "server_tool_use":
        return UNREADABLE  # server tools answer with their own result blocks, never a tool_result
    name = call.get("name")
    if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
        return UNREADABLE
    mcp_name = MCP_TOOL_NAME.fullmatch(name)
    if mcp_name:
        return ConnectorOrigin(type=MCP, name=safe_name(mcp_name["server"]))
    if name in MCP_RESOURCE_TOOLS:
        arguments = call.get("input")
        return ConnectorOrigin(type=MCP, name=safe_name(arguments.get("server") if isinstance(arguments, dict) else None))
    if MCP_LIKE_NAME.match(name):
        return ConnectorOrigin(type=MCP, name=UNKNOWN_NAME)
    return None


def redact_conversation(conversation: Any) -> Any:
    """Return a copy of a conversation with all connector, MCP and unreadable content replaced by markers, wherever it sits."""
    if not isinstance(conversation, dict):
        return _Redactor([]).value(conversation)
    messages = conversation.get("messages")
    redactor = _Redactor(messages if isinstance(messages, list) else [])
    redacted = {}
    for key, value in conversation.items():
        if key == "messages" and isinstance(value, list):
            redacted[key] = [redactor.message(message) for message in value]
        else:
            # style, preferences, model_settings and anything else: walked like the messages.
            redacted[key] = redactor.value(value)
    return redacted
