"""A local stand-in for the Telegram Bot API, strict enough that passing against it means something.

The tests cannot reach Telegram, so they run the real python-telegram-bot stack against this
server on 127.0.0.1. Every request is checked against the published Bot API spec
(tests/spec/bot-api-spec.json, MIT, see LICENSE-bot-api-spec) plus the rules Telegram enforces
that the spec only states in prose (lengths, HTML parse mode, button limits). A request Telegram
would refuse is answered with HTTP 400 like Telegram does *and* recorded in `violations`, which
the test fixtures turn into a failure: the bot must never send one.

Where Telegram is lenient in practice but its docs are not (a bare "&", an unknown named
entity), the validator follows the docs: stricter never lets through what Telegram rejects.
Lengths are counted in characters (code points), as the docs say "characters".
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

SPEC_PATH = Path(__file__).with_name("spec") / "bot-api-spec.json"
TOKEN = "123456789:TEST-token-for-the-fake-bot-api-0000"
BOT_ID = 123456789
BOT_USERNAME = "BriefTestBot"

# ---------------------------------------------------------------------------------------------
# The spec


@cache
def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


_LENGTH_RE = re.compile(r"(\d+)-(\d+) (characters|bytes|Bytes)")
_DISCRIMINATOR_RE = re.compile(r"(?:must be|always)\s+[\"“]?([a-z_]+)[\"”]?")
_CHARSET_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
PARSED_FIELDS = {"text": "parse_mode", "caption": "parse_mode", "message_text": "parse_mode"}
BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
)

# ---------------------------------------------------------------------------------------------
# Telegram's HTML parse mode

# tag -> (entity type, allowed attributes, required attributes)
HTML_TAGS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "b": ("bold", frozenset(), frozenset()),
    "strong": ("bold", frozenset(), frozenset()),
    "i": ("italic", frozenset(), frozenset()),
    "em": ("italic", frozenset(), frozenset()),
    "u": ("underline", frozenset(), frozenset()),
    "ins": ("underline", frozenset(), frozenset()),
    "s": ("strikethrough", frozenset(), frozenset()),
    "strike": ("strikethrough", frozenset(), frozenset()),
    "del": ("strikethrough", frozenset(), frozenset()),
    "tg-spoiler": ("spoiler", frozenset(), frozenset()),
    "span": ("spoiler", frozenset({"class"}), frozenset({"class"})),
    "a": ("text_link", frozenset({"href"}), frozenset({"href"})),
    "tg-emoji": ("custom_emoji", frozenset({"emoji-id"}), frozenset({"emoji-id"})),
    "code": ("code", frozenset({"class"}), frozenset()),
    "pre": ("pre", frozenset(), frozenset()),
    "blockquote": ("blockquote", frozenset({"expandable"}), frozenset()),
    "tg-time": ("date_time", frozenset({"unix", "format"}), frozenset({"unix"})),
}
_START_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*(/?)>"
)
_END_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_ATTR = re.compile(r"([^\s=>/\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,8})|([A-Za-z][A-Za-z0-9]*));")
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")


@dataclass
class ParsedText:
    plain: str
    entities: list[dict[str, Any]]
    errors: list[str]


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> ParsedText:
    """Parse Telegram HTML the way Bot API does: allowed tags only, balanced, known entities only."""
    out: list[str] = []
    offset = 0  # UTF-16 position in the plain text, as Telegram reports entity offsets
    errors: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)

    def emit(chunk: str) -> None:
        nonlocal offset
        out.append(chunk)
        offset += _utf16_len(chunk)

    while i < n:
        ch = text[i]
        if ch == "&":
            m = _ENTITY.match(text, i)
            if m is None:
                errors.append(f"bare '&' at character {i}: write &amp;")
                emit("&")
                i += 1
                continue
            dec, hexa, name = m.groups()
            if name is not None:
                if name not in NAMED_ENTITIES:
                    errors.append(f"unsupported HTML entity &{name}; at character {i}")
                emit(NAMED_ENTITIES.get(name, m.group(0)))
            else:
                code = int(dec) if dec is not None else int(hexa, 16)
                if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    errors.append(f"invalid character reference {m.group(0)}")
                else:
                    emit(chr(code))
            i = m.end()
            continue
        if ch != "<":
            m = _SPECIAL.search(text, i)
            j = m.start() if m else n
            emit(text[i:j])
            i = j
            continue
        if text.startswith("</", i):
            m = _END_TAG.match(text, i)
            if m is None:
                errors.append(f"unclosed end tag at character {i}")
                emit("<")
                i += 1
                continue
            name = m.group(1).lower()
            if not stack:
                errors.append(f"unmatched end tag </{name}> at character {i}")
            elif stack[-1][0] != name:
                errors.append(f"end tag </{name}> at character {i} does not match <{stack[-1][0]}>")
            else:
                open_name, start, attrs = stack.pop()
                _close_entity(open_name, start, offset, attrs, stack, entities)
            i = m.end()
            continue
        m = _START_TAG.match(text, i)
        if m is None:
            errors.append(f"unescaped '<' at character {i}: write &lt;")
            emit("<")
            i += 1
            continue
        name, raw_attrs, self_closing = m.group(1).lower(), m.group(2), m.group(3)
        i = m.end()
        if name not in HTML_TAGS:
            errors.append(f"unsupported start tag <{name}>")
            continue
        if self_closing:
            errors.append(f"self-closing tag <{name}/> is not supported")
            continue
        attrs: dict[str, str] = {}
        for am in _ATTR.finditer(raw_attrs):
            attr_name, value = am.group(1).lower(), am.group(2)
            if value is not None and value[:1] in "\"'":
                value = value[1:-1]
            attrs[attr_name] = html.unescape(value) if value is not None else ""
        _, allowed, required = HTML_TAGS[name]
        for attr_name in attrs:
            if attr_name not in allowed:
                errors.append(f"attribute {attr_name!r} is not allowed on <{name}>")
        for attr_name in required - set(attrs):
            errors.append(f"<{name}> needs the attribute {attr_name!r}")
        if name == "span" and attrs.get("class") != "tg-spoiler":
            errors.append('<span> is only supported with class="tg-spoiler"')
        if name == "a" and "href" in attrs and not attrs["href"].strip():
            errors.append("<a> with an empty href")
        if name == "code" and "class" in attrs and not attrs["class"].startswith("language-"):
            errors.append('<code class> must be "language-..."')
        if name == "tg-time" and not attrs.get("unix", "").isdigit():
            errors.append("<tg-time unix> must be a Unix time")
        open_tags = [t for t, _, _ in stack]
        if any(t in ("code", "pre") for t in open_tags) and not (name == "code" and open_tags[-1:] == ["pre"]):
            errors.append(f"<{name}> inside <{open_tags[-1]}>: pre and code cannot contain other entities")
        if name == "blockquote" and "blockquote" in open_tags:
            errors.append("nested <blockquote>")
        stack.append((name, offset, attrs))
    for name, _, _ in stack:
        errors.append(f"unclosed tag <{name}>")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities, errors)


def _close_entity(name: str, start: int, end: int, attrs: dict[str, str],
                  stack: list[tuple[str, int, dict[str, str]]], entities: list[dict[str, Any]]) -> None:
    if end <= start:
        return  # Telegram drops empty entities
    kind = HTML_TAGS[name][0]
    entity: dict[str, Any] = {"type": kind, "offset": start, "length": end - start}
    if kind == "text_link":
        entity["url"] = attrs.get("href", "")
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "date_time":
        entity["unix_time"] = int(attrs["unix"]) if attrs.get("unix", "").isdigit() else 0
    elif kind == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "").removeprefix("language-")
        if language:
            stack[-1][2]["language"] = language
        return  # the surrounding pre carries the language
    elif kind == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    entities.append(entity)


# ---------------------------------------------------------------------------------------------
# Request validation


class Validator:
    """Checks a method call against the spec: names, required fields, types (recursively), and limits."""

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self.spec = spec or load_spec()
        self.methods: dict[str, Any] = self.spec["methods"]
        self.types: dict[str, Any] = self.spec["types"]

    # -- entry point -------------------------------------------------------------------------

    def validate(self, method: str, params: dict[str, Any], *, form: bool = False) -> tuple[dict[str, Any], list[str]]:
        """Return (decoded params, problems). `form`: values are strings as sent in a form body."""
        spec = self.methods.get(method)
        if spec is None:
            return params, [f"unknown method {method!r}"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        errors: list[str] = []
        decoded: dict[str, Any] = {}
        for name, value in params.items():
            if name not in fields:
                errors.append(f"{method}: unknown parameter {name!r}")
                continue
            if form and isinstance(value, str):
                value, problem = self._decode_form(value, fields[name]["types"])
                if problem:
                    errors.append(f"{method}.{name}: {problem}")
                    continue
            decoded[name] = value
        for name, f in fields.items():
            if f["required"] and name not in params:
                errors.append(f"{method}: missing required parameter {name!r}")
        for name, value in decoded.items():
            errors.extend(self._check_union(value, fields[name]["types"], f"{method}.{name}"))
        if not errors:
            errors.extend(self._check_fields(method, fields, decoded, method))
            errors.extend(self._method_rules(method, decoded))
        return decoded, errors

    # -- form decoding -----------------------------------------------------------------------

    def _decode_form(self, raw: str, types: list[str]) -> tuple[Any, str | None]:
        """Form bodies carry strings; Telegram reads numbers, booleans and JSON out of them per the field type."""
        for t in types:
            if t == "Integer" and re.fullmatch(r"-?\d+", raw):
                return int(raw), None
            if t == "Float":
                with contextlib.suppress(ValueError):
                    return float(raw), None
            if t == "Boolean" and raw.lower() in ("true", "false"):
                return raw.lower() == "true", None
            if t.startswith("Array of ") or (t in self.types and t != "InputFile"):
                with contextlib.suppress(ValueError):
                    value = json.loads(raw)
                    if isinstance(value, dict | list):
                        return value, None
        if "String" in types or "InputFile" in types:
            return raw, None
        return raw, f"cannot read {raw[:40]!r} as {' or '.join(types)}"

    # -- types -------------------------------------------------------------------------------

    def _check_union(self, value: Any, types: list[str], where: str, depth: int = 0) -> list[str]:
        best: list[str] | None = None
        for t in types:
            problems = self._check_type(value, t, where, depth)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or [f"{where}: no type given"]

    def _check_type(self, value: Any, t: str, where: str, depth: int) -> list[str]:
        if depth > 12:
            return []
        if t.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where}: expected {t}, got {type(value).__name__}"]
            inner = t.removeprefix("Array of ")
            out: list[str] = []
            for k, item in enumerate(value):
                out.extend(self._check_type(item, inner, f"{where}[{k}]", depth + 1))
            return out
        if t == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif t == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif t == "Boolean":
            ok = isinstance(value, bool)
        elif t in ("String", "InputFile"):
            ok = isinstance(value, str)
        elif t in self.types:
            return self._check_object(value, t, where, depth)
        else:
            return [f"{where}: the spec has no type {t!r}"]
        return [] if ok else [f"{where}: expected {t}, got {type(value).__name__} {str(value)[:40]!r}"]

    def _check_object(self, value: Any, t: str, where: str, depth: int) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where}: expected a {t} object, got {type(value).__name__}"]
        spec = self.types[t]
        subtypes = spec.get("subtypes")
        if subtypes:
            return self._check_subtype(value, t, subtypes, where, depth)
        fields = {f["name"]: f for f in spec.get("fields", [])}
        errors = [f"{where}: unknown field {name!r} in {t}" for name in value if name not in fields]
        errors += [f"{where}: {t} needs {name!r}" for name, f in fields.items() if f["required"] and name not in value]
        for name, item in value.items():
            if name in fields:
                errors.extend(self._check_union(item, fields[name]["types"], f"{where}.{name}", depth + 1))
        if spec.get("subtype_of"):
            for name in ("type", "status", "source"):
                m = _DISCRIMINATOR_RE.search(fields[name]["description"]) if name in fields else None
                if m and value.get(name) != m.group(1):
                    errors.append(f"{where}.{name}: a {t} must have {name} {m.group(1)!r}, not {value.get(name)!r}")
        if not errors:
            errors.extend(self._check_fields(t, fields, value, where))
            errors.extend(self._type_rules(t, value, where))
        return errors

    def _check_subtype(self, value: dict[str, Any], t: str, subtypes: list[str], where: str, depth: int) -> list[str]:
        tag = value.get("type", value.get("status", value.get("source")))
        if isinstance(tag, str):
            for sub in subtypes:
                for f in self.types[sub].get("fields", []):
                    is_tag = f["name"] in ("type", "status", "source")
                    m = _DISCRIMINATOR_RE.search(f["description"]) if is_tag else None
                    if m and m.group(1) == tag:
                        return self._check_object(value, sub, where, depth)
        attempts = [(sub, self._check_object(value, sub, where, depth)) for sub in subtypes]
        for _, problems in attempts:
            if not problems:
                return []
        return [f"{where}: matches no kind of {t} ({', '.join(subtypes[:4])}...)"]

    # -- limits the spec states in prose --------------------------------------------------------

    def _check_fields(self, owner: str, fields: dict[str, Any], values: dict[str, Any], where: str) -> list[str]:
        errors: list[str] = []
        for name, value in values.items():
            f = fields.get(name)
            if f is None or not isinstance(value, str):
                continue
            if name == "parse_mode" or name.endswith("_parse_mode"):
                if value not in ("HTML", "MarkdownV2", "Markdown"):
                    errors.append(f"{where}.{name}: unsupported parse mode {value!r}")
                continue
            measured = value
            mode_field = PARSED_FIELDS.get(name) or (f"{name}_parse_mode" if f"{name}_parse_mode" in fields else None)
            mode = values.get(mode_field) if mode_field else None
            if mode is not None:
                if mode != "HTML":
                    errors.append(f"{where}.{name}: this fake only validates parse_mode HTML, not {mode!r}")
                    continue
                parsed = parse_html(value)
                errors.extend(f"{where}.{name}: can't parse entities: {e}" for e in parsed.errors)
                measured = parsed.plain
            if name in ("text", "message_text") and not measured.strip():
                errors.append(f"{where}.{name}: message text is empty")
                continue
            m = _LENGTH_RE.search(f.get("description", ""))
            if m:
                low, high, unit = int(m.group(1)), int(m.group(2)), m.group(3).lower()
                size = len(measured.encode()) if unit == "bytes" else len(measured)
                if not low <= size <= high:
                    errors.append(f"{where}.{name}: {size} {unit}, allowed {low}-{high}")
        return errors

    def _type_rules(self, t: str, value: dict[str, Any], where: str) -> list[str]:
        errors: list[str] = []
        if t == "InlineKeyboardMarkup":
            rows = value.get("inline_keyboard", [])
            if sum(len(r) for r in rows) > 100:
                errors.append(f"{where}: more than 100 buttons")
            errors += [f"{where}: row {k} has {len(r)} buttons, at most 8" for k, r in enumerate(rows) if len(r) > 8]
        elif t == "InlineKeyboardButton":
            actions = [a for a in BUTTON_ACTIONS if a in value]
            if len(actions) != 1:
                errors.append(f"{where}: a button needs exactly one action, has {actions}")
            if not value.get("text", "").strip():
                errors.append(f"{where}: button text is empty")
            url = value.get("url")
            if url is not None and not re.match(r"^(https?|tg)://\S+$", url):
                errors.append(f"{where}: button URL {url!r} is not http(s):// or tg://")
        elif t == "BotCommand":
            if not _COMMAND_RE.match(value.get("command", "")):
                errors.append(f"{where}: command {value.get('command')!r} must be 1-32 of a-z, 0-9, _")
        elif t == "InlineQueryResultsButton":
            start = value.get("start_parameter")
            if start is not None and not _CHARSET_RE.match(start):
                errors.append(f"{where}: start_parameter may only use A-Z a-z 0-9 _ -")
        elif t == "ReplyParameters" and value.get("message_id", 1) <= 0:
            errors.append(f"{where}: message_id must be positive")
        return errors

    def _method_rules(self, method: str, params: dict[str, Any]) -> list[str]:
        errors: list[str] = []
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and not chat_id.startswith("@"):
            errors.append(f"{method}.chat_id: a string chat_id must be @username")
        if method == "answerInlineQuery":
            results = params.get("results", [])
            if len(results) > 50:
                errors.append(f"answerInlineQuery: {len(results)} results, at most 50 are allowed")
            ids = [r.get("id") for r in results if isinstance(r, dict)]
            if len(ids) != len(set(ids)):
                errors.append("answerInlineQuery: duplicate result ids")
            if len(params.get("next_offset", "").encode()) > 64:
                errors.append("answerInlineQuery.next_offset: over 64 bytes")
        elif method == "setMyCommands" and len(params.get("commands", [])) > 100:
            errors.append("setMyCommands: more than 100 commands")
        elif method == "setWebhook":
            secret = params.get("secret_token")
            if secret is not None and not _CHARSET_RE.match(secret):
                errors.append("setWebhook.secret_token may only use A-Z a-z 0-9 _ -")
        elif method in ("editMessageText", "editMessageReplyMarkup"):
            if "inline_message_id" not in params and not ("chat_id" in params and "message_id" in params):
                errors.append(f"{method}: needs chat_id and message_id, or inline_message_id")
            if method == "editMessageText" and "text" not in params and "rich_message" not in params:
                errors.append("editMessageText: missing text")
        return errors


# ---------------------------------------------------------------------------------------------
# The server


@dataclass
class Call:
    """One request the bot made, as the server understood it."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def plain(self) -> str:
        """The text a user would read (tags removed, entities decoded)."""
        text = self.params.get("text", "")
        return parse_html(text).plain if self.params.get("parse_mode") == "HTML" else text

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class _Fault:
    status: int = 0
    body: dict[str, Any] | None = None
    delay: float = 0.0
    reset: str = ""  # "before" / "after" the call is carried out: the connection is reset, no response


def _reset_connection(handler: tornado.web.RequestHandler) -> None:
    """Abort the TCP connection with RST, as a middlebox or a crashing server does."""
    import socket
    import struct

    stream = handler.detach()
    with contextlib.suppress(OSError):
        stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    stream.close()


SO_TIMESTAMPNS = getattr(__import__("socket"), "SO_TIMESTAMPNS", 35)  # Linux; Python lacks the constant


class _StampedStream(tornado.iostream.IOStream):
    """An IOStream that notes when the kernel received the first bytes of each request (SO_TIMESTAMPNS),
    so arrivals are stamped as Telegram counts them, not when this process's busy loop got round to
    reading them (a loaded fake stamped on-time requests up to 0.8 s late, and counted a burst that was
    not sent). Requests on one connection come one at a time (no pipelining), so the first read after
    the previous request was answered carries the next one's stamp."""

    received: float | None = None  # monotonic time of the first bytes of the request being read

    def read_from_fd(self, buf: Any) -> int | None:
        import socket
        import struct

        try:
            n, ancillary, _, _ = self.socket.recvmsg_into([buf], 64)
        except BlockingIOError:
            return None
        finally:
            del buf
        if n and self.received is None:
            self.received = time.monotonic()
            for level, kind, data in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                    seconds, nanos = struct.unpack("qq", data[:16])
                    self.received -= max(0.0, time.time() - (seconds + nanos / 1e9))
        return n


class _StampingServer(tornado.httpserver.HTTPServer):
    def _handle_connection(self, connection: Any, address: Any) -> None:
        import socket

        with contextlib.suppress(OSError):
            connection.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.handle_stream(_StampedStream(connection, max_buffer_size=self.max_buffer_size,
                                          read_chunk_size=self.read_chunk_size), address)


def _arrived(handler: tornado.web.RequestHandler) -> float:
    """When the request began to arrive (monotonic): the kernel's receive time of its first bytes when known,
    else when tornado began to read it; and clear the note for the connection's next request."""
    stream = getattr(handler.request.connection, "stream", None)
    received = getattr(stream, "received", None)
    if received is not None:
        stream.received = None  # type: ignore[union-attr]
        return float(received)
    return time.monotonic() - max(0.0, time.time() - handler.request._start_time)


class _Handler(tornado.web.RequestHandler):
    def initialize(self, api: FakeBotAPI) -> None:
        self.api = api

    async def post(self, token: str, method: str) -> None:
        await self.api._serve(self, token, method)

    get = post

    def on_connection_close(self) -> None:
        self.api._closed_connections += 1


class _Control(tornado.web.RequestHandler):
    """For a server in another process (benchmarks): push messages, read counts and reply times."""

    def initialize(self, api: FakeBotAPI) -> None:
        self.api = api

    def post(self, action: str) -> None:
        body = json.loads(self.request.body or b"{}")
        if action == "push":
            ids: list[int] = []
            pushed: list[dict[str, Any]] = []
            for item in body["messages"]:
                user = self.api.user(item["user_id"], f"U{item['user_id']}")
                if item.get("poison"):  # a message without `date`, as Telegram has sent
                    message = self.api.message(item["text"], user=user)
                    del message["date"]
                    update = self.api.push({"message": message})
                elif item.get("inline"):
                    update = self.api.push_inline_query(item["text"], user=user)
                elif item.get("group_id"):  # a command in a group (the 20-a-minute limit applies)
                    chat = self.api.group_chat(item["group_id"], f"G{item['group_id']}")
                    update = self.api.push({"message": self.api.message(item["text"], chat=chat, user=user)})
                else:
                    update = self.api.push_message(item["text"], user=user)
                ids.append(update["update_id"])
                pushed.append(update)
            # The updates themselves too: without a webhook set, a benchmark delivers them at its own pace.
            self.finish({"ok": True, "update_ids": ids, "updates": pushed})
        elif action == "fault":  # {"method", "kind": "reset" | "reset-after" | "revoke", "times"}
            kind = body["kind"]
            if kind == "revoke":
                self.api.revoke_token()
            else:
                self.api.reset_next(body["method"], body.get("times", 1), after=kind == "reset-after")
            self.finish({"ok": True})
        elif action == "stats":
            ok = [c for c in self.api.calls if c.ok]
            counts: dict[str, int] = {}
            per_chat: dict[str, int] = {}
            for c in ok:
                counts[c.method] = counts.get(c.method, 0) + 1
                if c.method == "sendMessage":
                    per_chat[str(c.params["chat_id"])] = per_chat.get(str(c.params["chat_id"]), 0) + 1
            replies = {str(c.params["chat_id"]): c.at for c in ok if c.method == "sendMessage"}
            self.finish({"counts": counts, "violations": self.api.violations[:5], "replies": replies,
                         "per_chat": per_chat, "pending": self.api.pending_updates,
                         "sends": [[c.params["chat_id"], c.at] for c in ok if c.method == "sendMessage"],
                         "calls": {m: sum(1 for c in self.api.calls if c.method == m) for m in counts}})
        else:
            self.send_error(404)


class FakeBotAPI:
    """Serves the Bot API on 127.0.0.1; tests push updates, inspect calls and inject faults."""

    def __init__(self, *, token: str = TOKEN, username: str = BOT_USERNAME, bot_id: int = BOT_ID,
                 max_poll: float = 1.0) -> None:
        self.token = token
        self.username = username
        self.bot_id = bot_id
        self.max_poll = max_poll  # long polls are cut short so shutdown is quick
        self.validator = Validator()
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.valid_tokens = {token}
        self.port = 0
        self.webhook: dict[str, Any] | None = None
        self.deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status) of webhook deliveries
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.admins: dict[int, set[int]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope -> the default (no language_code) list
        self.description = ""
        self.short_description = ""
        self.files: dict[tuple[int, int], tuple[str, str, bytes]] = {}  # message -> (kind, file name, bytes)
        # (scope, language_code) -> list, and language_code -> texts; "" is the default language
        self.commands_by_lang: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self._queue: deque[dict[str, Any]] = deque()
        self._allowed_updates: list[str] | None = None
        self._update_ids = itertools.count(10_000)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(700_000)
        self._open_queries: dict[str, str] = {}  # id -> "callback" | "inline"
        self._faults: dict[str, deque[_Fault]] = {}
        self._sources: dict[tuple[int, int], tuple[str, str | None, str]] = {}  # what each bot message was sent as
        self._changed = asyncio.Event()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed_connections = 0
        self._stopping = False

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> FakeBotAPI:
        app = tornado.web.Application(
            [(r"/bot([^/]+)/([A-Za-z0-9_]+)", _Handler, {"api": self}),
             (r"/_control/([a-z]+)", _Control, {"api": self})],
            log_function=lambda handler: None,
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = _StampingServer(app)
        self._server.add_sockets(sockets)
        self._client = httpx.AsyncClient(timeout=5.0)
        return self

    async def stop(self) -> None:
        self._stopping = True
        self._changed.set()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
        if self._client is not None:
            await self._client.aclose()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def url(self, method: str, token: str | None = None) -> str:
        return f"{self.base_url}{token or self.token}/{method}"

    # -- faults -------------------------------------------------------------------------------

    def fail_next(self, method: str, times: int = 1, *, status: int = 429, retry_after: int = 1,
                  description: str | None = None) -> None:
        """The next `times` valid calls of `method` get an error (429 Too Many Requests by default)."""
        body: dict[str, Any] = {"ok": False, "error_code": status,
                                "description": description or f"Too Many Requests: retry after {retry_after}"}
        if status == 429:
            body["parameters"] = {"retry_after": retry_after}
        for _ in range(times):
            self._faults.setdefault(method, deque()).append(_Fault(status=status, body=body))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` are answered only after `seconds` (to provoke client timeouts)."""
        for _ in range(times):
            self._faults.setdefault(method, deque()).append(_Fault(delay=seconds))

    def revoke_token(self) -> None:
        """Every call now gets 401 Unauthorized, as for a token revoked in BotFather."""
        self.valid_tokens.clear()

    def reset_next(self, method: str, times: int = 1, *, after: bool = False) -> None:
        """The next `times` calls of `method` end in a TCP reset (RST, no response): before Telegram acted
        on the call (`after=False`: the reply is lost unless retried) or after it (`after=True`: it went
        out, but the bot cannot know)."""
        for _ in range(times):
            self._faults.setdefault(method, deque()).append(_Fault(reset="after" if after else "before"))

    def push_poison(self, kind: str = "no-date") -> dict[str, Any]:
        """An update python-telegram-bot cannot parse (Telegram has sent such: a message without `date`)."""
        message = self.message("/help")
        if kind == "no-date":
            del message["date"]
        elif kind == "no-chat":
            del message["chat"]
        return self.push({"message": message})

    async def post_raw(self, body: bytes, *, content_type: str = "application/json") -> int:
        """POST arbitrary bytes to the bot's webhook with the right secret; returns the HTTP status."""
        assert self._client is not None and self.webhook is not None
        headers = {"Content-Type": content_type}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        response = await self._client.post(self.webhook["url"], content=body, headers=headers)
        return response.status_code

    # -- test-side helpers ----------------------------------------------------------------------

    def user(self, user_id: int = 1001, first_name: str = "Ada", **extra: Any) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en", **extra}
        self.users[user_id] = user
        return user

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats[chat["id"]] = chat
        return chat

    def group_chat(self, chat_id: int = -1001000000001, title: str = "Briefing room") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self.chats[chat_id] = chat
        return chat

    def make_admin(self, chat_id: int, user_id: int) -> None:
        self.admins.setdefault(chat_id, set()).add(user_id)

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def message(self, text: str, *, chat: dict[str, Any] | None = None, user: dict[str, Any] | None = None
                ) -> dict[str, Any]:
        """A user's text message, with the bot_command entity Telegram adds for a leading /command."""
        user = user or self.users.get(1001) or self.user()
        chat = chat or self.private_chat(user)
        self.chats.setdefault(chat["id"], chat)
        msg: dict[str, Any] = {"message_id": self._next_message_id(chat["id"]), "date": int(time.time()),
                               "chat": chat, "from": user, "text": text}
        if m := re.match(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,64})?", text):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(m.group(0))}]
        self.messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates, or deliver it to the webhook if one is set."""
        update = {"update_id": next(self._update_ids), **update}
        if self.webhook is not None:
            self._spawn(self._deliver(update))
        else:
            self._queue.append(update)
            self._changed.set()
        return update

    def push_message(self, text: str, *, chat: dict[str, Any] | None = None,
                     user: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.push({"message": self.message(text, chat=chat, user=user)})

    def push_inline_query(self, query: str, *, user: dict[str, Any] | None = None) -> dict[str, Any]:
        user = user or self.users.get(1001) or self.user()
        query_id = str(next(self._query_ids))
        self._open_queries[query_id] = "inline"
        return self.push({"inline_query": {"id": query_id, "from": user, "query": query, "offset": "",
                                           "chat_type": "sender"}})

    def push_chosen_inline_result(self, result_id: str, query: str, *, user: dict[str, Any] | None = None
                                  ) -> dict[str, Any]:
        user = user or self.users.get(1001) or self.user()
        return self.push({"chosen_inline_result": {"result_id": result_id, "from": user, "query": query}})

    def push_callback_query(self, data: str, message: dict[str, Any], *, user: dict[str, Any] | None = None
                            ) -> dict[str, Any]:
        """A tap on an inline button of `message` (a Message the bot sent, e.g. `call.result`)."""
        user = user or self.users.get(1001) or self.user()
        self.messages.setdefault((message["chat"]["id"], message["message_id"]), message)
        self.chats.setdefault(message["chat"]["id"], message["chat"])
        query_id = str(next(self._query_ids))
        self._open_queries[query_id] = "callback"
        return self.push({"callback_query": {"id": query_id, "from": user, "message": message,
                                             "chat_instance": f"ci{message['chat']['id']}", "data": data}})

    def mark(self) -> int:
        """A position in the call log; pass it as `since=` to look only at later calls."""
        return len(self.calls)

    def calls_of(self, method: str, *, since: int = 0, ok: bool | None = True,
                 where: Callable[[Call], bool] | None = None) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method and (ok is None or c.ok == ok)
                and (where is None or where(c))]

    async def wait_for(self, method: str, *, count: int = 1, since: int = 0, timeout: float = 5.0,
                       ok: bool | None = True, where: Callable[[Call], bool] | None = None) -> list[Call]:
        """Wait until the bot has made `count` matching calls; raise TimeoutError (with the log) otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_of(method, since=since, ok=ok, where=where)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [(c.method, c.status, str(c.params)[:120]) for c in self.calls[since:]]
                raise TimeoutError(f"waited {timeout}s for {count} x {method}, saw {len(found)}; calls: {seen}")
            await asyncio.sleep(0.01)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (or webhook deliveries still in flight)."""
        allowed = self._allowed_updates
        queued = sum(1 for u in self._queue if allowed is None or any(k in u for k in allowed))
        return queued + len(self._tasks)

    # -- serving ------------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, update: dict[str, Any]) -> None:
        assert self._client is not None and self.webhook is not None
        headers = {"Content-Type": "application/json"}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        status = 0
        for attempt in range(12):  # like Telegram, retry a webhook that is not up (yet) or failing
            try:
                response = await self._client.post(self.webhook["url"], content=json.dumps(update), headers=headers)
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            if 200 <= status < 300 or 400 <= status < 500:
                break
            await asyncio.sleep(0.05 * (attempt + 1))
        self.deliveries.append((update["update_id"], status))

    @staticmethod
    def _read_params(request: Any) -> tuple[dict[str, Any], bool]:
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            body = json.loads(request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("a JSON body must be an object")
            return body, False
        params: dict[str, Any] = {}
        for source in (request.query_arguments, request.body_arguments):
            for name, values in source.items():
                params[name] = values[-1].decode("utf-8")
        for name in request.files:
            params[name] = "attach://" + name
        return params, True

    async def _serve(self, handler: _Handler, token: str, method: str) -> None:
        arrived = _arrived(handler)
        if token not in self.valid_tokens:
            status, body = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            self.calls.append(Call(method, {}, status, body))
            return self._finish(handler, status, body)
        try:
            raw, form = self._read_params(handler.request)
        except ValueError as exc:
            raw, form, unreadable = {}, False, [f"{method}: unreadable body: {exc}"]
        else:
            unreadable = []
        params, problems = self.validator.validate(method, raw, form=form)
        problems = unreadable or problems
        uploads = {name: (files[0]["filename"], files[0]["body"]) for name, files in handler.request.files.items()}
        if problems:
            status = 404 if problems[0].startswith("unknown method") else 400
            desc = "Not Found" if status == 404 else "Bad Request: " + "; ".join(problems)
            body = {"ok": False, "error_code": status, "description": desc}
            self.violations.extend(problems)
            self.calls.append(Call(method, raw, status, body, problems))
            return self._finish(handler, status, body)
        fault = self._faults.get(method)
        f = fault.popleft() if fault else None
        if f is not None:
            if f.delay:
                await asyncio.sleep(f.delay)
            if f.body is not None:
                self.calls.append(Call(method, params, f.status, f.body))
                return self._finish(handler, f.status, f.body)
            if f.reset == "before":
                self.calls.append(Call(method, params, 0, {"reset": "before"}))
                return _reset_connection(handler)
        status, body = (self._send_file(method, params, uploads) if method in ("sendPhoto", "sendDocument")
                        else await self._dispatch(method, params))
        if f is not None and f.reset == "after":
            self.calls.append(Call(method, params, status, body))  # carried out, but the bot never hears
            return _reset_connection(handler)
        # Stamped when the request began to arrive, as Telegram counts it, not after parsing and checking
        # it (which a busy test process may do a while later).
        self.calls.append(Call(method, params, status, body, at=arrived))
        self._finish(handler, status, body)

    @staticmethod
    def _finish(handler: _Handler, status: int, body: dict[str, Any]) -> None:
        handler.set_status(status)
        handler.set_header("Content-Type", "application/json")
        with contextlib.suppress(Exception):  # the client may have given up (timeouts)
            handler.finish(json.dumps(body))

    # -- methods ------------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Brief Test Bot", "username": self.username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}

    @staticmethod
    def _ok(result: Any) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": result}

    @staticmethod
    def _bad(description: str, status: int = 400) -> tuple[int, dict[str, Any]]:
        return status, {"ok": False, "error_code": status, "description": description}

    def _protocol_error(self, description: str) -> tuple[int, dict[str, Any]]:
        """Something Telegram refuses that a correct bot never does (e.g. answering a query twice)."""
        self.violations.append(description)
        return self._bad("Bad Request: " + description)

    async def _dispatch(self, method: str, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        simple = {"setMyCommands", "deleteMyCommands", "setMyDescription", "setMyShortDescription", "close",
                  "logOut", "setChatMenuButton", "setMyName"}
        if method == "getMe":
            return self._ok(self._bot_user())
        if method == "getUpdates":
            return await self._get_updates(p)
        if method == "sendMessage":
            return self._send_message(p)
        if method == "editMessageText":
            return self._edit_message(p)
        if method == "answerCallbackQuery":
            return self._answer_query(p["callback_query_id"], "callback")
        if method == "answerInlineQuery":
            return self._answer_query(p["inline_query_id"], "inline")
        if method in ("getChatMember", "getChatAdministrators"):
            return self._chat_member(method, p)
        if method == "setWebhook":
            self.webhook = {"url": p["url"], "secret_token": p.get("secret_token")} if p["url"] else None
            return self._ok(True)
        if method == "deleteWebhook":
            self.webhook = None
            if p.get("drop_pending_updates"):
                self._queue.clear()
            return self._ok(True)
        if method == "getWebhookInfo":
            return self._ok({"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                             "pending_update_count": len(self._queue)})
        if method in simple:
            lang = p.get("language_code", "")
            if method == "setMyCommands":
                scope = json.dumps(p.get("scope", {"type": "default"}), sort_keys=True)
                self.commands_by_lang[(scope, lang)] = p["commands"]
                if not lang:
                    self.commands[scope] = p["commands"]
            elif method == "setMyDescription":
                self.descriptions[lang] = p.get("description", "")
                if not lang:
                    self.description = self.descriptions[lang]
            elif method == "setMyShortDescription":
                self.short_descriptions[lang] = p.get("short_description", "")
                if not lang:
                    self.short_description = self.short_descriptions[lang]
            return self._ok(True)
        return self._bad(f"Bad Request: the fake Bot API does not implement {method}")

    async def _get_updates(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.webhook is not None:
            return self._bad("Conflict: can't use getUpdates method while webhook is active; "
                             "use deleteWebhook to delete the webhook first", 409)
        if "allowed_updates" in p:
            self._allowed_updates = p["allowed_updates"] or None
        offset = p.get("offset", 0)
        if offset > 0:
            while self._queue and self._queue[0]["update_id"] < offset:
                self._queue.popleft()
        deadline = time.monotonic() + min(float(p.get("timeout", 0)), self.max_poll)
        while True:
            allowed = self._allowed_updates
            ready = [u for u in self._queue if allowed is None or any(k in u for k in allowed)]
            if ready or self._stopping or time.monotonic() >= deadline:
                return self._ok(ready[: p.get("limit", 100)])
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - time.monotonic()))

    def _chat_for(self, chat_id: int | str) -> dict[str, Any] | None:
        if isinstance(chat_id, str):
            return next((c for c in self.chats.values() if "@" + c.get("username", "") == chat_id), None)
        return self.chats.get(chat_id)

    def _send_message(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat = self._chat_for(p["chat_id"])
        if chat is None:
            return self._bad("Bad Request: chat not found")
        reply_to = None
        if rp := p.get("reply_parameters"):
            reply_to = self.messages.get((rp.get("chat_id", chat["id"]), rp["message_id"]))
            if reply_to is None and not rp.get("allow_sending_without_reply"):
                return self._bad("Bad Request: message to be replied not found")
        msg = self._render(p, chat, self._next_message_id(chat["id"]))
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        self.messages[(chat["id"], msg["message_id"])] = msg
        return self._ok(msg)

    def _send_file(self, method: str, p: dict[str, Any], uploads: dict[str, tuple[str, bytes]]
                   ) -> tuple[int, dict[str, Any]]:
        """sendPhoto / sendDocument with an uploaded file (multipart); the bytes are kept for the test."""
        field_name = "photo" if method == "sendPhoto" else "document"
        chat = self._chat_for(p["chat_id"])
        if chat is None:
            return self._bad("Bad Request: chat not found")
        ref = p[field_name]
        upload = uploads.get(ref.removeprefix("attach://")) if isinstance(ref, str) else None
        if upload is None:
            return self._protocol_error(f"{method}: {field_name} is not an uploaded file")
        name, data = upload
        if method == "sendPhoto":
            if not data.startswith(b"\x89PNG\r\n\x1a\n") and not data.startswith(b"\xff\xd8"):
                return self._bad("Bad Request: IMAGE_PROCESS_FAILED")
            if len(data) > 10 * 1024 * 1024:
                return self._bad("Bad Request: PHOTO_INVALID_DIMENSIONS")
        elif not data:
            return self._bad("Bad Request: file must be non-empty")
        caption = p.get("caption", "")
        if len(caption) > 1024:
            return self._bad("Bad Request: message caption is too long")
        message_id = self._next_message_id(chat["id"])
        msg: dict[str, Any] = {"message_id": message_id, "from": self._bot_user(), "chat": chat,
                               "date": int(time.time())}
        file_id = f"file-{chat['id']}-{message_id}"
        if method == "sendPhoto":
            msg["photo"] = [{"file_id": file_id, "file_unique_id": file_id, "width": 960, "height": 960,
                             "file_size": len(data)}]
        else:
            msg["document"] = {"file_id": file_id, "file_unique_id": file_id, "file_name": name,
                               "file_size": len(data)}
        if caption:
            msg["caption"] = caption
        self.files[(chat["id"], message_id)] = (field_name, name, data)
        self.messages[(chat["id"], message_id)] = msg
        return self._ok(msg)

    def _render(self, p: dict[str, Any], chat: dict[str, Any], message_id: int) -> dict[str, Any]:
        parsed = parse_html(p["text"]) if p.get("parse_mode") == "HTML" else ParsedText(p["text"], [], [])
        msg: dict[str, Any] = {"message_id": message_id, "from": self._bot_user(), "chat": chat,
                               "date": int(time.time()), "text": parsed.plain}
        if parsed.entities:
            msg["entities"] = parsed.entities
        if p.get("reply_markup") and "inline_keyboard" in p["reply_markup"]:
            msg["reply_markup"] = p["reply_markup"]
        self._sources[(chat["id"], message_id)] = (p["text"], p.get("parse_mode"),
                                                   json.dumps(p.get("reply_markup"), sort_keys=True))
        return msg

    def _edit_message(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if "inline_message_id" in p:
            return self._ok(True)
        chat = self._chat_for(p["chat_id"])
        if chat is None:
            return self._bad("Bad Request: chat not found")
        old = self.messages.get((chat["id"], p["message_id"]))
        if old is None:
            return self._bad("Bad Request: message to edit not found")
        if old.get("from", {}).get("id") != self.bot_id:
            return self._bad("Bad Request: message can't be edited")
        before = self._sources.get((chat["id"], p["message_id"]))
        new = self._render(p, chat, p["message_id"])
        if self._sources[(chat["id"], p["message_id"])] == before:
            return self._bad("Bad Request: message is not modified: specified new message content and reply "
                             "markup are exactly the same as a current content and reply markup of the message")
        new["edit_date"] = int(time.time())
        self.messages[(chat["id"], p["message_id"])] = new
        return self._ok(new)

    def _answer_query(self, query_id: str, kind: str) -> tuple[int, dict[str, Any]]:
        if self._open_queries.get(query_id) != kind:
            return self._protocol_error(f"{kind} query {query_id} is unknown or was already answered")
        del self._open_queries[query_id]
        return self._ok(True)

    def _chat_member(self, method: str, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat = self._chat_for(p["chat_id"])
        if chat is None:
            return self._bad("Bad Request: chat not found")
        admins = self.admins.get(chat["id"], set())
        if method == "getChatAdministrators":
            return self._ok([self._member("administrator", self.users.get(u) or {"id": u}) for u in sorted(admins)])
        user = self.users.get(p["user_id"], {"id": p["user_id"], "is_bot": False, "first_name": "Someone"})
        return self._ok(self._member("administrator" if p["user_id"] in admins else "member", user))

    def _member(self, status: str, user: dict[str, Any]) -> dict[str, Any]:
        """A ChatMember of the given status with every required field filled, as the spec lists them."""
        spec = self.validator.types
        for sub in spec["ChatMember"]["subtypes"]:
            fields = spec[sub]["fields"]
            if any(f["name"] == "status" and f'"{status}"' in f["description"] for f in fields):
                member: dict[str, Any] = {"status": status, "user": {"is_bot": False, "first_name": "Someone", **user}}
                for f in fields:
                    if f["required"] and f["name"] not in member and f["types"] == ["Boolean"]:
                        member[f["name"]] = False
                return member
        raise ValueError(status)


def html_problems(text: str) -> list[str]:
    """Problems Telegram would report for `text` sent with parse_mode HTML (empty list: fine)."""
    parsed = parse_html(text)
    problems = list(parsed.errors)
    if not parsed.plain.strip():
        problems.append("message text is empty")
    if len(parsed.plain) > 4096:
        problems.append(f"{len(parsed.plain)} characters after parsing, over 4096")
    return problems


def all_texts(calls: Iterable[Call]) -> list[str]:
    return [c.plain for c in calls]


# ---------------------------------------------------------------------------------------------
# Driving a python-telegram-bot Application against the fake (shared by tests and benchmarks)


async def start_polling(app: Any, *, allowed_updates: list[str] | None = None) -> None:
    """What `briefbot run` does (bot.telegram_app.start_app), minus signal handling and the blocking loop."""
    from bot.telegram_app import start_app

    await start_app(app, poll_timeout=1)


async def start_webhook(app: Any, *, port: int, secret_token: str, url_path: str = "hook",
                        allowed_updates: list[str] | None = None) -> None:
    from bot.telegram_app import start_app

    await start_app(app, webhook={"listen": "127.0.0.1", "port": port, "url_path": url_path,
                                  "webhook_url": f"http://127.0.0.1:{port}/{url_path}", "secret_token": secret_token})


async def stop_app(app: Any, *, drain_seconds: float | None = None) -> None:
    """What `briefbot run` does on exit; safe to call twice."""
    from bot.telegram_app import stop_app as stop

    await stop(app, drain_seconds=drain_seconds)


async def settle(app: Any, api: FakeBotAPI, *, timeout: float = 5.0) -> None:
    """Wait until every pushed update has been fetched and handled (so 'no reply' means no reply)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 4:
        intake = app.bot_data.get("intake")
        busy = (api.pending_updates or not app.update_queue.empty() or (intake is not None and intake.pending)
                or app.update_processor.current_concurrent_updates)
        quiet = 0 if busy else quiet + 1
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not settle")
        await asyncio.sleep(0.02)


async def _serve_forever() -> None:
    """`python -m tests.fake_bot_api`: a server in its own process; prints its port, stops on EOF of stdin."""
    async with FakeBotAPI() as api:
        print(api.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(_serve_forever())
