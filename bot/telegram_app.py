"""The Telegram adapter: python-telegram-bot v22 handlers around the answer core.

Everything a user sees comes from `Engine.answer` / `Engine.inline`; this module only decides
where a reply goes (threaded under the question in groups), how long it is (brief in groups,
full in private chats unless /settings says otherwise), and keeps the bot polite under load:
outgoing messages go through PTB's AIORateLimiter (Telegram's 30/s and 20/min per group, 429s
retried), incoming floods get one notice per chat, and any failure becomes an apology, not a
dead bot. Updates come in through bot.intake (durable inbox, bounded dispatch and drain);
`run` owns the process: signals (SIGTERM drains, SIGHUP reloads the corpus), storage faults at
start-up, a rejected token.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import secrets
import signal
import sys
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, Protocol

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import i18n
from bot.config import Config, ConfigError
from bot.hygiene import clean
from bot.intake import (
    TOKEN_REJECTED,
    Heartbeat,
    InboxProcessor,
    Intake,
    PollingRefused,
    RetryingRequest,
    SendLog,
    Throttled,
)
from bot.limits import rate_limiter_for
from bot.render import TELEGRAM_LIMIT as TEXT_LIMIT
from bot.render import esc, plain_text, say
from bot.telegram_readers import ReaderTools, with_picture_button
from bot.views.base import MAX_CALLBACK as CALLBACK_LIMIT
from bot.views.base import PAYLOAD_RE

log = logging.getLogger(__name__)

INLINE_RESULTS = 20  # Telegram allows 50; 20 fill a phone screen and keep answers fast
INLINE_CACHE_SECONDS = 30  # short, so a reloaded index shows quickly
REPLY_CACHE = 2_000  # answers kept per (text, length, language): a popular question is answered once
INLINE_ANSWER_CACHE = 1_000  # inline answers kept, serialised, per (query, language)
ADMIN_CACHE_SECONDS = 60.0
NO_PREVIEW = {"is_disabled": True}  # replies as the application's Defaults(link_preview_options=...) send them
COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,64})(@[A-Za-z0-9_]{1,64})?(?=\s|$)")
ANSWER_COMMANDS = ("timeline", "actor", "claim", "sources", "source", "about", "help", "start", "open")
GROUP_COMMANDS = frozenset((*ANSWER_COMMANDS, "settings", "picture", "language"))
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.CHOSEN_INLINE_RESULT]
LENGTHS = ("auto", "brief", "full")
LANGUAGE_CHOICES = ("auto", *i18n.LANGS)



# What language a message is written in depends on its text alone; a popular question is read once.
_written_in = functools.lru_cache(maxsize=4096)(i18n.written_in)


def tg(key: str, lang: str | None = None) -> str:
    """Telegram-only wording (profile texts, button labels), kept with the rest in wording.yaml."""
    return i18n.phrase(f"telegram.{key}", lang)



# ------------------------------------------------------------------------------ seams


class AnswerEngine(Protocol):
    """What the adapter needs from bot.core.Engine (tests may pass a smaller stand-in)."""

    def answer(self, message: str, *, full: bool = False) -> Any: ...

    def inline(self, query: str, limit: int = 20) -> list[Any]: ...


class StoragePort(Protocol):
    """The storage calls the bot makes, so a test or a read-only deployment can pass its own."""

    async def get_settings(self, chat_id: int) -> dict[str, str]: ...

    async def set_setting(self, chat_id: int, key: str, value: str) -> None: ...

    async def log_query(self, *, chat_type: str, command: str, query: str, matched: bool,
                        best_score: float, latency_ms: float) -> None: ...

    async def close(self) -> None: ...


# ------------------------------------------------------------------------------ small pieces


class FloodControl:
    """Per-chat token bucket: `burst` replies at once, one more per `refill_seconds`.

    Beyond it a chat gets one notice, then silence until a token is back, so one noisy chat
    cannot starve the others or push the bot into Telegram's own limits.
    """

    def __init__(self, burst: int = 5, refill_seconds: float = 3.0, *, clock: Callable[[], float] = time.monotonic,
                 max_chats: int = 50_000) -> None:
        self.burst = burst
        self.refill_seconds = refill_seconds
        self.clock = clock
        self.max_chats = max_chats
        self._buckets: dict[int, list[float]] = {}  # chat -> [tokens, last refill, notified (0/1)]

    def check(self, chat_id: int) -> Literal["ok", "notify", "drop"]:
        now = self.clock()
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) >= self.max_chats:
                self._forget_idle(now)
            bucket = self._buckets[chat_id] = [float(self.burst), now, 0.0]
        tokens = min(float(self.burst), bucket[0] + (now - bucket[1]) / self.refill_seconds)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0], bucket[2] = tokens - 1.0, 0.0
            return "ok"
        bucket[0] = tokens
        if bucket[2]:
            return "drop"
        bucket[2] = 1.0
        return "notify"

    def _forget_idle(self, now: float) -> None:
        """Buckets that have refilled are indistinguishable from new ones; drop them to bound memory."""
        full = [c for c, (tokens, last, _) in self._buckets.items()
                if tokens + (now - last) / self.refill_seconds >= self.burst]
        for chat_id in full:
            del self._buckets[chat_id]
        while len(self._buckets) >= self.max_chats:
            del self._buckets[next(iter(self._buckets))]


class EngineCache:
    """Answers of one engine, least recently used dropped first. The engine's answers depend only on
    what is asked, the length and the language (not on who asks), and a corpus reload swaps the engine
    object: a different engine empties the cache, so no answer outlives the corpus it came from."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._engine: object = None
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, engine: object, key: Any) -> Any:
        if engine is not self._engine:
            return None
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, engine: object, key: Any, value: Any) -> None:
        if engine is not self._engine:
            self._items.clear()
            self._engine = engine
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)


class TokenRedactor(logging.Filter):
    """What no log line may carry, whoever logs it (PTB, httpx, us):

    - the bot token and the webhook secret (httpx and PTB log URLs and parameters that contain them);
    - update contents (PTB logs whole updates and API results at DEBUG): structured arguments of
      `telegram.*` records become a size, unless BRIEFBOT_LOG_PRIVATE=1;
    - stack traces: an exception becomes one line, its type and (redacted) message.
    """

    def __init__(self, token: str, *extra: str, private: bool = False) -> None:
        super().__init__()
        self.private = private
        self.secrets: list[str] = []
        self.add(token, *extra)

    def add(self, *secrets: str) -> None:
        found = set(self.secrets)
        for secret in secrets:
            found |= {secret, secret.partition(":")[2] if ":" in secret else secret}
        self.secrets = sorted(found - {""}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.private and record.name.startswith("telegram") and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_withheld(a) for a in args)
        message = record.getMessage()
        clean_message = self.redact(message)
        if clean_message != message:
            record.msg, record.args = clean_message, ()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            summary = self.redact(_short(f"{type(error).__name__}: {error}"))
            record.msg, record.args = f"{self.redact(record.getMessage())} ({summary})", ()
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def _withheld(value: object) -> object:
    """A structured log argument (an update, API parameters or results) reduced to its size."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    size = len(value) if isinstance(value, dict | list | tuple) else 1
    return f"<{type(value).__name__} of {size} item(s); BRIEFBOT_LOG_PRIVATE=1 logs it>"


def _where(error: BaseException) -> str:
    """The innermost frame of ours an error came from, as `bot/core.py:123 in answer` (no paths)."""
    place = ""
    for frame in traceback.extract_tb(error.__traceback__):
        parts = Path(frame.filename).parts
        if "bot" in parts:
            place = f"{'/'.join(parts[len(parts) - 1 - parts[::-1].index('bot'):])}:{frame.lineno} in {frame.name}"
    return place or "outside briefbot"


class _QuietStartup(logging.Filter):
    """PTB logs start-up failures with tracebacks; `run` reports them in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken):
            return False
        if error is not None and "Bootstrap" in record.getMessage():
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {_short(str(error))})"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


_REDACTOR: TokenRedactor | None = None


def install_log_redaction(token: str, *extra: str, private: bool | None = None) -> TokenRedactor:
    """Guard every current root handler and the loggers that print request URLs (one filter, growing secrets)."""
    global _REDACTOR
    if _REDACTOR is None:
        _REDACTOR = TokenRedactor(token, *extra, private=bool(private))
    else:
        _REDACTOR.add(token, *extra)
        if private is not None:
            _REDACTOR.private = private
    redactor = _REDACTOR
    targets: list[logging.Filterer] = [*logging.getLogger().handlers]
    targets += [logging.getLogger(name) for name in ("httpx", "httpcore", "telegram", "telegram.ext", __name__)]
    for target in targets:
        if redactor not in target.filters:
            target.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters (updates, queries) at DEBUG.
    logging.getLogger("aiosqlite").setLevel(logging.DEBUG if redactor.private else logging.INFO)
    return redactor


def deliverable(markup: str) -> str:
    """A last guard on what the engine produced: never empty, never over Telegram's limit."""
    return _deliverable(markup, i18n.current())


@functools.lru_cache(maxsize=2048)  # the same answer goes out again and again (and the check reads all of it)
def _deliverable(markup: str, lang: str) -> str:
    text = plain_text(markup)
    if not text.strip():
        return say("empty_message", lang)
    if len(text) <= TEXT_LIMIT:
        return markup
    return esc(text[: TEXT_LIMIT - 96].rstrip()) + "…"


def command_text(text: str) -> str:
    """'/actor@BriefBot aliev' -> '/actor aliev': the core does not need to know the bot's name."""
    m = COMMAND_RE.match(text)
    if m and m.group(2):
        return text[: m.start(2)] + text[m.end(2):]
    return text


def query_part(text: str) -> str:
    """What the user asked, without the command, for the query log (gaps are grouped on it)."""
    m = COMMAND_RE.match(text)
    return text[m.end():].strip() if m else text.strip()


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------------ the bot


class BriefBot:
    """Handlers and the state they share (flood buckets, settings and admin caches)."""

    def __init__(self, config: Config, engine: AnswerEngine, storage: StoragePort | None) -> None:
        self.config = config
        self.engine = engine
        self.storage = storage
        self._owns_storage = False
        self.flood = FloodControl(config.flood_burst, config.flood_refill_seconds)
        self.flood_edits = FloodControl(config.flood_edit_burst, config.flood_edit_refill_seconds)
        self._settings: OrderedDict[int, dict[str, str]] = OrderedDict()
        self._admin_cache: dict[tuple[int, int], tuple[bool, float]] = {}
        self._last_prune = time.monotonic()
        self.failed: set[int] = set()  # updates whose reply was not delivered: they stay unfinished
        self._workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="answer")
        self._replies = EngineCache(REPLY_CACHE)
        self._inline_answers = EngineCache(INLINE_ANSWER_CACHE)
        self._keyboards = EngineCache(REPLY_CACHE)  # (reply, its buttons as JSON) by reply, language, chat kind
        self.intake: Intake | None = None
        self._throttled = Throttled(log)
        self._reload_lock = asyncio.Lock()
        self._shut_down = False
        self.readers = ReaderTools(self)  # timeline pictures, /export, /stats, error notices to admins

    def storage_trouble(self, what: str, exc: BaseException) -> None:
        """A failed write costs the chat nothing; the operator hears of it at most once a minute."""
        from bot.storage import describe_fault

        path = getattr(self.storage, "path", self.config.db_target)
        self._throttled("storage", logging.WARNING, "storage: could not write the %s: %s; answering anyway",
                        what, describe_fault(path, exc))

    # -- corpus reloads (SIGHUP, /reload) -------------------------------------------------------

    async def reload(self, *, announce: bool = True) -> tuple[bool, int]:
        """Load the corpus again and swap it in whole; a broken one is refused (every problem logged with
        file:line) and the last good one keeps answering. Returns (reloaded, entries or problems).
        Replicas sharing PostgreSQL then reload too (`announce`; off when this reload came from one)."""
        from bot.core import Engine
        from bot.corpus import CorpusError

        async with self._reload_lock:
            loop = asyncio.get_running_loop()
            try:
                engine = await loop.run_in_executor(None, Engine.load, Path(self.config.briefs_dir),
                                                    Path(self.config.seeds_dir))
            except CorpusError as exc:
                log.error("corpus reload refused: %d problem(s); still answering from the last good corpus",
                          len(exc.problems))
                for problem in exc.problems:
                    log.error("corpus problem: %s", problem)
                return False, len(exc.problems)
            except Exception as exc:
                log.error("corpus reload failed (%s: %s); still answering from the last good corpus",
                          type(exc).__name__, _short(str(exc)))
                return False, 1
            if hasattr(self.engine, "bot_username"):
                engine.bot_username = self.engine.bot_username  # type: ignore[attr-defined]
            self.engine = engine
            entries = len(engine.index)
            log.info("corpus reloaded: %d entries", entries)
        if announce and hasattr(self.storage, "announce_reload"):
            try:
                await self.storage.announce_reload()  # type: ignore[union-attr]
            except Exception as exc:
                self.storage_trouble("reload announcement", exc)
        return True, entries

    def schedule_reload(self, *, announce: bool = True) -> None:
        # From another replica (announce=False): reload here only, without announcing it back.
        work = self.readers.reload_and_tell() if announce else self.reload(announce=False)
        task = asyncio.get_running_loop().create_task(work)
        self._background = task  # keep a reference until it is done

    async def on_reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        if message.from_user is None or message.from_user.id not in self.config.admins:
            await self._send(context, message, esc(tg("admins_only")), None)
            return
        ok, number = await self.reload()
        text = (f"Corpus reloaded: {number} entries." if ok else
                f"Reload refused: the corpus has {number} problem(s) (listed in the log and by `briefbot check`); "
                "still answering from the last good one.")
        await self._send(context, message, esc(text), None)

    # -- lifecycle -----------------------------------------------------------------------------

    async def post_init(self, app: Application) -> None:
        """Open storage (if we were not given one) and publish the command menus and descriptions."""
        if self.storage is None:
            from bot.storage import Storage

            self.storage = await Storage.open(self.config.db_target, query_log=self.config.query_log,
                                              retention_days=self.config.log_retention_days,
                                              **storage_options(self.config))
            self._owns_storage = True
        if hasattr(self.engine, "bot_username"):
            self.engine.bot_username = app.bot.username  # /help's inline example names this bot
        self.readers.bot_api = app.bot  # for notices to the admins outside an update (a refused SIGHUP reload)
        await self.publish_profile(app)
        mode = "webhook" if self.config.webhook_url else "polling"
        log.info("connected as @%s (%s); answering", app.bot.username, mode)

    async def post_shutdown(self, app: Application) -> None:
        self._shut_down = True
        if self._owns_storage and self.storage is not None:
            await self.storage.close()
            self.storage = None

    async def publish_profile(self, app: Application) -> None:
        """Command menus per chat kind; failures are logged, never fatal (the bot works without menus)."""
        bot = app.bot
        calls: list[tuple[str, Callable[[], Any]]] = []
        # English is the default (every client language without its own list); Russian and Azerbaijani
        # clients get theirs. A user's Telegram language picks the list; /language changes the replies.
        for lang in i18n.LANGS:
            code = None if lang == i18n.DEFAULT else lang
            names = i18n.tree("commands", lang) | i18n.tree("reader_commands", lang)
            private = [BotCommand(name, text) for name, text in names.items()]
            group = [BotCommand(name, text) for name, text in names.items() if name in GROUP_COMMANDS]
            description = tg("description", lang).format(bot=bot.username)
            short_description = tg("short_description", lang)
            calls += [
                (f"private commands ({lang})", lambda c=private, lc=code: bot.set_my_commands(
                    c, scope=BotCommandScopeAllPrivateChats(), language_code=lc)),
                (f"group commands ({lang})", lambda c=group, lc=code: bot.set_my_commands(
                    c, scope=BotCommandScopeAllGroupChats(), language_code=lc)),
                (f"description ({lang})", lambda d=description, lc=code: bot.set_my_description(
                    d, language_code=lc)),
                (f"short description ({lang})", lambda d=short_description, lc=code: bot.set_my_short_description(
                    d, language_code=lc)),
            ]
            for admin in sorted(self.config.admins):
                admin_commands = [*private, BotCommand("gaps", tg("gaps_command", lang)),
                                  BotCommand("stats", plain_text(say("stats.command", lang)))]
                calls.append((f"admin {admin} commands ({lang})",
                              lambda a=admin, c=admin_commands, lc=code: bot.set_my_commands(
                                  c, scope=BotCommandScopeChat(a), language_code=lc)))
        for what, call in calls:
            try:
                await call()
            except TelegramError as exc:
                log.warning("could not set %s: %s", what, exc)

    # -- flood control (handler group -1) -------------------------------------------------------

    def _flood_target(self, update: Update, username: str) -> int | None:
        """The chat an update would make us answer in, or None for updates we ignore anyway."""
        if update.callback_query is not None:
            message = update.callback_query.message
            return message.chat.id if message is not None else update.callback_query.from_user.id
        message = update.message
        if message is None or message.text is None:
            return None
        if message.chat.type == ChatType.PRIVATE:
            return message.chat.id
        m = COMMAND_RE.match(message.text)
        if m is None or m.group(1).lower() not in GROUP_COMMANDS:
            return None
        if m.group(2) and m.group(2)[1:].lower() != (username or "").lower():
            return None  # another bot's command
        return message.chat.id

    @staticmethod
    def _edits_in_place(query: CallbackQuery) -> bool:
        """Paging and settings turn the page in place; so does any tap in a private chat (and inline
        messages can only be edited). In a group, other taps open a new threaded reply."""
        data = query.data or ""
        message = query.message
        return (data.startswith(("/timeline", "/settings")) or not isinstance(message, Message)
                or message.chat.type == ChatType.PRIVATE)

    async def flood_guard(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = self._flood_target(update, context.bot.username)
        if chat_id is None:
            return
        # Edits add no message to the chat, so turning pages has its own, larger budget.
        query = update.callback_query
        bucket = self.flood_edits if query is not None and self._edits_in_place(query) else self.flood
        verdict = bucket.check(chat_id)
        if verdict == "ok":
            return
        if verdict == "notify":
            notice = say("errors.flood", await self.language_for(chat_id, update.effective_user))
            if update.callback_query is not None:
                await update.callback_query.answer(plain_text(notice))
            elif update.message is not None:
                await self._send(context, update.message, notice, None)
        elif update.callback_query is not None:
            await update.callback_query.answer()  # stop the client's spinner, say nothing more
        raise ApplicationHandlerStop

    # -- settings -------------------------------------------------------------------------------

    async def _chat_settings(self, chat_id: int) -> dict[str, str]:
        cached = self._settings.get(chat_id)
        if cached is not None:
            self._settings.move_to_end(chat_id)
            return cached
        settings: dict[str, str] = {}
        if self.storage is not None:
            try:
                settings = await self.storage.get_settings(chat_id)
            except Exception as exc:  # a broken DB must not stop answers: fall back to defaults
                self.storage_trouble("chat settings (reading)", exc)
                return {}
        self._settings[chat_id] = settings
        if len(self._settings) > 10_000:
            self._settings.popitem(last=False)
        return settings

    async def wants_full(self, chat_id: int | None, chat_type: str) -> bool:
        """Full replies in private chats and brief ones in groups, unless the chat chose otherwise."""
        length = (await self._chat_settings(chat_id)).get("length", "auto") if chat_id is not None else "auto"
        if length == "auto":
            return chat_type == ChatType.PRIVATE
        return length == "full"

    async def _may_change_settings(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, chat_type: str,
                                   user_id: int | None, sender_chat_id: int | None) -> bool:
        if chat_type == ChatType.PRIVATE:
            return True
        if sender_chat_id == chat_id:
            return True  # an anonymous group admin speaks as the group itself
        if user_id is None:
            return False
        key = (chat_id, user_id)
        now = time.monotonic()
        cached = self._admin_cache.get(key)
        if cached and cached[1] > now:
            return cached[0]
        try:
            member = await context.bot.get_chat_member(chat_id, user_id)
            allowed = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        except TelegramError as exc:
            log.warning("could not check admin rights: %s", exc)
            return False
        if len(self._admin_cache) > 10_000:
            self._admin_cache.clear()
        self._admin_cache[key] = (allowed, now + ADMIN_CACHE_SECONDS)
        return allowed

    def _settings_view(self, length: str) -> tuple[str, InlineKeyboardMarkup]:
        mode = say(f"settings.modes.{length}")
        text = say("settings.current", mode=plain_text(mode))
        labels = {"brief": say("buttons.brief"), "full": say("buttons.full"), "auto": tg("auto_button")}
        row = [InlineKeyboardButton(("✓ " if value == length else "") + plain_text(labels[value]),
                                    callback_data=f"/settings {value}") for value in LENGTHS]
        return text, InlineKeyboardMarkup([row])

    async def _apply_setting(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, chat_type: str,
                             user_id: int | None, sender_chat_id: int | None, arg: str) -> tuple[str, bool]:
        """Returns (text for the user, whether the setting changed)."""
        if not await self._may_change_settings(context, chat_id, chat_type, user_id, sender_chat_id):
            return say("settings.admins_only"), False
        if self.storage is not None:
            try:
                await self.storage.set_setting(chat_id, "length", arg)
            except ValueError:
                raise
            except Exception as exc:  # kept for this run only; said once a minute in the log
                self.storage_trouble("chat settings", exc)
                self._settings[chat_id] = {**self._settings.get(chat_id, {}), "length": arg}
                return say("settings.changed", mode=plain_text(say(f"settings.modes.{arg}"))), True
        self._settings.pop(chat_id, None)
        return say("settings.changed", mode=plain_text(say(f"settings.modes.{arg}"))), True

    async def on_settings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        with i18n.speaking(await self.language_for(message.chat.id, message.from_user)):
            await self._on_settings(message, context)

    async def _on_settings(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = message.chat
        arg = " ".join(context.args or []).strip().lower()
        length = (await self._chat_settings(chat.id)).get("length", "auto")
        if arg in LENGTHS:
            user_id = message.from_user.id if message.from_user else None
            sender = message.sender_chat.id if message.sender_chat else None
            notice, changed = await self._apply_setting(context, chat.id, chat.type, user_id, sender, arg)
            if not changed:
                await self._send(context, message, notice, None)
                return
            length = arg
            text, markup = self._settings_view(length)
            await self._send(context, message, f"{notice}\n{text}", markup)
            return
        text, markup = self._settings_view(length)
        await self._send(context, message, text, markup)

    async def _settings_callback(self, query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, arg: str) -> None:
        message = query.message
        if message is None or arg not in LENGTHS:
            await query.answer()
            return
        chat = message.chat
        notice, changed = await self._apply_setting(context, chat.id, chat.type, query.from_user.id, None, arg)
        await query.answer(plain_text(notice), show_alert=not changed)
        if changed:
            text, markup = self._settings_view(arg)
            await self._edit(context, query, text, markup)

    # -- language -------------------------------------------------------------------------------

    async def language_for(self, chat_id: int | None, user: Any, text: str | None = None) -> str:
        """The language a reply speaks: the chat's /language choice; else the language the message is
        written in, when it says (a greeting, a question, words in Russian or Azerbaijani: a Baku user's
        Telegram is often in Russian or English, as Telegram has no Azerbaijani interface); else the
        user's Telegram language; else English. Names alone do not count ("/actor Алиев" is a name)."""
        chosen = (await self._chat_settings(chat_id)).get("language", "auto") if chat_id is not None else "auto"
        if chosen in i18n.LANGS:
            return chosen
        if text and (written := _written_in(text)):
            return written
        return i18n.normalize(getattr(user, "language_code", None)) or i18n.DEFAULT

    def _language_view(self, chosen: str) -> tuple[str, InlineKeyboardMarkup]:
        name = say("language.auto") if chosen == "auto" else esc(i18n.NAMES[chosen])
        text = say("language.current", name=plain_text(name))
        labels = {"auto": plain_text(say("language.auto_button")), **i18n.NAMES}
        row = [InlineKeyboardButton(("✓ " if value == chosen else "") + labels[value],
                                    callback_data=f"/language {value}") for value in LANGUAGE_CHOICES]
        return text, InlineKeyboardMarkup([row])

    async def _apply_language(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, chat_type: str,
                              user_id: int | None, sender_chat_id: int | None, value: str,
                              user: Any) -> tuple[str, bool, str]:
        """Returns (text for the user, whether the setting changed, the language to say it in)."""
        if not await self._may_change_settings(context, chat_id, chat_type, user_id, sender_chat_id):
            return say("language.admins_only"), False, i18n.current()
        stored = True
        if self.storage is not None:
            try:
                await self.storage.set_setting(chat_id, "language", value)
            except ValueError:
                raise
            except Exception as exc:  # kept for this run only; said once a minute in the log
                self.storage_trouble("chat settings", exc)
                self._settings[chat_id] = {**self._settings.get(chat_id, {}), "language": value}
                stored = False
        if stored:
            self._settings.pop(chat_id, None)
        lang = value if value in i18n.LANGS else await self.language_for(chat_id, user)
        notice = say("language.changed", lang) if value in i18n.LANGS else say("language.changed_auto", lang)
        return notice, True, lang

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language [auto|en|ru|az]: the chat's reply language (private users; group admins)."""
        message = update.message
        assert message is not None
        chat = message.chat
        arg = " ".join(context.args or []).strip().lower()
        value = "auto" if arg == "auto" else i18n.normalize(arg) or i18n.from_name(arg)
        lang = await self.language_for(chat.id, message.from_user)
        if value is not None:
            user_id = message.from_user.id if message.from_user else None
            sender = message.sender_chat.id if message.sender_chat else None
            with i18n.speaking(lang):
                notice, changed, lang = await self._apply_language(context, chat.id, chat.type, user_id, sender,
                                                                   value, message.from_user)
            if not changed:
                await self._send(context, message, notice, None)
                return
            with i18n.speaking(lang):
                text, markup = self._language_view(value)
                await self._send(context, message, f"{notice}\n{text}", markup)
            return
        chosen = (await self._chat_settings(chat.id)).get("language", "auto")
        with i18n.speaking(lang):
            text, markup = self._language_view(chosen)
            await self._send(context, message, text, markup)

    async def _language_callback(self, query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, arg: str) -> None:
        message = query.message
        if message is None or arg not in LANGUAGE_CHOICES:
            await query.answer()
            return
        chat = message.chat
        with i18n.speaking(await self.language_for(chat.id, query.from_user)):
            notice, changed, lang = await self._apply_language(context, chat.id, chat.type, query.from_user.id,
                                                               None, arg, query.from_user)
            await query.answer(plain_text(notice), show_alert=not changed)
        if changed:
            with i18n.speaking(lang):
                text, markup = self._language_view(arg)
                await self._edit(context, query, text, markup)

    # -- answers --------------------------------------------------------------------------------

    def _markup(self, reply: Any, username: str | None) -> InlineKeyboardMarkup | None:
        """The core's follow-up buttons (data is itself a message) plus a deep link that reopens the answer."""
        rows: list[list[InlineKeyboardButton]] = []
        for row in getattr(reply, "buttons", ()) or ():
            buttons = [InlineKeyboardButton(b.text, callback_data=b.data) for b in row
                       if b.text.strip() and 0 < len(b.data.encode()) <= CALLBACK_LIMIT]
            rows.extend(buttons[i:i + 8] for i in range(0, len(buttons), 8))
        payload = getattr(reply, "share_payload", None)
        if payload and username and PAYLOAD_RE.match(payload):
            rows.append([InlineKeyboardButton(plain_text(say("buttons.share")),
                                              url=f"https://t.me/{username}?start={payload}")])
        kept, total = [], 0
        for row in rows:
            if total + len(row) > 100:
                break
            kept.append(row)
            total += len(row)
        return InlineKeyboardMarkup(kept) if kept else None

    def _keyboard(self, reply: Any, username: str | None, chat_type: str) -> dict[str, Any] | None:
        """The buttons under an answer, as the JSON Telegram gets, made once per answer, language and kind of
        chat (building and serialising the button objects was a tenth of a cached answer's time)."""
        key = (id(reply), i18n.current(), chat_type == ChatType.PRIVATE, username)
        kept = self._keyboards.get(self.engine, key)
        if kept is not None and kept[0] is reply:  # the very reply (an id is only unique while it lives)
            return kept[1]
        markup = with_picture_button(self._markup(reply, username), reply, chat_type)
        keyboard = markup.to_dict() if markup is not None else None
        self._keyboards.put(self.engine, key, (reply, keyboard))
        return keyboard

    async def _send(self, context: ContextTypes.DEFAULT_TYPE, asked: Message, markup_text: str,
                    keyboard: InlineKeyboardMarkup | dict[str, Any] | None) -> None:
        """Reply in the asking chat; threaded under the question outside private chats."""
        data: dict[str, Any] = {"chat_id": asked.chat.id, "text": deliverable(markup_text)}
        if keyboard is not None:
            data["reply_markup"] = keyboard
        if asked.chat.type != ChatType.PRIVATE:
            data["reply_parameters"] = {"message_id": asked.message_id, "allow_sending_without_reply": True}
        if asked.is_topic_message and asked.message_thread_id is not None:
            data["message_thread_id"] = asked.message_thread_id  # stay in the forum topic
        try:
            await self._post_reply(context, "sendMessage", data)
        except BadRequest as exc:
            if "parse entities" not in str(exc).lower():
                raise
            log.error("Telegram could not parse a reply's HTML (%s); sending it as plain text", exc)
            data["text"] = plain_text(data["text"])[:TEXT_LIMIT]
            await self._post_reply(context, "sendMessage", data, html=False)

    @staticmethod
    async def _post_reply(context: ContextTypes.DEFAULT_TYPE, method: str, data: dict[str, Any], *,
                          html: bool = True) -> None:
        """A sendMessage or editMessageText whose answer nobody reads, as `Bot.send_message` would send it (HTML,
        no link preview: the application's defaults), but without turning Telegram's answer into a Message:
        that was a tenth of the bot's time per reply. It goes through the same `_post` (the outbox and the
        rate limiter see it as before), and errors are raised the same way."""
        data = {**data, "link_preview_options": NO_PREVIEW}
        if html:
            data["parse_mode"] = ParseMode.HTML.value
        await context.bot._post(method, data)

    async def _edit(self, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, markup_text: str,
                    keyboard: InlineKeyboardMarkup | dict[str, Any] | None) -> None:
        text = deliverable(markup_text)
        message = query.message
        try:
            if query.inline_message_id:
                target: dict[str, Any] = {"inline_message_id": query.inline_message_id}
            elif isinstance(message, Message):
                target = {"chat_id": message.chat.id, "message_id": message.message_id}
            else:  # too old to be shown to the bot: PTB says why
                await query.edit_message_text(text, reply_markup=keyboard)  # type: ignore[arg-type]
                return
            await self._post_reply(context, "editMessageText",
                                   {**target, "text": text, **({"reply_markup": keyboard} if keyboard else {})})
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return  # the same answer tapped twice: nothing to do
            if message is None or not ("not found" in reason or "can't be edited" in reason):
                raise
            # The message is gone or too old to edit: answer with a new one instead.
            data: dict[str, Any] = {"chat_id": message.chat.id, "text": text}
            if keyboard is not None:
                data["reply_markup"] = keyboard
            await self._post_reply(context, "sendMessage", data)

    async def _log(self, chat_type: str, reply: Any, asked: str, started: float) -> None:
        """Anonymous: what was asked and how well it matched, never who asked."""
        if self.storage is None:
            return
        try:
            await self.storage.log_query(
                chat_type=str(chat_type), command=str(getattr(reply, "command", "")), query=query_part(asked),
                matched=bool(getattr(reply, "matched", False)), best_score=float(getattr(reply, "best_score", 0.0)),
                latency_ms=(time.perf_counter() - started) * 1000.0,
            )
            if time.monotonic() - self._last_prune > 6 * 3600 and hasattr(self.storage, "prune"):
                self._last_prune = time.monotonic()
                await self.storage.prune()
        except Exception as exc:  # the log is for curators; a failure must not cost the user the answer
            self.storage_trouble("query log", exc)

    async def _answer(self, text: str, full: bool) -> Any:  # a bot.core Reply
        """The core's answer, computed in a worker thread: the event loop never waits on the model
        (a query embedding is ~20 ms of C code that releases the GIL), so updates keep flowing.
        It speaks the language of the handler's context (a worker thread does not inherit it)."""
        engine = self.engine  # the engine as it is now: a reload swaps the attribute, not this answer's
        lang = i18n.current()
        key = (text, full, lang)
        reply = self._replies.get(engine, key)
        if reply is None:
            reply = await asyncio.get_running_loop().run_in_executor(
                self._workers, lambda: i18n.in_lang(lang, lambda: engine.answer(text, full=full)))
            self._replies.put(engine, key, reply)
        return reply

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Commands (any chat) and plain text (private chats): the core answers; we deliver."""
        message = update.message
        if message is None or message.text is None:
            return
        started = time.perf_counter()
        asked = clean(command_text(message.text))
        full = await self.wants_full(message.chat.id, message.chat.type)
        with i18n.speaking(await self.language_for(message.chat.id, message.from_user, asked)):
            reply = await self._answer(asked, full)
            keyboard = self._keyboard(reply, context.bot.username, message.chat.type)
            await self._send(context, message, reply.html, keyboard)
        await self._log(message.chat.type, reply, asked, started)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button's data is a message for the core, so buttons survive restarts and index reloads."""
        query = update.callback_query
        assert query is not None
        data = clean(query.data or "")
        if data.startswith("/settings"):
            await self._settings_callback(query, context, data.partition(" ")[2].strip().lower())
            return
        if data.startswith("/picture"):
            await self.readers.on_picture_tap(update, context, data)
            return
        if data.startswith("/language"):
            await self._language_callback(query, context, data.partition(" ")[2].strip().lower())
            return
        started = time.perf_counter()
        message = query.message
        chat_type = message.chat.type if message is not None else "inline"
        chat_id = message.chat.id if message is not None else None
        full = await self.wants_full(chat_id, chat_type)
        # The tap is answered in the language of whoever taps (the data itself is language-free: a
        # button made in one language works in any).
        lang = await self.language_for(chat_id if chat_id is not None else query.from_user.id, query.from_user)
        with i18n.speaking(lang):
            reply = await self._answer(data, full)
            keyboard = self._keyboard(reply, context.bot.username, chat_type)
            if self._edits_in_place(query):
                await self._edit(context, query, reply.html, keyboard)
            else:
                # In a group, anything else opens as a new threaded reply, so the answer the others
                # are reading stays where it was.
                await self._send(context, message, reply.html, keyboard)
        # Answered last: if anything above fails, the error handler can still answer with an apology.
        await query.answer()
        await self._log(chat_type, reply, data, started)

    async def on_gaps(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        if message.from_user is None or message.from_user.id not in self.config.admins:
            lang = await self.language_for(message.chat.id, message.from_user)
            await self._send(context, message, esc(tg("admins_only", lang)), None)
            return
        from bot.gaps import gaps_report

        report = await gaps_report(self.storage, self.engine, limit=20)  # type: ignore[arg-type]
        await self._send(context, message, report, None)

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        assert query is not None
        engine = self.engine
        # The asking user's language: their private chat's /language choice, else their Telegram's.
        lang = await self.language_for(query.from_user.id, query.from_user)
        with i18n.speaking(lang):
            await self._inline(query, context, engine, lang)

    async def _inline(self, query: Any, context: ContextTypes.DEFAULT_TYPE, engine: Any, lang: str) -> None:
        username = context.bot.username
        text = clean(query.query)
        key = (text, lang, username)
        payload = self._inline_answers.get(engine, key)
        if payload is None:
            items = await asyncio.get_running_loop().run_in_executor(
                self._workers, lambda: i18n.in_lang(lang, lambda: engine.inline(text, limit=INLINE_RESULTS)))
            payload = self._inline_payload(items, username)
            self._inline_answers.put(engine, key, payload)
        # The results as PTB would send them (InlineQuery.answer), serialised once per query and language:
        # building 20 result objects and turning them into dicts was a third of an inline answer's time.
        await context.bot._post("answerInlineQuery", {"inline_query_id": query.id, **payload})

    def _inline_payload(self, items: list[Any], username: str | None) -> dict[str, Any]:
        results, seen = [], set()
        for item in items:
            if not item.id or len(item.id.encode()) > CALLBACK_LIMIT or item.id in seen or not item.title.strip():
                continue
            seen.add(item.id)
            keyboard = None
            if username and PAYLOAD_RE.match(item.id):
                keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
                    tg("open_in_bot"), url=f"https://t.me/{username}?start={item.id}")]])
            results.append(InlineQueryResultArticle(
                id=item.id, title=_short(item.title.strip(), 120), description=_short(item.description or "", 200),
                input_message_content=InputTextMessageContent(
                    deliverable(item.html), parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True)),
                reply_markup=keyboard,
            ))
            if len(results) == 50:
                break
        payload: dict[str, Any] = {"results": [result.to_dict() for result in results],
                                   # Personal: Telegram would otherwise serve one user's cached results,
                                   # in their language, to another.
                                   "cache_time": INLINE_CACHE_SECONDS, "is_personal": True}
        if not results:
            payload["button"] = InlineQueryResultsButton(text=tg("inline_nothing"), start_parameter="help").to_dict()
        return payload

    async def on_chosen_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Only seen when inline feedback is on in @BotFather: counts what people actually posted."""
        chosen = update.chosen_inline_result
        assert chosen is not None
        if self.storage is not None:
            try:
                await self.storage.log_query(chat_type="inline", command="inline", query=clean(chosen.query),
                                             matched=True, best_score=100.0, latency_ms=0.0)
            except Exception as exc:
                self.storage_trouble("query log", exc)

    # -- errors ---------------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log enough to debug (update id, error type, where in our code; no stack, no user text unless
        BRIEFBOT_LOG_PRIVATE=1), apologise, go on. Undelivered replies leave their update unfinished."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        if error is None:
            return
        if isinstance(error, InvalidToken):
            if update_id is not None:
                self.failed.add(update_id)
            if self.intake is not None:
                self.intake.fail(2, TOKEN_REJECTED)
            return
        if isinstance(error, TimedOut | RetryAfter) or type(error) is NetworkError:
            await self._undelivered(update_id, error)
            return
        if isinstance(error, Forbidden):
            log.info("update %s: not allowed to write there (blocked or removed): %s", update_id,
                     _short(str(error)))
            return
        detail = f": {_short(str(error))}" if self.config.log_private or isinstance(error, TelegramError) else ""
        log.error("update %s failed: %s%s (at %s)", update_id, type(error).__name__, detail, _where(error))
        self.readers.alert_admins(context.bot, error)
        if not isinstance(update, Update):
            return
        chat = update.effective_chat
        sorry = say("errors.generic", await self.language_for(chat.id if chat else None, update.effective_user))
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(plain_text(sorry))
            elif update.message is not None and update.effective_chat is not None:
                await self._send(context, update.message, sorry, None)
        except TelegramError as exc:
            await self._undelivered(update_id, exc)

    async def _undelivered(self, update_id: int | None, error: BaseException) -> None:
        """Every retry failed: say so with the update id, count it, leave the update unfinished."""
        if update_id is not None:
            self.failed.add(update_id)
        log.error("update %s: reply not delivered, network trouble talking to Telegram after %d retries (%s: %s); "
                  "it stays unanswered in the inbox", update_id, self.config.send_retries, type(error).__name__,
                  _short(str(error), 120))
        if self.storage is not None:
            try:
                await self.storage.count("send_failures")  # type: ignore[attr-defined]
            except Exception as exc:
                self.storage_trouble("counters", exc)


# ------------------------------------------------------------------------------ assembly



def build_application(config: Config, engine: AnswerEngine, storage: StoragePort | None = None, *,
                      rate_limited: bool = True, requests: tuple[BaseRequest, BaseRequest] | None = None
                      ) -> Application:
    """The whole bot as a PTB Application. With `storage=None` it opens (and closes) config.db_path itself.

    Start it with `start_app` and stop it with `stop_app` (what `run` does, minus signals).
    `rate_limited=False` drops the outgoing limiter and `requests` (for sends, for getUpdates) replaces
    the HTTP client: only for measuring the handler stack itself (benchmarks/bench_stack.py).
    """
    install_log_redaction(config.token, *([config.webhook_secret] if config.webhook_secret else []),
                          private=config.log_private)
    bot = BriefBot(config, engine, storage)
    heartbeat = Heartbeat(config.heartbeat_path)
    timeouts = {f"{kind}_timeout": config.request_timeout for kind in ("connect", "read", "write", "pool")}
    builder = (
        Application.builder()
        .token(config.token)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        # A chat waiting on its group limit must not hold up the others; the intake feeds at most this many.
        .concurrent_updates(InboxProcessor(16))
        .request(requests[0] if requests else RetryingRequest(retries=config.send_retries, heartbeat=heartbeat,
                                                               **timeouts))
        .get_updates_request(requests[1] if requests else RetryingRequest(retries=0, heartbeat=heartbeat, **timeouts))
        .updater(None)  # bot.intake polls and serves the webhook, storing each update before confirming it
        .post_init(bot.post_init)
        .post_shutdown(bot.post_shutdown)
    )
    # Telegram's 30/s and 20/min per group, shared by all replicas on PostgreSQL (bot.limits), inside the
    # outbox that keeps an update answered again from sending twice what it already sent (bot.intake).
    limiter = rate_limiter_for(config) if rate_limited else None
    builder = builder.rate_limiter(SendLog(limiter, storage=lambda: bot.storage, on_trouble=bot.storage_trouble))
    if config.base_url:
        builder = builder.base_url(config.base_url).base_file_url(config.base_file_url)
    app = builder.build()
    app.bot_data["briefbot"] = bot
    app.bot_data["heartbeat"] = heartbeat
    message_only = filters.UpdateType.MESSAGE
    app.add_handler(TypeHandler(Update, bot.flood_guard), group=-1)
    app.add_handler(CommandHandler(list(ANSWER_COMMANDS), bot.on_message, filters=message_only))
    app.add_handler(CommandHandler("settings", bot.on_settings, filters=message_only))
    app.add_handler(CommandHandler("language", bot.on_language, filters=message_only))
    app.add_handler(CommandHandler("gaps", bot.on_gaps, filters=message_only & filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("reload", bot.on_reload, filters=message_only & filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("picture", bot.readers.on_picture, filters=message_only))
    app.add_handler(CommandHandler("export", bot.readers.on_export, filters=message_only & filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("stats", bot.readers.on_stats, filters=message_only & filters.ChatType.PRIVATE))
    # Private chats: unknown commands get the command list (from the core), plain text is a search.
    app.add_handler(MessageHandler(message_only & filters.ChatType.PRIVATE & filters.TEXT, bot.on_message))
    app.add_handler(InlineQueryHandler(bot.on_inline))
    app.add_handler(ChosenInlineResultHandler(bot.on_chosen_inline))
    app.add_handler(CallbackQueryHandler(bot.on_callback))
    app.add_error_handler(bot.on_error)
    return app


def briefbot_of(app: Application) -> BriefBot:
    return app.bot_data["briefbot"]


def intake_of(app: Application) -> Intake:
    return app.bot_data["intake"]


async def start_app(app: Application, *, webhook: dict[str, Any] | None = None, poll_timeout: float = 30.0) -> None:
    """Connect (getMe), open storage, publish menus, answer what an earlier run left unfinished, then poll
    (or serve `webhook`, from `webhook_settings`). On failure everything started is stopped again."""
    bot = briefbot_of(app)
    if webhook is not None:
        install_log_redaction(bot.config.token, webhook["secret_token"])
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        intake = Intake(app, bot.config, storage=lambda: bot.storage, failed=bot.failed,  # type: ignore[arg-type]
                        on_storage_trouble=bot.storage_trouble, allowed_updates=ALLOWED_UPDATES)
        bot.intake = intake
        app.bot_data["intake"] = intake
        await intake.start(webhook=webhook, poll_timeout=poll_timeout)
        if hasattr(bot.storage, "listen_reloads"):  # replicas: a reload anywhere reloads here
            bot.storage.listen_reloads(lambda: bot.schedule_reload(announce=False))
        await app.start()
    except BaseException:
        await stop_app(app, drain_seconds=0.0)
        raise


async def stop_app(app: Application, *, drain_seconds: float | None = None) -> None:
    """Stop taking updates, let replies in flight finish for up to `drain_seconds` (default: the config's),
    then shut down; what is left stays unfinished in the inbox. Safe to call twice."""
    bot = briefbot_of(app)
    intake: Intake | None = app.bot_data.pop("intake", None)
    if intake is not None:
        await intake.stop(bot.config.drain_seconds if drain_seconds is None else drain_seconds)
    if app.running:
        await app.stop()
    if not bot._shut_down:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
    app.bot_data["heartbeat"].clear()


def webhook_settings(config: Config, secret: str | None = None) -> dict[str, Any]:
    """Where the webhook listens and what it registers; a secret is generated when none is configured."""
    return {
        "listen": config.webhook_listen,
        "port": config.webhook_port,
        "url_path": config.webhook_path,
        "webhook_url": config.webhook_url,
        "secret_token": config.webhook_secret or secret or secrets.token_urlsafe(32),
        "allowed_updates": ALLOWED_UPDATES,
        "register": config.registers_webhook,
    }


def storage_options(config: Config) -> dict[str, Any]:
    """PostgreSQL's own options (SQLite has none)."""
    if config.db_url is None:
        return {}
    return {"claim_seconds": config.claim_seconds, "pool_size": config.db_pool_size}


def configure_logging(config: Config) -> None:
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction(config.token, private=config.log_private)
    logging.getLogger("telegram.ext").addFilter(_QuietStartup())


async def open_storage(config: Config) -> Any:
    """The database, or after one clear line about what is wrong with it: an in-memory stand-in
    (BRIEFBOT_DB_DEGRADED_OK=1) or None (the caller exits 2)."""
    from bot.storage import Storage, describe_fault

    try:
        return await Storage.open(config.db_target, query_log=config.query_log,
                                  retention_days=config.log_retention_days, **storage_options(config))
    except Exception as exc:
        problem = describe_fault(config.db_target, exc)
    if not config.db_degraded_ok:
        print(f"briefbot: database: {problem}. (BRIEFBOT_DB_DEGRADED_OK=1 answers without it.)", file=sys.stderr)
        return None
    log.error("database: %s. Answering without it (BRIEFBOT_DB_DEGRADED_OK=1): default settings, no query log, "
              "updates not kept across a restart", problem)
    return await Storage.open_in_memory(query_log=False, retention_days=config.log_retention_days)


def run(config: Config | None = None, *, engine: AnswerEngine | None = None,
        stop_signals: Sequence[int] | None = None) -> int:
    """`briefbot run`: 0 after a clean stop; 1 for an invalid corpus or when Telegram cannot be reached
    at start-up (after a few retries); 2 for a missing, malformed or rejected token (also when it is
    revoked while running) and for an unusable database (unless BRIEFBOT_DB_DEGRADED_OK=1)."""
    if config is None:
        try:
            config = Config.from_env()
        except ConfigError as exc:
            print(f"briefbot: {exc}", file=sys.stderr)
            return 2
    configure_logging(config)
    if engine is None:
        from bot.core import Engine
        from bot.corpus import CorpusError

        try:
            engine = Engine.load(Path(config.briefs_dir), Path(config.seeds_dir))
        except CorpusError as exc:
            for problem in exc.problems:  # the same list `briefbot check` prints
                print(problem, file=sys.stderr)
            print(f"briefbot: the corpus has {len(exc.problems)} problem(s); the bot will not start on it "
                  "(`briefbot check` lists them too).", file=sys.stderr)
            return 1
    try:
        return asyncio.run(_serve(config, engine, stop_signals))
    except KeyboardInterrupt:
        return 130


async def _serve(config: Config, engine: AnswerEngine, stop_signals: Sequence[int] | None) -> int:
    storage = await open_storage(config)
    if storage is None:
        return 2
    app = build_application(config, engine, storage)
    bot = briefbot_of(app)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    handled = list(stop_signals if stop_signals is not None else (signal.SIGINT, signal.SIGTERM))
    for sig in handled:
        loop.add_signal_handler(sig, stopping.set)
    loop.add_signal_handler(signal.SIGHUP, bot.schedule_reload)
    code = 0
    try:
        try:
            await start_app(app, webhook=webhook_settings(config) if config.webhook_url else None)
        except InvalidToken:
            print("briefbot: Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN (from @BotFather).",
                  file=sys.stderr)
            return 2
        except PollingRefused as exc:
            print(f"briefbot: {exc}", file=sys.stderr)
            return 2
        except TelegramError as exc:  # unreachable API, a refused webhook URL, ...
            print(f"briefbot: could not start: {type(exc).__name__}: {_short(str(exc))}", file=sys.stderr)
            return 1
        intake = intake_of(app)
        waiting = asyncio.ensure_future(stopping.wait())
        await asyncio.wait({waiting, intake.fatal}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        code = intake.fatal.result() if intake.fatal.done() else 0
        drain = config.drain_seconds if code == 0 else 0.5  # with a dead token nothing more can be sent
        log.info("stopping: up to %.0f s for replies in flight", drain)
        try:
            await asyncio.wait_for(stop_app(app, drain_seconds=drain), drain + 5.0)
        except TimeoutError:
            log.warning("shutdown took longer than %.0f s; exiting anyway (unfinished updates stay in the inbox)",
                        drain + 5.0)
    finally:
        for sig in [*handled, signal.SIGHUP]:
            loop.remove_signal_handler(sig)
        await storage.close()
    return code
