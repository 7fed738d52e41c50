"""How updates get in and replies get out, so that nothing confirmed to Telegram is lost.

Updates arrive by long polling (our own loop over raw getUpdates) or on the webhook (our own
small tornado server). Either way each update is written to the storage inbox *before* Telegram
hears that we have it: polling moves its offset past an update only after the batch is stored,
the webhook answers 200 only after the update is stored. From there a dispatcher feeds the
handlers a bounded number at a time, and an update is marked done only after its handler has
finished without a delivery failure. A crash therefore leaves unanswered updates in the inbox,
and `Intake.start` answers the young ones again (older ones are marked expired and counted).
Duplicates by update_id are dropped, so Telegram's re-deliveries are answered once.

Replies are recorded too (`SendLog`, the outbox): each message an update sends is marked 'sending'
in the storage as its Bot API call leaves and 'sent', with its message id, once the call returned.
When an unfinished update is answered again (after a crash; on PostgreSQL, by the replica that takes
over a dead one's lease), the handlers run again but a message already marked sent is not sent again:
the recorded receipt is returned instead. What remains is the call in flight: marked 'sending' and never
confirmed (the process died between the request leaving and the mark being written, a round trip to
Telegram and one to the database). Nobody can tell whether Telegram got it, so it is sent again (at
least once rather than at most once: a duplicate is better than a question left unanswered) and
counted as `resent_unconfirmed`.

Also here: the Bot API request class that retries network failures with bounded backoff and
records each successful round trip in the heartbeat file `briefbot health` reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hmac
import json
import logging
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import TelegramObject, Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, BaseRateLimiter, BaseUpdateProcessor
from telegram.request import HTTPXRequest, RequestData

if TYPE_CHECKING:
    from bot.config import Config
    from bot.storage import UpdateInbox

log = logging.getLogger(__name__)

TOKEN_REJECTED = ("Telegram rejected the bot token (401 Unauthorized): it was revoked or replaced in @BotFather; "
                  "set the new TELEGRAM_BOT_TOKEN and restart")
HIGH_WATER = 200  # polling pauses while this many stored updates wait for a handler
TAKEOVER_BATCH = 50  # a dead replica's updates taken over per sweep even when this replica's queue is full
MAX_BACKOFF = 30.0
JSON_HEADERS = {"Content-Type": "application/json"}
POLLING_REFUSED = ("another replica is already polling Telegram with this database (it holds the PostgreSQL "
                   "advisory lock): two pollers on one token take each other's updates. Run several replicas in "
                   "webhook mode (BRIEFBOT_WEBHOOK_URL; see README \"Running several replicas\"), or stop the other")


class PollingRefused(RuntimeError):
    """Polling was asked for while another replica sharing the database polls."""


def short(text: object, limit: int = 200) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Throttled:
    """A log line at most once per `every` seconds per key; repeats in between are counted, then summarised."""

    def __init__(self, logger: logging.Logger, every: float = 60.0, *, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.logger, self.every, self.clock = logger, every, clock
        self._last: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def __call__(self, key: str, level: int, message: str, *args: object) -> bool:
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.every:
            self._quiet[key] = self._quiet.get(key, 0) + 1
            return False
        self._last[key] = now
        quiet = self._quiet.pop(key, 0)
        suffix = f" ({quiet} more like this in the last {self.every:.0f} s)" if quiet else ""
        self.logger.log(level, message + suffix, *args)
        return True


# ------------------------------------------------------------------------------ heartbeat and requests


class Heartbeat:
    """The time of the last successful Bot API round trip, as a file's mtime (written at most once a second)."""

    def __init__(self, path: Path, every: float = 1.0) -> None:
        self.path = path
        self.every = every
        self._last = float("-inf")
        self._broken = False

    def beat(self) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        try:
            self.path.write_text(f"{os.getpid()}\n", encoding="ascii")
        except OSError as exc:
            if not self._broken:
                self._broken = True
                log.warning("cannot record the heartbeat in %s (%s); `briefbot health --bot` will fail",
                            self.path, exc.strerror)

    def clear(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()

    @staticmethod
    def age(path: Path) -> float | None:
        """Seconds since the last round trip recorded in `path`, or None when no bot has recorded one."""
        try:
            return max(0.0, time.time() - path.stat().st_mtime)
        except OSError:
            return None


def json_body(request_data: RequestData | None) -> bytes | None:
    """A Bot API call as one JSON object (UTF-8, no spaces), or None when it uploads files (those go as
    multipart). Telegram takes either; PTB form-encodes, which JSON-dumps each parameter and then
    percent-quotes the result byte by byte in Python: for an inline answer of 20 results that was a
    sixth of the bot's time and 1.3-9 bytes on the wire per character (Cyrillic the most)."""
    if request_data is None:
        return None
    if any(param.input_files for param in request_data._parameters):
        return None
    return json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode()


UNGUARDED_BATCH = 8  # taking the guard off and on (~0.2 ms) costs what it saves on about three updates


@contextlib.contextmanager
def building_updates(count: int) -> Iterator[None]:
    """While `count` updates are turned into PTB objects: without PTB's attribute guard, when it pays.

    PTB's objects refuse attribute changes once built, with a Python-level `__setattr__` that every one of a
    Message's ~170 attributes passes through while it is built (not yet frozen, so the guard only lets it
    through). That was 40% of `Update.de_json`, itself a fifth of the bot's time per update. Within this
    block objects are built with the plain attribute setter; they are frozen at the end of their own
    `__init__` as always, and the guard is back when the block ends, also when parsing fails, so what the
    handlers get is exactly what `Update.de_json` builds (tests/test_intake_parse.py). Only the event
    loop's thread builds PTB objects while it is off; taking it off and on costs ~0.2 ms, so a batch
    smaller than `UNGUARDED_BATCH` (a webhook's single update) is parsed with the guard on.
    """
    guard = TelegramObject.__dict__.get("__setattr__")
    if guard is None or count < UNGUARDED_BATCH:  # nested, or not worth it
        yield
        return
    del TelegramObject.__setattr__  # type: ignore[misc]
    try:
        yield
    finally:
        TelegramObject.__setattr__ = guard  # type: ignore[method-assign]


class RetryingRequest(HTTPXRequest):
    """HTTPXRequest that retries connection failures, resets and timeouts with backoff (0.5, 1, 2, 4 s ...).

    A reset may come after Telegram acted on the call, so a retried send can arrive twice: we
    prefer that to a lost reply. 429s are not handled here: AIORateLimiter honours retry_after.
    getUpdates is never retried here; the polling loop has its own backoff.
    """

    def __init__(self, *, retries: int = 4, heartbeat: Heartbeat | None = None, base_delay: float = 0.5,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retries = retries
        self.heartbeat = heartbeat
        self.base_delay = base_delay

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: ODVInput[float] = DEFAULT_NONE, write_timeout: ODVInput[float] = DEFAULT_NONE,
                         connect_timeout: ODVInput[float] = DEFAULT_NONE,
                         pool_timeout: ODVInput[float] = DEFAULT_NONE) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        attempt = 0
        while True:
            try:
                code, payload = await self._round_trip(url, method, request_data, read_timeout, write_timeout,
                                                       connect_timeout, pool_timeout)
            except (TimedOut, NetworkError) as exc:
                if attempt >= self.retries or endpoint == "getUpdates":
                    raise
                delay = min(MAX_BACKOFF, self.base_delay * 2 ** attempt)
                attempt += 1
                log.warning("network trouble talking to Telegram (%s: %s); retry %d of %d in %.1f s",
                            endpoint, short(exc, 120), attempt, self.retries, delay)
                await asyncio.sleep(delay)
                continue
            if 200 <= code < 300 and self.heartbeat is not None:
                self.heartbeat.beat()
            return code, payload

    async def _round_trip(self, url: str, method: str, request_data: RequestData | None,
                          read_timeout: ODVInput[float], write_timeout: ODVInput[float],
                          connect_timeout: ODVInput[float], pool_timeout: ODVInput[float]) -> tuple[int, bytes]:
        """One HTTP call: a JSON body where there is no file to upload (see `json_body`), else PTB's own."""
        body = json_body(request_data) if method == "POST" else None
        if body is None:
            return await super().do_request(url, method, request_data, read_timeout, write_timeout,
                                            connect_timeout, pool_timeout)
        client = self._client
        if client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        default = client.timeout
        timeout = httpx.Timeout(
            connect=default.connect if isinstance(connect_timeout, DefaultValue) else connect_timeout,
            read=default.read if isinstance(read_timeout, DefaultValue) else read_timeout,
            write=default.write if isinstance(write_timeout, DefaultValue) else write_timeout,
            pool=default.pool if isinstance(pool_timeout, DefaultValue) else pool_timeout,
        )
        try:
            response = await client.request(method=method, url=url, content=body, timeout=timeout,
                                            headers={"User-Agent": self.USER_AGENT, **JSON_HEADERS})
        except httpx.TimeoutException as err:  # the same errors PTB's HTTPXRequest raises
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(message="Pool timeout: all connections in the connection pool are occupied; "
                               "the request was not sent to Telegram") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content


# ------------------------------------------------------------------------------ the outbox

# Calls that put a new message in a chat: sent twice, the user sees it twice (edits and answers to a
# callback query are idempotent or expire, and are not recorded).
SENDS = ("send", "forward", "copy")


def _receipt(result: Any) -> Any:
    """What the outbox keeps of Telegram's answer: the message's id, date and chat (id, type), enough for
    the handler to be handed a Message again; not its text, nor the question it replied to."""
    if isinstance(result, list):
        return [_receipt(item) for item in result]
    if not isinstance(result, dict) or "message_id" not in result:
        return result
    chat = result.get("chat") or {}
    return {"message_id": result["message_id"], "date": result.get("date", 0),
            "chat": {"id": chat.get("id"), "type": chat.get("type", "private")}}


class _Replies:
    """The messages one handling of one update sends, numbered in order (held in a context variable)."""

    def __init__(self, update_id: int, log: dict[int, Any] | None) -> None:
        self.update_id = update_id
        self.log = log or {}  # what an earlier handling recorded (loaded only for updates answered again)
        self.next = 0


_REPLIES: contextvars.ContextVar[_Replies | None] = contextvars.ContextVar("briefbot_replies", default=None)


class SendLog(BaseRateLimiter[Any]):
    """PTB's hook around every Bot API call (a rate limiter's place), recording the messages an update
    sends in the storage's outbox and not sending again what an earlier handling did (module docstring).

    Wraps the real limiter (or none), and marks a message 'sending' only once the limiter lets it go, so
    the count of replies sent again without confirmation holds only those that had left. Calls outside
    an update's handling (admin notices, start-up) and calls that do not send a message pass through.
    """

    def __init__(self, inner: BaseRateLimiter[Any] | None, storage: Callable[[], Any],
                 on_trouble: Callable[[str, BaseException], None]) -> None:
        self.inner = inner
        self._storage = storage
        self._trouble = on_trouble
        self.stats = {"recorded": 0, "not_resent": 0, "resent_unconfirmed": 0}

    async def initialize(self) -> None:
        if self.inner is not None:
            await self.inner.initialize()

    async def shutdown(self) -> None:
        if self.inner is not None:
            await self.inner.shutdown()

    async def _call(self, callback: Callable[..., Any], args: Any, kwargs: dict[str, Any], endpoint: str,
                    data: dict[str, Any], rate_limit_args: Any) -> Any:
        if self.inner is None:
            return await callback(*args, **kwargs)
        return await self.inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

    async def process_request(self, callback: Callable[..., Any], args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any], rate_limit_args: Any) -> Any:
        replies = _REPLIES.get()
        storage = self._storage()
        if (replies is None or not endpoint.startswith(SENDS) or data.get("chat_id") is None
                or not hasattr(storage, "outbox_mark")):
            return await self._call(callback, args, kwargs, endpoint, data, rate_limit_args)
        seq, replies.next = replies.next, replies.next + 1
        chat = str(data["chat_id"])
        before = replies.log.get(seq)
        if before is not None and (before.method, before.chat_id) == (endpoint, chat):
            if before.state == "sent" and before.result is not None:
                self.stats["not_resent"] += 1  # the user has it: hand the handler Telegram's answer again
                return json.loads(before.result)
            if before.state == "sending":
                self.stats["resent_unconfirmed"] += 1
                log.info("update %s: a reply was on its way when its replica stopped; sending it again "
                         "(it may arrive twice)", replies.update_id)
                await self._count(storage, "resent_unconfirmed")
        marks: list[asyncio.Task[None]] = []

        async def on_the_wire(*call_args: Any, **call_kwargs: Any) -> Any:
            # Called by the limiter once the slot is taken: 'sending' is written beside the request, not
            # before it (a round trip there would age the slot). Killed while waiting for the slot, the
            # update has no mark and is answered in full, uncounted: nothing had left.
            marks.append(asyncio.create_task(self._mark(storage, replies.update_id, seq, endpoint, chat, "sending")))
            return await callback(*call_args, **call_kwargs)

        try:
            result = await self._call(on_the_wire, args, kwargs, endpoint, data, rate_limit_args)
        except TelegramError as exc:
            # Telegram answered no (400, 403, 429 after the retries): nothing was sent. No answer at all (a
            # timeout, a reset): it may have been; the mark stays 'sending'.
            if marks:
                await asyncio.gather(*marks)
            if type(exc) not in (NetworkError, TimedOut):
                await self._mark(storage, replies.update_id, seq, endpoint, chat, "refused")
            raise
        # At once, not after 'sending' (which cannot undo it): until this is written, a crash resends the reply.
        await self._mark(storage, replies.update_id, seq, endpoint, chat, "sent", json.dumps(_receipt(result)))
        if marks:
            await asyncio.gather(*marks)
        self.stats["recorded"] += 1
        return result

    async def _mark(self, storage: Any, update_id: int, seq: int, method: str, chat: str, state: str,
                    result: str | None = None) -> None:
        try:
            await storage.outbox_mark(update_id, seq, method, chat, state, result)
        except Exception as exc:  # the reply matters more than its record: at worst it is sent again later
            self._trouble("outbox", exc)

    async def _count(self, storage: Any, name: str) -> None:
        try:
            await storage.count(name)
        except Exception as exc:
            self._trouble("counters", exc)


# ------------------------------------------------------------------------------ processing


class InboxProcessor(BaseUpdateProcessor):
    """PTB's hook around each update's handlers: the intake marks the update done (or not) afterwards."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.intake: Intake | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.intake is None:
            await coroutine
        else:
            await self.intake.process(update, coroutine)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def describe(update: Update) -> str:
    """What an update is, without who sent it or what it says: chat type and command."""
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return f"button {data.split(' ', 1)[0][:32] or '(no data)'}"
    if update.inline_query is not None:
        return "inline query"
    if update.chosen_inline_result is not None:
        return "inline result chosen"
    message = update.effective_message
    if message is not None:
        text = message.text or ""
        command = text.split(maxsplit=1)[0].split("@", 1)[0][:33] if text.startswith("/") else "text"
        return f"{message.chat.type} {command}"
    return "other update"


class Intake:
    """Durable intake, bounded dispatch and a bounded drain; one per Application (see module docstring)."""

    def __init__(self, app: Application, config: Config, *, storage: Callable[[], UpdateInbox | None],
                 failed: set[int], on_storage_trouble: Callable[[str, BaseException], None],
                 allowed_updates: Sequence[str]) -> None:
        self.app = app
        self.config = config
        self._storage = storage
        self._failed = failed  # update ids whose reply could not be delivered (filled by the error handler)
        self._storage_trouble = on_storage_trouble
        self.allowed_updates = list(allowed_updates)
        self.concurrency = app.update_processor.max_concurrent_updates
        self.backlog: deque[Update] = deque()
        self.offset: int | None = None
        self.fatal: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.stats = {"received": 0, "duplicates": 0, "poison": 0, "recovered": 0, "expired": 0}
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._slots = asyncio.Semaphore(self.concurrency)
        self._fed: set[int] = set()
        self._active: set[asyncio.Task[Any]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._seen: deque[int] = deque(maxlen=10_000)  # de-duplication while the inbox cannot be written
        self._again: set[int] = set()  # updates answered again: their outbox says what was already sent
        self._abandon = False
        self._server: tornado.httpserver.HTTPServer | None = None
        self._throttled = Throttled(log)
        processor = app.update_processor
        if isinstance(processor, InboxProcessor):
            processor.intake = self

    # -- start and stop ------------------------------------------------------------------------

    async def start(self, *, webhook: dict[str, Any] | None = None, poll_timeout: float = 30.0) -> None:
        storage = self._storage()
        if (webhook is None and storage is not None and hasattr(storage, "try_poll_lock")
                and not await storage.try_poll_lock()):
            raise PollingRefused(POLLING_REFUSED)
        await self.recover()
        self._tasks.append(asyncio.create_task(self._dispatch(), name="briefbot:dispatch"))
        if getattr(storage, "shared", False):
            self._tasks.append(asyncio.create_task(self._sweep(storage), name="briefbot:sweep"))
        if webhook is None:
            await self.app.bot.delete_webhook(drop_pending_updates=False)
            self._tasks.append(asyncio.create_task(self._poll(poll_timeout), name="briefbot:poll"))
        else:
            await self._start_webhook(webhook)
            self._tasks.append(asyncio.create_task(self._keepalive(), name="briefbot:keepalive"))

    async def recover(self) -> None:
        """Answer again what an earlier run stored but did not finish; expire what is too old to matter."""
        storage = self._storage()
        if storage is None:
            return
        try:
            rows, expired = await storage.inbox_recover(self.config.inbox_max_age_seconds)
        except Exception as exc:
            self._storage_trouble("inbox", exc)
            return
        taken = await self._take(rows)
        self.stats["recovered"] += taken
        self.stats["expired"] += expired
        if taken or expired:
            log.info("answering %d unfinished update(s) from before the restart; %d older than %.0f s expired",
                     taken, expired, self.config.inbox_max_age_seconds)
        self._wake.set()

    async def _take(self, rows: Sequence[tuple[int, str]], *, first: bool = False) -> int:
        """Queue stored updates (recovered, or claimed from a replica that stopped answering them); `first`:
        ahead of the queue (they are older than anything in it)."""
        queued = {u.update_id for u in self.backlog} | self._fed
        taken = 0
        ahead: list[Update] = []
        for update_id, payload in rows:
            if update_id in queued:
                continue
            try:
                update = Update.de_json(json.loads(payload), self.app.bot)
            except Exception as exc:  # stored before this version could read it: give up on it, once
                await self._poison(update_id, exc, stored=True)
                continue
            self._seen.append(update_id)
            self._again.add(update_id)
            if first:
                ahead.append(update)
            else:
                self.backlog.append(update)
            taken += 1
        self.backlog.extendleft(reversed(ahead))
        return taken

    async def _sweep(self, storage: Any) -> None:
        """Shared inbox: keep the leases on what this replica holds, and take over what a dead one held."""
        every = max(0.2, storage.claim_seconds / 3)
        while True:
            await asyncio.sleep(every)
            try:
                await storage.inbox_renew([u.update_id for u in self.backlog] + list(self._fed))
                # Also behind a long queue, and ahead of it: a dead replica's updates are the oldest waiting,
                # and should not wait for this replica's backlog to drain on top of the lease.
                room = max(HIGH_WATER - len(self.backlog), TAKEOVER_BATCH)
                taken = await self._take(await storage.inbox_claim_stale(room), first=True)
                if taken:
                    self.stats["recovered"] += taken
                    log.info("answering %d update(s) another replica took in but did not answer in %.0f s",
                             taken, storage.claim_seconds)
                    self._wake.set()
            except Exception as exc:
                self._storage_trouble("inbox", exc)

    @property
    def pending(self) -> int:
        """Updates accepted but not finished: queued here or being handled."""
        return len(self.backlog) + len(self._fed)

    async def stop(self, drain_seconds: float) -> None:
        """Stop taking updates, give replies in flight `drain_seconds`, leave the rest unfinished in the inbox."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._server is not None:
            self._server.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.close_all_connections(), 1.0)
            self._server = None
        if self.offset is not None and not self.fatal.done():
            # Confirm what is stored, so Telegram does not send it again (it would be dropped as a duplicate).
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.app.bot._post(
                    "getUpdates", {"offset": self.offset, "timeout": 0, "limit": 1,
                                   "allowed_updates": self.allowed_updates}), 2.0)
        deadline = time.monotonic() + drain_seconds
        while self._fed and time.monotonic() < deadline:
            if self._active:
                await asyncio.wait(set(self._active), timeout=max(0.0, deadline - time.monotonic()))
            else:
                await asyncio.sleep(0.01)
        self._abandon = True
        in_flight = list(self._active)
        for task in in_flight:
            task.cancel()
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)
        left = len(in_flight) + len(self.backlog)
        if left:
            log.warning("stopped with %d update(s) unanswered (%d in flight, %d queued); they stay in the inbox and "
                        "are answered at the next start", left, len(in_flight), len(self.backlog))

    def fail(self, code: int, message: str) -> None:
        """A fault the bot cannot get past (a rejected token): one ERROR line, then `run` exits with `code`."""
        if not self.fatal.done():
            log.error("%s", message)
            self.fatal.set_result(code)

    # -- taking updates in ---------------------------------------------------------------------

    async def submit(self, raws: Sequence[Any]) -> None:
        """Store updates durably, then queue the new ones; unreadable ones are skipped (and logged once)."""
        rows: list[tuple[int, str | None]] = []
        parsed: dict[int, Update] = {}
        errors: dict[int, BaseException] = {}
        with building_updates(len(raws)):
            for raw in raws:
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                if not isinstance(update_id, int) or isinstance(update_id, bool):
                    self._throttled("no-id", logging.WARNING, "skipped an update without an update_id")
                    continue
                try:
                    update = Update.de_json(raw, self.app.bot)
                    if update is None:
                        raise ValueError("empty update")
                except Exception as exc:
                    errors[update_id] = exc
                    rows.append((update_id, None))
                    continue
                parsed[update_id] = update
                rows.append((update_id, json.dumps(raw)))
        self.stats["received"] += len(rows)
        storage = self._storage()
        fresh: list[int]
        try:
            if storage is None:
                raise RuntimeError("no storage")
            fresh = await storage.inbox_add(rows)
        except Exception as exc:
            if storage is not None:
                self._storage_trouble("inbox", exc)
                if getattr(storage, "shared", False):
                    # Other replicas cannot see this process's memory: refuse, and Telegram sends it again.
                    self.stats["received"] -= len(rows)
                    raise
            fresh = [update_id for update_id, _ in dict(rows).items() if update_id not in self._seen]
        self._seen.extend(fresh)
        self.stats["duplicates"] += len(rows) - len(fresh)
        for update_id in fresh:
            if update_id in errors:
                await self._poison(update_id, errors[update_id])
            else:
                self.backlog.append(parsed[update_id])
        if len(self.backlog) >= HIGH_WATER:
            self._room.clear()
        self._wake.set()

    async def _poison(self, update_id: int, exc: BaseException, *, stored: bool = False) -> None:
        self.stats["poison"] += 1
        log.warning("update %s skipped: Telegram sent something this bot cannot read (%s: %s); going on",
                    update_id, type(exc).__name__, short(exc, 80))
        storage = self._storage()
        if storage is None:
            return
        try:
            if stored:
                await storage.inbox_finish(update_id, "poison")
            await storage.count("poison")
        except Exception as err:
            self._storage_trouble("inbox", err)

    async def _dispatch(self) -> None:
        while True:
            while not self.backlog:
                self._wake.clear()
                await self._wake.wait()
            await self._slots.acquire()
            if not self.backlog:
                self._slots.release()
                continue
            update = self.backlog.popleft()
            if len(self.backlog) < HIGH_WATER // 2:
                self._room.set()
            self._fed.add(update.update_id)
            if log.isEnabledFor(logging.DEBUG):  # describing an update for a line nobody reads cost 1% of its time
                log.debug("update %s: %s", update.update_id,
                          update.to_json() if self.config.log_private else describe(update))
            await self.app.update_queue.put(update)

    async def process(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers, then mark the update done, or leave it unfinished if its reply was not delivered."""
        update_id = update.update_id if isinstance(update, Update) else None
        if self._abandon:
            if hasattr(coroutine, "close"):
                coroutine.close()
            self._release(update_id)
            return
        task = asyncio.current_task()
        if task is not None:
            self._active.add(task)
        try:
            if update_id is not None:
                _REPLIES.set(_Replies(update_id, await self._sent_before(update_id)))
            await coroutine
            await self._finish(update_id)
        finally:  # also when cancelled at the end of a drain: then the update stays unfinished
            if task is not None:
                self._active.discard(task)
            self._release(update_id)

    async def _sent_before(self, update_id: int) -> dict[int, Any] | None:
        """The outbox of an update answered again (recovered, or taken over); None for a fresh one."""
        if update_id not in self._again:
            return None
        self._again.discard(update_id)
        storage = self._storage()
        try:
            return await storage.outbox_log(update_id) if hasattr(storage, "outbox_log") else None
        except Exception as exc:  # unknown: answer in full (a duplicate rather than a lost reply)
            self._storage_trouble("outbox", exc)
            return None

    async def _finish(self, update_id: int | None) -> None:
        if update_id is None:
            return
        storage = self._storage()
        if storage is None:
            self._failed.discard(update_id)
            return
        try:
            if update_id in self._failed:
                self._failed.discard(update_id)
                await storage.inbox_retry_later(update_id)
            else:
                await storage.inbox_finish(update_id)
        except Exception as exc:
            self._storage_trouble("inbox", exc)

    def _release(self, update_id: int | None) -> None:
        if update_id is not None and update_id in self._fed:
            self._fed.discard(update_id)
            self._slots.release()

    # -- polling -------------------------------------------------------------------------------

    async def _poll(self, timeout: float) -> None:
        bot = self.app.bot
        failures = 0
        while True:
            await self._room.wait()
            data = {"timeout": int(timeout), "limit": 100, "allowed_updates": self.allowed_updates}
            if self.offset is not None:
                data["offset"] = self.offset
            try:
                raws = await bot._post("getUpdates", data, read_timeout=self.config.request_timeout + timeout)
            except InvalidToken:
                self.fail(2, TOKEN_REJECTED)
                return
            except RetryAfter as exc:
                retry = exc.retry_after
                await asyncio.sleep(retry if isinstance(retry, int | float) else retry.total_seconds())
                continue
            except Conflict:
                failures += 1
                self._throttled("conflict", logging.ERROR, "another process is polling with this bot token "
                                "(409 Conflict); only one may run: stop the other one")
                await asyncio.sleep(min(MAX_BACKOFF, 2.0 ** min(failures, 5)))
                continue
            except TelegramError as exc:
                failures += 1
                self._throttled("poll", logging.WARNING, "network trouble polling Telegram (%s); retrying",
                                short(exc, 120))
                await asyncio.sleep(min(MAX_BACKOFF, 0.5 * 2 ** min(failures, 6)))
                continue
            failures = 0
            if not isinstance(raws, list) or not raws:
                continue
            try:
                await self.submit(raws)
            except Exception as exc:  # a bug of ours must not stop polling; the batch is fetched again
                self._throttled("submit", logging.ERROR, "could not take in a batch of updates (%s: %s)",
                                type(exc).__name__, short(exc, 120))
                await asyncio.sleep(1.0)
                continue
            ids = [r["update_id"] for r in raws if isinstance(r, dict) and isinstance(r.get("update_id"), int)]
            if ids:
                self.offset = max(ids) + 1  # the next call confirms the batch, which is now stored

    async def _keepalive(self) -> None:
        """Webhook mode makes no calls while nobody writes: check the token now and then (and beat the heart)."""
        every = max(5.0, min(60.0, self.config.health_max_silence / 3))
        while True:
            await asyncio.sleep(every)
            try:
                await self.app.bot.get_me()
            except InvalidToken:
                self.fail(2, TOKEN_REJECTED)
                return
            except TelegramError as exc:
                self._throttled("keepalive", logging.WARNING, "network trouble reaching Telegram (%s)",
                                short(exc, 120))

    # -- webhook -------------------------------------------------------------------------------

    async def _start_webhook(self, settings: dict[str, Any]) -> None:
        path = "/" + str(settings.get("url_path", "")).strip("/")
        app = tornado.web.Application([(path, _WebhookHandler, {"intake": self, "secret": settings["secret_token"],
                                                                "limit": self.config.webhook_max_bytes})])
        server = tornado.httpserver.HTTPServer(app, max_body_size=max(64 << 20, 2 * self.config.webhook_max_bytes))
        server.add_sockets(tornado.netutil.bind_sockets(settings["port"], settings["listen"]))
        self._server = server
        if settings.get("register", self.config.registers_webhook):  # replicas: `briefbot set-webhook`, once
            await register_webhook(self.app.bot, settings, self.allowed_updates)


async def register_webhook(bot: Any, settings: dict[str, Any], allowed_updates: Sequence[str]) -> None:
    await bot.set_webhook(settings["webhook_url"], secret_token=settings["secret_token"],
                          allowed_updates=list(allowed_updates), max_connections=40)


@tornado.web.stream_request_body
class _WebhookHandler(tornado.web.RequestHandler):
    """POST /<path>: 403 without the secret, 413 above the size limit, 400 for a body that is not a JSON
    object (Telegram stops retrying on 4xx), 200 once the update is stored."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, intake: Intake, secret: str, limit: int) -> None:
        self.intake, self.secret, self.limit = intake, secret, limit
        self._chunks: list[bytes] = []
        self._size = 0

    def prepare(self) -> None:
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self._reply(403, "wrong or missing secret token")
            return
        with contextlib.suppress(ValueError):
            if int(self.request.headers.get("Content-Length", "0")) > self.limit:
                self._size = self.limit + 1  # refuse without keeping any of it

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size <= self.limit:
            self._chunks.append(chunk)
        else:
            self._chunks.clear()

    async def post(self) -> None:
        if self._size > self.limit:
            self._reply(413, f"body over {self.limit} bytes")
            return
        try:
            data = json.loads(b"".join(self._chunks))
        except ValueError:  # includes UnicodeDecodeError
            self._reply(400, "body is not JSON")
            return
        if not isinstance(data, dict):
            self._reply(400, "body is not a JSON object")
            return
        try:
            await self.intake.submit([data])
        except Exception:  # not stored (shared database unreachable): Telegram retries a 5xx later
            self._reply(503, "cannot store the update now")
            return
        self._reply(200, "")

    def _reply(self, status: int, reason: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": status == 200, "description": reason}))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        log.warning("webhook request failed: %s", type(value).__name__ if value is not None else "?")
