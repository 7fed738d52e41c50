"""Telegram handlers for readers' and operators' tools, beside the answer handlers in bot.telegram_app:
the timeline picture (`/picture`, and the Picture button under timelines in private chats), `/export`
(the index as files), the admins' `/stats`, and error notices to the admins' private chats.

Pictures and exports are computed in a thread of their own, never on the event loop and never in the
answer threads (a 30-event picture takes about a second; answers must not queue behind it; and matplotlib
is only ever used from that one thread). Pictures are cached by query and index version, so a reload (a
new version) draws afresh and nothing stale is sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import i18n
from bot.render import esc, plain_text, say
from bot.views.base import MAX_CALLBACK

if TYPE_CHECKING:
    from bot.telegram_app import BriefBot

log = logging.getLogger(__name__)

PICTURE_CACHE = 32  # pictures kept (about 0.5 MB each)
ALERT_INTERVAL = 300.0  # seconds between two error notices to the admins; the ones between are counted
STATS_DAYS = 30


def _topic(query: str) -> str:
    from bot.picture import topic_of

    return topic_of(query)


def picture_data(reply: Any) -> str | None:
    """The Picture button's data for a timeline reply ('/picture Karabakh'), if it fits Telegram's 64 bytes."""
    if getattr(reply, "command", "") != "timeline" or not getattr(reply, "matched", False):
        return None
    if not getattr(reply, "events", ()):
        return None
    data = f"/picture {_topic(reply.query)}".strip()
    return data if len(data.encode()) <= MAX_CALLBACK else None


def with_picture_button(keyboard: InlineKeyboardMarkup | None, reply: Any, chat_type: str
                        ) -> InlineKeyboardMarkup | None:
    """Private chats get a Picture button under every timeline (groups ask with /picture)."""
    data = picture_data(reply) if chat_type == ChatType.PRIVATE else None
    if data is None:
        return keyboard
    rows = [list(row) for row in keyboard.inline_keyboard] if keyboard else []
    button = InlineKeyboardButton(plain_text(say("picture.button")), callback_data=data)
    share = 1 if rows and all(b.url for b in rows[-1]) else 0
    rows.insert(len(rows) - share, [button])  # after the core's buttons, above Share
    return InlineKeyboardMarkup(rows)


class ReaderTools:
    """State for the tools: the picture cache and the admins' error-notice budget."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self._pictures: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._last_alert: float | None = None
        self._suppressed = 0
        self._alerts: set[asyncio.Task[None]] = set()
        self.bot_api: Any = None  # set once connected
        self._drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="picture")

    # -- the timeline picture -------------------------------------------------------------------

    def _version(self, engine: Any) -> str:
        prov = getattr(engine, "provenance", None)
        return prov.version if prov is not None else f"engine-{id(engine)}"

    async def picture(self, query: str) -> Any:
        """The Picture for `/timeline <query>` (None if it has no events), from the cache or a worker thread."""
        from bot.normalize import key
        from bot.picture import timeline_picture

        engine = self.bot.engine
        lang = i18n.current()  # the picture speaks the asker's language: labels, dates, titles
        cache_key = (self._version(engine), key(_topic(query)), lang)
        if cache_key in self._pictures:
            self._pictures.move_to_end(cache_key)
            return self._pictures[cache_key]
        loop = asyncio.get_running_loop()
        picture = await loop.run_in_executor(self._drawing,
                                             lambda: i18n.in_lang(lang, lambda: timeline_picture(engine, query)))
        self._pictures[cache_key] = picture
        while len(self._pictures) > PICTURE_CACHE:
            self._pictures.popitem(last=False)
        return picture

    async def send_picture(self, context: ContextTypes.DEFAULT_TYPE, chat: Any, query: str,
                           asked: Message | None = None) -> None:
        started = time.perf_counter()
        topic = _topic(query)
        thread, topic_id = None, None
        if asked is not None and chat.type != ChatType.PRIVATE:
            thread = ReplyParameters(message_id=asked.message_id, allow_sending_without_reply=True)
            topic_id = asked.message_thread_id if asked.is_topic_message else None  # stay in the forum topic
        try:
            picture = await self.picture(query)
        except Exception as exc:  # a drawing failure costs the picture, never the bot
            log.error("timeline picture failed: %s (at %s)", type(exc).__name__, _where(exc))
            await context.bot.send_message(chat.id, say("picture.failed"), reply_parameters=thread,
                                           message_thread_id=topic_id)
            return
        if picture is None:
            await context.bot.send_message(chat.id, say("picture.nothing", query=topic), reply_parameters=thread,
                                           message_thread_id=topic_id)
            await self._log(chat.type, topic, False, started)  # a gap for curators, like any unanswered query
            return
        await context.bot.send_photo(chat.id, InputFile(picture.png, filename="timeline.png"),
                                     caption=picture.caption[:1024], parse_mode=None, reply_parameters=thread,
                                     message_thread_id=topic_id)
        await self._log(chat.type, topic, True, started)

    async def _log(self, chat_type: str, topic: str, matched: bool, started: float) -> None:
        storage = self.bot.storage
        if storage is None:
            return
        try:
            await storage.log_query(chat_type=str(chat_type), command="picture", query=topic, matched=matched,
                                    best_score=100.0 if matched else 0.0,
                                    latency_ms=(time.perf_counter() - started) * 1000.0)
        except Exception as exc:
            self.bot.storage_trouble("query log", exc)

    async def on_picture(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/picture [topic] [date]` in any chat: the timeline of that query as a PNG."""
        message = update.message
        if message is None or message.text is None:
            return
        from bot.hygiene import clean
        from bot.telegram_app import command_text

        query = clean(command_text(message.text))  # a bare /picture draws the whole timeline
        with i18n.speaking(await self.bot.language_for(message.chat.id, message.from_user)):
            await self.send_picture(context, message.chat, query, message)

    async def on_picture_tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> None:
        query = update.callback_query
        assert query is not None
        message = query.message
        chat_id = message.chat.id if isinstance(message, Message) else query.from_user.id
        with i18n.speaking(await self.bot.language_for(chat_id, query.from_user)):
            if not isinstance(message, Message):  # an inline message: there is no chat to send the photo to
                await query.answer(plain_text(say("picture.usage"))[:200], show_alert=True)
                return
            await query.answer()
            await self.send_picture(context, message.chat, data)

    # -- /export --------------------------------------------------------------------------------

    async def on_export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The index as three files (TimelineJS3 JSON, schema.org claims, CSV), in a private chat; the
        messages in the user's language, the files as curated (English)."""
        message = update.message
        assert message is not None
        with i18n.speaking(await self.bot.language_for(message.chat.id, message.from_user)):
            await self._export(update, context)

    async def _export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        from bot.export import FILE_NAMES, FORMATS, render

        message = update.message
        assert message is not None  # registered for private chats only (groups ignore it, as /gaps)
        engine = self.bot.engine
        corpus, prov = engine.corpus, getattr(engine, "provenance", None)  # type: ignore[attr-defined]
        loop = asyncio.get_running_loop()
        files = await loop.run_in_executor(self._drawing,
                                           lambda: {f: render(f, corpus, prov).encode() for f in FORMATS})
        version = prov.version if prov is not None else "-"
        curated = prov.curated_text if prov is not None else "-"
        await self.bot._send(context, message, say("exports.done", version=version, curated=curated,
                                                   events=len(corpus.events), claims=len(corpus.claims),
                                                   sources=len(corpus.sources)), None)
        captions = {"timelinejs": "caption_timelinejs", "claims": "caption_claims", "csv": "caption_csv"}
        for fmt in FORMATS:
            await context.bot.send_document(message.chat.id, InputFile(files[fmt], filename=FILE_NAMES[fmt]),
                                            caption=plain_text(say(f"exports.{captions[fmt]}")), parse_mode=None)

    # -- /stats ---------------------------------------------------------------------------------

    async def on_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        from bot.stats import stats_html, usage

        message = update.message
        assert message is not None
        bot = self.bot
        if message.from_user is None or message.from_user.id not in bot.config.admins:
            await bot._send(context, message, esc(say_telegram("admins_only")), None)
            return
        reader = getattr(bot.storage, "query_log_rows", None)
        rows: list[Any] = []
        if reader is not None:
            try:
                rows = await reader(STATS_DAYS)
            except Exception as exc:
                bot.storage_trouble("query log (reading)", exc)
        await bot._send(context, message, stats_html(usage(rows, STATS_DAYS)), None)

    # -- error notices to the admins ------------------------------------------------------------

    def alert_admins(self, bot_api: Any, error: BaseException) -> None:
        """Tell the admins' private chats an error happened: its type and place in our code, no stack trace,
        no user text; at most one notice per ALERT_INTERVAL, counting the ones in between."""
        admins = sorted(self.bot.config.admins)
        if not admins:
            return
        now = time.monotonic()
        if self._last_alert is not None and now - self._last_alert < ALERT_INTERVAL:
            self._suppressed += 1
            return
        self._last_alert = now
        repeats = say("admin_alerts.repeats", n=self._suppressed) if self._suppressed else ""
        self._suppressed = 0
        text = say("admin_alerts.error", what=type(error).__name__, where=_where(error), repeats=repeats)
        task = asyncio.get_running_loop().create_task(self._notify(bot_api, admins, text))
        self._alerts.add(task)
        task.add_done_callback(self._alerts.discard)

    async def reload_and_tell(self) -> tuple[bool, int]:
        """A reload from SIGHUP (a curator's change on the bind mount): when the corpus is refused, the admins
        hear it in their private chats, as an admin's /reload would have told them."""
        ok, number = await self.bot.reload()
        if not ok and self.bot_api is not None and self.bot.config.admins:
            await self._notify(self.bot_api, sorted(self.bot.config.admins),
                               say("admin_alerts.reload_refused", n=number))
        return ok, number

    @staticmethod
    async def _notify(bot_api: Any, admins: list[int], text: str) -> None:
        for admin in admins:
            try:
                await bot_api.send_message(admin, text)
            except Forbidden:
                log.info("admin %s has not started a private chat with the bot: no error notice", admin)
            except TelegramError as exc:
                log.warning("could not send an error notice to an admin: %s", type(exc).__name__)


def say_telegram(key: str) -> str:
    from bot.telegram_app import tg

    return tg(key)


def _where(error: BaseException) -> str:
    from bot.telegram_app import _where as where

    return where(error)
