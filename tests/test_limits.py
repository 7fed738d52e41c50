"""Telegram's limits kept by several replicas together (bot.limits.SharedRateLimiter on a real
PostgreSQL): in every sliding window, whichever replica sends, and a 429 seen by one pauses all."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from telegram.error import RetryAfter

from bot.config import Config
from bot.limits import SharedRateLimiter, rate_limiter_for
from tests.fake_bot_api import TOKEN

# A message is counted when its slot is taken and sent a few milliseconds later, so the sending times
# seen at the far end jitter by that much; the configured limits leave headroom for it (27/s of 30).
JITTER = 0.03


def busiest_window(times: Sequence[float], window: float) -> int:
    """The most events in any `window` seconds (sliding, as Telegram counts), not per fixed bucket."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _send_all(limiters: Sequence[SharedRateLimiter], chat_ids: Sequence[int]) -> list[float]:
    sent: list[float] = []

    async def callback() -> dict[str, Any]:
        sent.append(time.monotonic())
        return {}

    await asyncio.gather(*(limiters[i % len(limiters)].process_request(callback, (), {}, "sendMessage",
                                                                       {"chat_id": chat}, None)
                           for i, chat in enumerate(chat_ids)))
    return sent


async def _replicas(dsn: str, n: int = 2, **limits: Any) -> list[SharedRateLimiter]:
    limiters = [SharedRateLimiter(dsn, **limits) for _ in range(n)]
    for limiter in limiters:
        await limiter.initialize()
    return limiters


async def test_two_replicas_together_stay_under_the_bots_rate_in_every_second(pg_dsn: str) -> None:
    limiters = await _replicas(pg_dsn, per_second=8)
    try:
        started = time.monotonic()
        sent = await _send_all(limiters, [1000 + i for i in range(24)])  # private chats: only the bot's limit
        took = time.monotonic() - started
    finally:
        for limiter in limiters:
            await limiter.shutdown()
    assert len(sent) == 24
    assert busiest_window(sent, 1.0 - JITTER) <= 8, "two replicas together sent more than the limit in one second"
    assert busiest_window(sent, 1.0) <= 9  # what 10 % of headroom (27/s of Telegram's 30) absorbs
    assert took >= 2.0  # 24 at 8/s cannot go faster, wherever they are sent from
    assert took < 8.0  # and the limit is used, not wasted on lock contention


async def test_a_groups_limit_holds_across_replicas_in_every_window(pg_dsn: str) -> None:
    # Telegram's window is 60 s; the same code with a 1 s window, so the test takes seconds.
    limiters = await _replicas(pg_dsn, per_second=100, group_per_minute=180, group_window_seconds=1.0)
    try:
        sent = await _send_all(limiters, [-1001] * 9)
    finally:
        for limiter in limiters:
            await limiter.shutdown()
    assert len(sent) == 9 and busiest_window(sent, 1.0 - JITTER) <= 3
    assert max(sent) - min(sent) >= 2.0


async def test_a_429_seen_by_one_replica_pauses_the_others(pg_dsn: str) -> None:
    a, b = await _replicas(pg_dsn, per_second=30)
    attempts: list[tuple[str, float]] = []

    async def throttled() -> bool:
        attempts.append(("a", time.monotonic()))
        if len(attempts) == 1:
            raise RetryAfter(1)
        return True

    async def other() -> bool:
        attempts.append(("b", time.monotonic()))
        return True

    try:
        started = time.monotonic()
        first = asyncio.create_task(a.process_request(throttled, (), {}, "sendMessage", {"chat_id": 1}, None))
        while not attempts:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # a has written the pause
        assert await b.process_request(other, (), {}, "sendMessage", {"chat_id": 2}, None) is True
        assert await first is True
    finally:
        await a.shutdown()
        await b.shutdown()
    b_at = next(t for who, t in attempts if who == "b")
    assert b_at - started >= 1.0, "the other replica sent during the pause Telegram asked for"
    assert [who for who, _ in attempts].count("a") == 2  # a retried once the pause was over


async def test_a_slot_that_aged_before_its_message_left_is_taken_again_and_a_slow_database_still_sends(
        pg_dsn: str) -> None:
    import psycopg

    (limiter,) = await _replicas(pg_dsn, n=1, per_second=100)
    # From now on the database takes 0.2 s to record each slot (a trigger), as a loaded or distant one may:
    # the first slots come late against how slots have been granted so far and are taken again ...
    with psycopg.connect(pg_dsn, autocommit=True) as con:
        con.execute("CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN PERFORM pg_sleep(0.2); RETURN NEW; END $$")
        con.execute("CREATE TRIGGER stall BEFORE INSERT ON ratelimit___briefbot_all "
                    "FOR EACH ROW EXECUTE FUNCTION stall()")
    try:
        started = time.monotonic()
        sent = [await limiter.process_request(asyncio.sleep, (0, i), {}, "sendMessage", {"chat_id": 7000 + i}, None)
                for i in range(5)]
        took = time.monotonic() - started
    finally:
        await limiter.shutdown()
    with psycopg.connect(pg_dsn, autocommit=True) as con:
        counted = con.execute("SELECT COUNT(*) FROM ratelimit___briefbot_all").fetchone()
    assert sent == list(range(5))  # ... and every message still goes: a slow database is slow, not stuck
    assert 1 <= limiter.retaken < 5 and counted == (5 + limiter.retaken,)  # a re-taken slot stays counted
    assert took < 5.0


def test_limits_come_from_the_environment_and_pick_the_shared_limiter_with_postgresql() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_RATE_PER_SECOND": "12", "BRIEFBOT_RATE_GROUP_PER_MINUTE": "10"}
    local = Config.from_env(env)
    assert (local.rate_per_second, local.rate_group_per_minute) == (12.0, 10)
    assert not isinstance(rate_limiter_for(local), SharedRateLimiter)
    shared = rate_limiter_for(Config.from_env(env | {"BRIEFBOT_DB": "postgresql://bot@db/briefbot"}))
    assert isinstance(shared, SharedRateLimiter)
    assert (shared.per_second, shared.group_per_minute) == (12.0, 10)
