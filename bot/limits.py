"""Telegram's sending limits, kept by all replicas together.

Telegram counts per bot token, not per process: about 30 messages a second overall and 20 a minute
to one group, and answers 429 (RetryAfter) beyond. One process uses PTB's AIORateLimiter, as before
(`local_rate_limiter`). Replicas sharing PostgreSQL use `SharedRateLimiter`, PTB's BaseRateLimiter
over pyrate-limiter's PostgresBucket: every message a replica sends is one row in a table all
replicas count (a sliding-window log on the database's clock, so "any 1 s" and "any 60 s" hold
across replicas whose own clocks differ), with a table lock taken per check so two replicas cannot
both take the last slot. Defaults leave headroom (27/s, 19/min): the limit is checked when a request
leaves, Telegram counts when it arrives, and the two differ by network jitter.

A slot is worth something only if the message leaves right after it was taken: a replica starved of
CPU (or waiting on a slow database round trip) that sends a message late makes it arrive together with
the ones other replicas sent on time, and Telegram, counting arrivals, sees a burst. So right before
the request goes out, the slot's age is checked: older than slots usually are when granted plus
`FRESH_SECONDS` (the bot's slot), or than a twelfth of the group window (a group's), the message
takes a new slot, and the old one stays counted (it cost throughput, never the limit). The group's
log window is that twelfth longer than Telegram's, so a group slot up to that old still lands inside
Telegram's 60 s. What is left is the time between the request starting and its bytes reaching
Telegram, which no limiter sees (measured in benchmarks/replica_faults.py; README "Running several
replicas").

A RetryAfter seen by any replica is written to `briefbot_flood_wait`; every replica waits it out
before its next message, then the request is retried (at most `max_retries` times), as
AIORateLimiter does within one process.

The per-chat flood control of incoming messages (FloodControl in bot.telegram_app) stays per
replica: it exists to keep one noisy chat from starving the others on that replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import time
import zlib
from collections import deque
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

log = logging.getLogger(__name__)

JSON = Any
WAIT_TABLE = "briefbot_flood_wait"
PAUSE_CHECK_SECONDS = 0.1
LEAK_SECONDS = 10.0  # how often old rows are deleted from the shared log
# A slot asked for this much longer ago than slots usually take to be granted (the database's round
# trips, the median of the last ones) is taken again when its request is about to leave. What bunches
# arrivals is lateness that varies, not a constant delay; budget: the bot's log allows 27 in any second,
# one per 37 ms, and Telegram 30, i.e. about 110 ms of varying lateness.
FRESH_SECONDS = 0.05
GROUP_MARGIN = 1 / 12  # of the group window: 5 s of 60 (the log counts 65 s; a group slot stays fresh 5 s)


def _rate(limit_per_window: float, window_ms: int) -> Any:
    """A pyrate Rate for `limit_per_window` per window; fractions become one per a longer window."""
    from pyrate_limiter import Rate

    if limit_per_window >= 1:
        return Rate(int(limit_per_window), window_ms)
    return Rate(1, int(window_ms / limit_per_window))


def local_rate_limiter(per_second: float, group_per_minute: int, max_retries: int = 3) -> AIORateLimiter:
    """One process: PTB's own limiter, with the configured limits."""
    return AIORateLimiter(overall_max_rate=per_second, overall_time_period=1, group_max_rate=group_per_minute,
                          group_time_period=60, max_retries=max_retries)


class SharedRateLimiter(BaseRateLimiter[int]):
    """Limits shared through PostgreSQL (see module docstring). Group windows are 60 s unless a test says."""

    def __init__(self, dsn: str, *, per_second: float = 27.0, group_per_minute: int = 19, max_retries: int = 3,
                 group_window_seconds: float = 60.0) -> None:
        self.dsn = dsn
        self.per_second = per_second
        self.group_per_minute = group_per_minute
        self.group_window_ms = int(group_window_seconds * 1000)
        self.max_retries = max_retries
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ratelimit")  # open, close, pause
        self._pool: Any = None
        self._overall: Any = None
        self._groups: Any = None
        self._ready = asyncio.Lock()
        self._leaker: asyncio.Task[None] | None = None
        self._buckets: Callable[[], list[Any]] = list
        self._overall_lock = asyncio.Lock()
        self._group_locks: dict[str, asyncio.Lock] = {}  # grows with the groups the bot writes to
        self._pause_checked = float("-inf")
        self._pause_until = 0.0
        self._last_trouble = float("-inf")
        self.waited = 0  # requests that had to wait for a slot (for logs and benchmarks)
        self.retaken = 0  # slots taken again because the first was too old when the request was to leave
        self._granting: deque[float] = deque([0.0], maxlen=64)  # how long the last slots took to be granted

    # -- life cycle -------------------------------------------------------------------------------

    async def initialize(self) -> None:
        async with self._ready:
            if self._pool is None:
                await asyncio.get_running_loop().run_in_executor(self._threads, self._open)
                self._leaker = asyncio.get_running_loop().create_task(self._leak(), name="briefbot:ratelimit-leak")

    def _open(self) -> None:
        from psycopg_pool import ConnectionPool
        from pyrate_limiter import BucketFactory, Limiter, PostgresBucket, Rate, RateItem, SingleBucketFactory
        from pyrate_limiter.clocks import PostgresClock

        pool = ConnectionPool(self.dsn, min_size=1, max_size=8, open=True, name="briefbot-limits",
                              # Not autocommit: the bucket's LOCK TABLE needs the transaction each checkout is.
                              kwargs={"application_name": "briefbot-limits", "connect_timeout": 2},
                              # Short: the limiter runs on the event loop, which a long wait would stall.
                              check=ConnectionPool.check_connection, timeout=2)
        with pool.connection() as conn:  # one transaction; replicas starting together must not race on CREATE
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(WAIT_TABLE.encode()) & 0x7FFFFFFF,))
            conn.execute(f"CREATE TABLE IF NOT EXISTS {WAIT_TABLE} (id INTEGER PRIMARY KEY, until TIMESTAMPTZ)")
        # Besides "27 in any second", one message per 1/27 s: evenly spaced, not 27 at once as each second's
        # slots free up. A late message then overlaps the next second by one, not by a whole burst (with
        # bursts, a 20 ms delay of a burst's tail measured 31 in a second at the server).
        spacing = [Rate(1, max(1, int(1000 / self.per_second)))] if self.per_second >= 1 else []
        overall = PostgresBucket(pool, "briefbot_all", [_rate(self.per_second, 1000), *spacing])
        # Counted over the window plus the margin a group slot may age before its message leaves (see _admit).
        group_rate = [_rate(self.group_per_minute * self.group_window_ms / 60_000,
                            int(self.group_window_ms * (1 + GROUP_MARGIN)))]

        class Groups(BucketFactory):
            """One bucket (table) per group, made when the bot first writes there."""

            def __init__(self) -> None:
                self.clock = PostgresClock(pool)
                self.buckets: dict[str, Any] = {}

            def wrap_item(self, name: str, weight: int = 1) -> Any:
                return RateItem(name, self.clock.now(), weight=weight)

            def get(self, item: Any) -> Any:
                if item.name not in self.buckets:
                    self.buckets[item.name] = PostgresBucket(pool, f"briefbot_{item.name}", group_rate)
                return self.buckets[item.name]

        # pyrate's own leaker is a thread that outlives close() and dies on the closed pool with a traceback;
        # old rows are deleted by `_leak` on the event loop instead (the counts are by window either way).
        groups = Groups()
        self._pool = pool
        self._buckets = lambda: [overall, *groups.buckets.values()]
        self._overall = Limiter(SingleBucketFactory(overall, schedule_leak=False), buffer_ms=20)
        self._groups = Limiter(groups, buffer_ms=20)

    async def _leak(self) -> None:
        """Every 10 s: delete the log rows older than every window (a few ms; keeps the counts cheap)."""
        while True:
            await asyncio.sleep(LEAK_SECONDS)
            for bucket in self._buckets():
                try:
                    bucket.leak(bucket.now())
                except Exception as exc:  # the database is away; next time
                    log.debug("rate limit: could not delete old rows (%s)", type(exc).__name__)

    async def shutdown(self) -> None:
        pool, self._pool = self._pool, None
        if self._leaker is not None:
            self._leaker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._leaker
            self._leaker = None
        if pool is not None:
            await asyncio.get_running_loop().run_in_executor(self._threads, pool.close)
        self._threads.shutdown(wait=False, cancel_futures=True)

    # -- the shared pause after a 429 ---------------------------------------------------------------

    def _pause_left(self) -> float:
        with self._pool.connection() as conn:
            row = conn.execute(f"SELECT EXTRACT(EPOCH FROM until - now()) FROM {WAIT_TABLE} "
                               "WHERE id = 1 AND until > now()").fetchone()
        return float(row[0]) if row else 0.0

    def _pause_all(self, seconds: float) -> None:
        with self._pool.connection() as conn:
            conn.execute(f"INSERT INTO {WAIT_TABLE} (id, until) VALUES (1, now() + %s * interval '1 second') "
                         f"ON CONFLICT (id) DO UPDATE SET until = GREATEST({WAIT_TABLE}.until, excluded.until)",
                         (seconds,))

    def _try(self, limiter: Any, name: str) -> float:
        """One attempt: 0 = the slot is taken, else seconds to wait before the next (> 0: a shared pause).

        Runs on the event loop itself, blocking it for the few round trips (about 1-2 ms on one host):
        the slot is then taken in the same turn of the loop that sends the message. Taken in a worker
        thread, it would be stamped while the loop is still busy elsewhere, and a loaded replica would
        send several stamped-earlier messages at once (measured: 49 in a second at the server for 27
        stamped). Non-blocking for the same reason: a wait is an asyncio.sleep, never a blocked loop.
        """
        now = time.monotonic()
        try:
            if now >= self._pause_checked + PAUSE_CHECK_SECONDS:
                self._pause_checked = now
                self._pause_until = now + self._pause_left()
            if self._pause_until > now:
                return min(self._pause_until - now, 5.0)
            return 0.0 if limiter.try_acquire(name, blocking=False) else -1.0
        except Exception as exc:  # the database is away (restarting): wait for it rather than send uncounted
            if now - self._last_trouble > 60:
                self._last_trouble = now
                log.warning("rate limit: cannot reach PostgreSQL (%s); messages wait until it is back",
                            type(exc).__name__)
            return 1.0

    async def _take(self, limiter: Any, name: str, lock: asyncio.Lock, retry: float) -> tuple[bool, float]:
        """Wait for a slot; whether that meant waiting, and when (monotonic) the granting attempt began:
        the slot's time stamp is no older than that."""
        waited = False
        async with lock:
            while True:
                asked = time.monotonic()
                if (wait := self._try(limiter, name)) == 0:
                    return waited, asked
                waited = True
                await asyncio.sleep(wait if wait > 0 else retry)

    async def _admit(self, group: str | None) -> bool:
        """Slots for one message (the group's, then the bot's), each still fresh when this returns: the
        caller sends at once, without awaiting anything else first. Returns whether it had to wait."""
        group_fresh = self.group_window_ms / 1000 * GROUP_MARGIN
        group_asked: float | None = None
        waited = False
        while True:
            if group is not None and (group_asked is None or time.monotonic() - group_asked > group_fresh):
                slow, group_asked = await self._take(
                    self._groups, group, self._group_locks.setdefault(group, asyncio.Lock()),
                    self.group_window_ms / 1000 / max(1, self.group_per_minute) / 2)
                waited |= slow
            slow, asked = await self._take(self._overall, "all", self._overall_lock, 0.5 / max(1.0, self.per_second))
            waited |= slow
            now = time.monotonic()
            usual = statistics.median(self._granting)
            self._granting.append(now - asked)
            if now - asked <= usual + FRESH_SECONDS and (group_asked is None or now - group_asked <= group_fresh):
                return waited
            self.retaken += 1  # the old slot stays counted: it costs throughput, never the limit

    # -- PTB's hook ------------------------------------------------------------------------------------

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, bool | JSON | list[JSON]]],
                              args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> bool | JSON | list[JSON]:
        chat_id = data.get("chat_id")
        if chat_id is None:  # getMe, answerCallbackQuery, answerInlineQuery, ...: not counted, as in PTB
            return await callback(*args, **kwargs)
        if self._pool is None:
            await self.initialize()
        group: str | None = None
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        if isinstance(chat_id, str) or chat_id < 0:
            group = "g" + str(chat_id).lstrip("-@").lower()[:40]
        loop = asyncio.get_running_loop()
        retries = rate_limit_args or self.max_retries
        for attempt in range(retries + 1):
            self.waited += await self._admit(group)
            try:
                return await callback(*args, **kwargs)  # nothing awaited between the fresh slot and the request
            except RetryAfter as exc:
                delay = getattr(exc, "_retry_after", None)  # a timedelta; `.retry_after` warns of its type change
                seconds = delay.total_seconds() if delay is not None else float(exc.retry_after)
                if attempt == retries:
                    raise
                log.info("Telegram asked to wait %.0f s (429); every replica pauses", seconds)
                await loop.run_in_executor(self._threads, self._pause_all, float(seconds) + 0.1)
                self._pause_checked = float("-inf")
        raise AssertionError("unreachable")


def rate_limiter_for(config: Any) -> BaseRateLimiter[Any]:
    """Shared through PostgreSQL when replicas share it (or BRIEFBOT_RATE_SHARED=1), else per process."""
    shared = config.rate_shared if config.rate_shared is not None else config.db_url is not None
    if shared and config.db_url:
        return SharedRateLimiter(config.db_url, per_second=config.rate_per_second,
                                 group_per_minute=config.rate_group_per_minute,
                                 group_window_seconds=config.rate_group_window_seconds)
    return local_rate_limiter(config.rate_per_second, config.rate_group_per_minute)


__all__ = ["SharedRateLimiter", "local_rate_limiter", "rate_limiter_for"]
