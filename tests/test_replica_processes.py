"""Three real `briefbot run` processes in webhook mode sharing one PostgreSQL, the updates handed to
each in turn (as a round-robin load balancer does, failing over when a replica is down) and each
re-delivered to another replica, one replica killed with -9 mid-run: every update answered, none
twice except the replies in flight at the kill, and the combined sending rate under Telegram's
30 per second in every sliding second, measured by the fake Bot API's own clock."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fake_bot_api import FakeBotAPI
from tests.test_limits import busiest_window
from tests.test_process import BotProcess, bot_env, launch, wait_until

SECRET = "replica_s3cret"


@pytest.fixture
async def bots() -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for bot in started:
        await bot.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def test_three_replicas_answer_each_update_once_within_telegrams_limits_and_survive_a_kill_9(
        fake_api: FakeBotAPI, pg_dsn: str, tmp_path: Path, bots: list[BotProcess]) -> None:
    ports = [_free_port() for _ in range(3)]
    replicas = []
    for i, port in enumerate(ports):
        env = bot_env(fake_api, tmp_path / "unused.sqlite3", BRIEFBOT_DB=pg_dsn, BRIEFBOT_WEBHOOK_SECRET=SECRET,
                      BRIEFBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", BRIEFBOT_WEBHOOK_LISTEN="127.0.0.1",
                      BRIEFBOT_WEBHOOK_PORT=str(port), BRIEFBOT_CLAIM_SECONDS="3", BRIEFBOT_LOG_LEVEL="WARNING",
                      BRIEFBOT_HEARTBEAT_FILE=str(tmp_path / f"r{i}.alive"))
        replicas.append(await launch(bots, env))
    await asyncio.gather(*(_up(port) for port in ports))
    assert not fake_api.calls_of("setWebhook")  # replicas sharing PostgreSQL leave that to `set-webhook`

    users = [fake_api.user(30_000 + i, f"R{i}") for i in range(60)]
    updates = [{"update_id": 90_000 + n, "message": fake_api.message("/help", user=users[n % 60])}
               for n in range(180)]
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    dead: set[int] = set()

    async with httpx.AsyncClient(timeout=10) as client:
        async def deliver(n: int, update: dict[str, Any], first: int) -> None:
            """To replica `first`, or the next live one (a balancer's failover); Telegram retries a 5xx."""
            body = json.dumps(update)
            for attempt in range(30):
                port = ports[(first + attempt) % 3]
                if port in dead:
                    continue
                try:
                    r = await client.post(f"http://127.0.0.1:{port}/hook", content=body, headers=headers)
                    if r.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.05)
            raise AssertionError(f"update {update['update_id']} was never accepted")

        for n, update in enumerate(updates):
            if n == 60:
                replicas[2].signal(signal.SIGKILL)  # with what it has taken in and not yet answered
                await replicas[2].wait()
                dead.add(ports[2])
            await deliver(n, update, n % 3)
            if n % 4 == 0:
                await deliver(n, update, n % 3 + 1)  # Telegram's re-delivery, to another replica
            await asyncio.sleep(0.005)

    chats = {u["id"] for u in users}
    per_update = lambda: Counter(c.params.get("chat_id") for c in fake_api.calls_of("sendMessage"))  # noqa: E731
    await wait_until(lambda: sum(per_update().values()) >= len(updates), 40,
                     f"all answered: {sum(per_update().values())} of {len(updates)}")
    await asyncio.sleep(1.0)  # a duplicate would arrive now
    answers = per_update()
    assert set(answers) == chats
    extra = sum(answers.values()) - len(updates)
    assert 0 <= extra <= 16, f"{extra} updates answered twice (only replies in flight at the kill may be)"
    sent_at = [c.at for c in fake_api.calls_of("sendMessage")]
    print(f"answered {len(updates)} updates, {extra} twice, busiest second {busiest_window(sent_at, 1.0)}")
    assert busiest_window(sent_at, 1.0) <= 30, "the replicas together sent more than Telegram's 30 in a second"
    for replica in replicas[:2]:
        assert "Traceback" not in replica.stderr, replica.stderr[-2000:]
