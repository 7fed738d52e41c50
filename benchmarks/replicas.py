"""Several replicas, one bot: updates/s and latency through the whole stack with 1, 2 and 3 `briefbot run`
processes on PostgreSQL (and 1 on SQLite, the default), how the inbox grows, and the sending rate per
sliding second as the Bot API server sees it.

    bash .ci/postgres.sh up                       # prints a DSN; or any server you may create databases on
    PG_TEST_DSN=postgresql://… python benchmarks/replicas.py
    python benchmarks/replicas.py --updates 2000 --chats 200 --replicas 1,2,3

Each run: a fresh database; N replicas in webhook mode (real processes, the real corpus); the fake Bot
API (tests/fake_bot_api.py) in its own process, so its clock is not held up by this one; `briefbot
set-webhook` points it at a round-robin balancer in this process, which hands each update to the next
replica and a quarter of them a second time to the one after (Telegram's re-delivery). "unlimited"
runs raise the bot's send rate to 1000/s to show what the stack itself does; the "limited" run keeps the
default 27/s and reports the busiest sliding second at the server. Latency: the balancer received the
update → the server received the reply. Prints numbers side by side; asserts nothing. On a 2-core machine the
replicas, PostgreSQL and this script share the cores, so read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import TOKEN  # noqa: E402
from tests.test_limits import busiest_window  # noqa: E402

SECRET = "bench_s3cret"
RUN = "import sys; from bot.telegram_app import run; sys.exit(run())"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_database(server: str) -> tuple[str, str]:
    import psycopg

    name = f"briefbot_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def inbox_size(dsn: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        rows = con.execute("SELECT COUNT(*) FROM inbox").fetchone()
        size = con.execute("SELECT pg_total_relation_size('inbox')").fetchone()
    return int(rows[0]), int(size[0])  # type: ignore[index]


def slot_times(dsn: str) -> list[float]:
    """When each message took its slot in the shared rate-limit log (the database's clock)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        if con.execute("SELECT to_regclass('ratelimit___briefbot_all')").fetchone()[0] is None:  # type: ignore[index]
            return []
        rows = con.execute("SELECT EXTRACT(EPOCH FROM item_timestamp::timestamptz) FROM ratelimit___briefbot_all")
        return [float(r[0]) for r in rows.fetchall()]


async def wait_up(port: int, timeout: float = 90.0) -> None:
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


class RoundRobin:
    """The load balancer: each webhook POST to the next replica, failing over on an error or a 5xx; every
    fourth update is also sent to the replica after that (Telegram's re-delivery)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.accepted: dict[int, tuple[int, float]] = {}  # update_id -> (chat, when the balancer got it)
        self.turn = 0
        self.client = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=128))

    async def forward(self, body: bytes, headers: dict[str, str]) -> int:
        update = json.loads(body)
        received = time.monotonic()
        first = self.turn
        self.turn += 1
        status = 502
        for attempt in range(len(self.ports)):
            port = self.ports[(first + attempt) % len(self.ports)]
            try:
                r = await self.client.post(f"http://127.0.0.1:{port}/hook", content=body, headers=headers)
            except httpx.HTTPError:
                continue
            status = r.status_code
            if status < 500:
                break
        if status == 200:
            self.accepted.setdefault(update["update_id"], (update["message"]["chat"]["id"], received))
            if update["update_id"] % 4 == 0 and len(self.ports) > 1:
                port = self.ports[(first + 1) % len(self.ports)]
                with contextlib.suppress(httpx.HTTPError):
                    await self.client.post(f"http://127.0.0.1:{port}/hook", content=body, headers=headers)
        return status

    async def serve(self) -> tuple[int, Any]:
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        proxy = self

        class Handler(tornado.web.RequestHandler):
            async def post(self) -> None:
                headers = {k: v for k, v in self.request.headers.items()
                           if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
                self.set_status(await proxy.forward(self.request.body, headers))
                self.finish()

        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/hook", Handler)],
                                                                        log_function=lambda handler: None))
        server.add_sockets(sockets)
        return sockets[0].getsockname()[1], server


async def start_fake() -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "tests.fake_bot_api", cwd=ROOT,
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    port = int((await proc.stdout.readline()).decode())
    return proc, port


async def run_once(server: str | None, replicas: int, updates: int, chats: int, *, rate: float | None,
                   workdir: Path, code: Path = ROOT) -> dict[str, Any]:
    """One run; `code`: the checkout whose bot the replicas run (benchmarks/replica_faults.py compares two)."""
    fake, api_port = await start_fake()
    api = f"http://127.0.0.1:{api_port}"
    name = dsn = None
    if server is not None:
        name, dsn = new_database(server)
    db = dsn or str(workdir / f"bench-{uuid.uuid4().hex[:6]}.sqlite3")
    ports = [free_port() for _ in range(replicas)]
    balancer = RoundRobin(ports)
    lb_port, lb_server = await balancer.serve()
    procs = []
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BRIEFBOT_", "PYTHONPATH"))}
    base["PYTHONPATH"] = str(code)
    common = base | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api, "BRIEFBOT_DB": db,
                     "BRIEFBOT_WEBHOOK_SECRET": SECRET, "BRIEFBOT_WEBHOOK_URL": f"http://127.0.0.1:{lb_port}/hook",
                     "BRIEFBOT_LOG_LEVEL": "WARNING", "BRIEFBOT_FLOOD_BURST": "1000", "BRIEFBOT_SET_WEBHOOK": "0"}
    if os.environ.get("BRIEFBOT_CACHE_DIR"):
        common["BRIEFBOT_CACHE_DIR"] = os.environ["BRIEFBOT_CACHE_DIR"]
    for i, port in enumerate(ports):
        env = common | {"BRIEFBOT_WEBHOOK_LISTEN": "127.0.0.1", "BRIEFBOT_WEBHOOK_PORT": str(port),
                        "BRIEFBOT_HEARTBEAT_FILE": str(workdir / f"r{i}.alive")}
        if rate is not None:
            env["BRIEFBOT_RATE_PER_SECOND"] = str(rate)
        procs.append(await asyncio.create_subprocess_exec(sys.executable, "-c", RUN, cwd=code, env=env,
                                                          stdout=asyncio.subprocess.DEVNULL,
                                                          stderr=asyncio.subprocess.DEVNULL))
    try:
        await asyncio.gather(*(wait_up(p) for p in ports))
        # The deploy step: one setWebhook, pointing Telegram (the fake) at the balancer.
        hook = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "set-webhook", cwd=code, env=common,
                                                    stdout=asyncio.subprocess.DEVNULL)
        assert await hook.wait() == 0, "briefbot set-webhook failed"
        async with httpx.AsyncClient(timeout=60) as client:
            started = time.monotonic()
            messages = [{"user_id": 40_000 + n % chats, "text": "/actor aliev"} for n in range(updates)]
            for i in range(0, updates, 100):  # Telegram posts each update as it comes
                await client.post(f"{api}/_control/push", json={"messages": messages[i:i + 100]})
            deadline = time.monotonic() + 180
            while True:
                stats = (await client.post(f"{api}/_control/stats", json={})).json()
                if stats["counts"].get("sendMessage", 0) >= updates or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
            finished = time.monotonic()
            await asyncio.sleep(1.0)  # late duplicates
            stats = (await client.post(f"{api}/_control/stats", json={})).json()
        sends = [(int(chat), float(at)) for chat, at in stats["sends"]]
        expected = Counter(40_000 + n % chats for n in range(updates))
        per_chat = Counter(chat for chat, _ in sends)
        # Latency: the k-th reply to a chat answers its k-th accepted update (approximate when a chat has
        # several updates in flight at once).
        replies: dict[int, list[float]] = {}
        for chat, at in sends:
            replies.setdefault(chat, []).append(at)
        accepted: dict[int, list[float]] = {}
        for chat, at in sorted(balancer.accepted.values(), key=lambda x: x[1]):
            accepted.setdefault(chat, []).append(at)
        latencies = sorted((r - a) * 1000 for chat, times in accepted.items()
                           for a, r in zip(times, sorted(replies.get(chat, [])), strict=False))
        rows, size = inbox_size(dsn) if dsn else (None, None)
        stamps = slot_times(dsn) if dsn else []
        return {
            "engine": "PostgreSQL" if dsn else "SQLite", "replicas": replicas, "updates": updates,
            "answered": len(sends), "twice": sum(max(0, per_chat[c] - n) for c, n in expected.items()),
            "missing": sum(max(0, n - per_chat[c]) for c, n in expected.items()), "seconds": finished - started,
            # Sending times are the server's CLOCK_MONOTONIC, the same clock as ours on one host.
            "per_s": len(sends) / max(1e-6, (max(at for _, at in sends) if sends else finished) - started),
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan"),
            "busiest_s": busiest_window([at for _, at in sends], 1.0), "inbox_rows": rows, "inbox_kb": size,
            "busiest_log": busiest_window(stamps, 1.0) if stamps else None,
        }
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
        lb_server.stop()
        await balancer.client.aclose()
        assert fake.stdin is not None
        fake.stdin.close()
        await fake.wait()
        if name is not None and server is not None:
            drop_database(server, name)


def show(r: dict[str, Any], label: str) -> None:
    inbox = f"{r['inbox_rows']} rows/{r['inbox_kb'] / 1024:.0f} KiB" if r["inbox_rows"] is not None else "-"
    print(f"{label:<10} {r['engine']:<10} {r['replicas']:>2}  {r['answered']:>5}/{r['updates']:<5} "
          f"{r['twice']:>5} {r['missing']:>7}  {r['per_s']:>7.1f}  {r['p50']:>7.0f}  {r['p99']:>7.0f}  "
          f"{r['busiest_s']:>9}  {r['busiest_log'] if r['busiest_log'] is not None else '-':>9}  {inbox}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--replicas", default="1,2,3")
    parser.add_argument("--limited-updates", type=int, default=300, help="updates in the 27/s run (0: skip)")
    args = parser.parse_args()
    server = os.environ.get("PG_TEST_DSN") or None
    counts = [int(n) for n in args.replicas.split(",")]
    print(f"{'run':<10} {'engine':<10} {'N':>2}  {'answered':>11} {'twice':>5} {'missing':>7}  "
          f"{'upd/s':>7}  {'p50 ms':>7}  {'p99 ms':>7}  {'server 1s':>9}  {'log 1s':>9}  inbox after")
    with tempfile.TemporaryDirectory() as tmp:
        show(await run_once(None, 1, args.updates, args.chats, rate=1000, workdir=Path(tmp)), "unlimited")
        if server is None:
            print("(no PostgreSQL: set PG_TEST_DSN to compare; `bash .ci/postgres.sh up` starts one)")
            return
        for n in counts:
            show(await run_once(server, n, args.updates, args.chats, rate=1000, workdir=Path(tmp)), "unlimited")
        if args.limited_updates:
            show(await run_once(server, max(counts), args.limited_updates, args.chats, rate=None,
                                workdir=Path(tmp)), "27/s")


if __name__ == "__main__":
    asyncio.run(main())
