"""Several replicas sharing one PostgreSQL: each update answered once by one of them, whichever
Telegram (or the load balancer) hands it to; a dead replica's updates answered by the others; one
poller at most; migrations applied once; the database restarting under a running bot costs nothing
that was confirmed. All on a real server (see tests/conftest.py: `pg_dsn`) and the real PTB stack."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.ext import Application

from bot.config import Config
from bot.intake import PollingRefused
from bot.pgstore import PG_MIGRATIONS, PostgresStorage
from bot.storage import Storage
from bot.telegram_app import briefbot_of, build_application, intake_of
from tests.conftest import ADMIN_ID
from tests.fake_bot_api import TOKEN, FakeBotAPI, start_polling, start_webhook, stop_app
from tests.test_limits import busiest_window

SECRET = "replica_s3cret"


def raw(dsn: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        return [tuple(r) for r in con.execute(sql).fetchall()]  # type: ignore[arg-type]


def update(api: FakeBotAPI, update_id: int, text: str, chat_id: int) -> dict[str, Any]:
    user = api.user(chat_id, first_name=f"U{chat_id}")
    return {"update_id": update_id, "message": api.message(text, chat=api.private_chat(user), user=user)}


# -- the shared inbox, two replicas at the storage level ---------------------------------------------


async def test_an_update_stored_by_two_replicas_at_once_belongs_to_exactly_one(pg_dsn: str) -> None:
    async with Storage.open(pg_dsn) as a, Storage.open(pg_dsn) as b:
        ids = list(range(1, 201))
        results = await asyncio.gather(
            *(a.inbox_add([(i, "{}")]) for i in ids), *(b.inbox_add([(i, "{}")]) for i in reversed(ids)))
        owners: Counter[int] = Counter()
        for fresh in results:
            owners.update(fresh)
        assert sorted(owners) == ids and set(owners.values()) == {1}  # no update twice, none lost
        assert 0 < sum(map(len, results[:200])) < 200  # and both replicas won some


async def test_a_lease_that_runs_out_is_taken_over_once_and_a_renewed_one_is_not(pg_dsn: str) -> None:
    async with PostgresStorage.open(pg_dsn, claim_seconds=0.6) as a, \
            PostgresStorage.open(pg_dsn, claim_seconds=0.6) as b, \
            PostgresStorage.open(pg_dsn, claim_seconds=0.6) as c:
        assert await a.inbox_add([(1, '{"n": 1}'), (2, '{"n": 2}'), (3, None)]) == [1, 2, 3]
        assert await b.inbox_claim_stale() == []  # a holds them
        await asyncio.sleep(0.4)
        await a.inbox_renew([2])  # a still works on 2; it "died" holding 1
        await asyncio.sleep(0.4)
        taken_b, taken_c = await asyncio.gather(b.inbox_claim_stale(), c.inbox_claim_stale())
        assert sorted(taken_b + taken_c) == [(1, '{"n": 1}')]  # once, by one sweeper; poison 3 never
        await a.inbox_finish(2)
        await asyncio.sleep(0.7)
        assert [i for i, _ in await c.inbox_claim_stale() + await b.inbox_claim_stale()] == [1]  # b died too


async def test_replicas_starting_together_apply_the_migrations_once(pg_dsn: str) -> None:
    stores = await asyncio.gather(*(Storage.open(pg_dsn) for _ in range(6)))
    try:
        assert {await s.schema_version() for s in stores} == {len(PG_MIGRATIONS)}
        await stores[0].set_setting(1, "length", "brief")
        assert await stores[5].get_settings(1) == {"length": "brief"}
    finally:
        for s in stores:
            await s.close()


async def test_only_one_replica_may_poll(pg_dsn: str) -> None:
    async with Storage.open(pg_dsn) as a, Storage.open(pg_dsn) as b:
        assert await a.try_poll_lock()
        assert not await b.try_poll_lock()
        await a.close()
        assert await b.try_poll_lock()  # the lock went with the process that held it


def _restart_server() -> None:
    run_as = os.environ.get("PG_RUN_AS", "").split()
    subprocess.run([*run_as, f"{os.environ['PG_BIN']}/pg_ctl", "-D", f"{os.environ['PG_TMP']}/data", "-m", "fast",
                    "-w", "restart", "-l", f"{os.environ['PG_TMP']}/server.log"],
                   check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(not os.environ.get("PG_TMP"), reason="needs the cluster `.ci/run` starts (PG_TMP, PG_BIN)")
async def test_a_database_restart_loses_nothing_stored_and_the_pool_reconnects(pg_dsn: str) -> None:
    async with Storage.open(pg_dsn) as s:
        assert await s.inbox_add([(1, "{}")]) == [1]
        await s.set_setting(9, "length", "full")
        await asyncio.to_thread(_restart_server)
        assert await s.inbox_add([(1, "{}"), (2, "{}")]) == [2]  # the old connections were replaced
        assert await s.get_settings(9) == {"length": "full"}
        assert await s.inbox_states() == {"pending": 2}


# -- two real replicas (PTB Applications) behind the same webhook ----------------------------------------


def _config(api: FakeBotAPI, dsn: str, tmp_path: Path, name: str, **overrides: Any) -> Config:
    settings: dict[str, Any] = {"token": TOKEN, "api_url": f"http://127.0.0.1:{api.port}", "db_url": dsn,
                                "admins": frozenset({ADMIN_ID}), "request_timeout": 3.0, "claim_seconds": 1.5,
                                "heartbeat_file": tmp_path / f"{name}.alive", "set_webhook": False,
                                "webhook_secret": SECRET} | overrides
    return Config(**settings)


async def _replica(api: FakeBotAPI, dsn: str, tmp_path: Path, engine: Any, name: str, port: int,
                   **overrides: Any) -> Application:
    app = build_application(_config(api, dsn, tmp_path, name, **overrides), engine)
    await start_webhook(app, port=port, secret_token=SECRET)
    return app


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_two_replicas_answer_every_update_exactly_once(fake_api: FakeBotAPI, pg_dsn: str, tmp_path: Path,
                                                             engine: Any) -> None:
    ports = [_free_port(), _free_port()]
    # Leases of 10 s: this one interpreter (two replicas, the server, the client) can stall for a second.
    apps = [await _replica(fake_api, pg_dsn, tmp_path, engine, f"r{i}", port, claim_seconds=10.0)
            for i, port in enumerate(ports)]
    try:
        assert not fake_api.calls_of("setWebhook")  # the deploy step sets it, not every replica
        updates = [update(fake_api, 50_000 + i, "/actor aliev", 7000 + i) for i in range(60)]
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        async with httpx.AsyncClient(timeout=10) as client:
            async def deliver(i: int, u: dict[str, Any]) -> list[int]:
                # Round robin, then Telegram's re-delivery of the same update to the other replica.
                statuses = []
                for port in (ports[i % 2], ports[(i + 1) % 2]):
                    r = await client.post(f"http://127.0.0.1:{port}/hook", content=json.dumps(u), headers=headers)
                    statuses.append(r.status_code)
                return statuses

            statuses = await asyncio.gather(*(deliver(i, u) for i, u in enumerate(updates)))
        assert {s for pair in statuses for s in pair} == {200}
        sent = await fake_api.wait_for("sendMessage", count=len(updates), timeout=30)
        await asyncio.sleep(0.5)  # a duplicate would come now
        per_chat = Counter(int(c.params["chat_id"]) for c in fake_api.calls_of("sendMessage"))
        assert per_chat == Counter({7000 + i: 1 for i in range(60)}), "an update answered twice or not at all"
        assert all("Aliyev" in c.plain or "Əliyev" in c.plain for c in sent)
        took = [intake_of(app).stats["received"] - intake_of(app).stats["duplicates"] for app in apps]
        assert sum(took) == 60 and min(took) > 0  # both replicas answered a share
        # Together they took at most 27 slots in any second of the shared log (on the database's clock).
        # Both replicas, the server and the client share one interpreter (and its GIL) here, so arrival
        # times at the fake server jitter by far more than between processes: that test is test_processes.
        stamps = [float(r[0]) for r in raw(pg_dsn, "SELECT EXTRACT(EPOCH FROM item_timestamp::timestamptz) "
                                                   "FROM ratelimit___briefbot_all")]
        assert len(stamps) == 60 and busiest_window(stamps, 1.0) <= 27
    finally:
        for app in apps:
            await stop_app(app, drain_seconds=1.0)


async def test_a_replica_that_stops_answering_has_its_updates_answered_by_another(
        fake_api: FakeBotAPI, pg_dsn: str, tmp_path: Path, engine: Any) -> None:
    # Replica "dead" stores updates and is then cut off without answering (as kill -9 would leave them).
    async with PostgresStorage.open(pg_dsn, claim_seconds=1.5) as dead:
        stored = [update(fake_api, 60_000 + i, "/actor aliev", 8000 + i) for i in range(5)]
        assert await dead.inbox_add([(u["update_id"], json.dumps(u)) for u in stored]) == [u["update_id"]
                                                                                             for u in stored]
        app = await _replica(fake_api, pg_dsn, tmp_path, engine, "alive", _free_port())
        try:
            assert not fake_api.calls_of("sendMessage")  # at start-up the leases are still held
            await fake_api.wait_for("sendMessage", count=5, timeout=10)
            await asyncio.sleep(0.6)
            assert Counter(int(c.params["chat_id"]) for c in fake_api.calls_of("sendMessage")) == Counter(
                {8000 + i: 1 for i in range(5)})
            assert await dead.inbox_states() == {"done": 5}
        finally:
            await stop_app(app, drain_seconds=1.0)


async def test_polling_with_postgresql_is_refused_while_another_replica_polls(
        fake_api: FakeBotAPI, pg_dsn: str, tmp_path: Path, engine: Any) -> None:
    first = build_application(_config(fake_api, pg_dsn, tmp_path, "p1", webhook_secret=None), engine)
    second = build_application(_config(fake_api, pg_dsn, tmp_path, "p2", webhook_secret=None), engine)
    await start_polling(first)
    try:
        with pytest.raises(PollingRefused, match="another replica is already polling"):
            await start_polling(second)
        fake_api.push_message("/actor aliev")
        await fake_api.wait_for("sendMessage", timeout=10)  # the first one goes on answering
    finally:
        await stop_app(second)
        await stop_app(first)


async def test_a_reload_in_one_replica_reloads_the_others(fake_api: FakeBotAPI, pg_dsn: str, tmp_path: Path,
                                                          engine: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="bot.telegram_app")
    apps = [await _replica(fake_api, pg_dsn, tmp_path, engine, f"r{i}", _free_port()) for i in range(2)]
    try:
        first, second = (briefbot_of(app) for app in apps)
        assert second.engine is engine
        assert await first.reload() == (True, len(engine.index))  # as /reload or SIGHUP there does
        deadline = asyncio.get_running_loop().time() + 30
        while second.engine is engine:
            assert asyncio.get_running_loop().time() < deadline, "the other replica did not reload"
            await asyncio.sleep(0.05)
        assert len(second.engine.index) == len(engine.index)
        await asyncio.sleep(1.0)
        reloads = [r for r in caplog.records if r.getMessage().startswith("corpus reloaded")]
        assert len(reloads) == 2  # once in each replica: the second does not announce it back
    finally:
        for app in apps:
            await stop_app(app, drain_seconds=0.5)
