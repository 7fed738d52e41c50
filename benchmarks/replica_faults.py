"""Three replicas on one PostgreSQL under the two faults the end-to-end test cannot rule out by itself:
a replica killed with -9 while replies are in flight (duplicates), and CPU starvation (messages that took
their slot in time but reach the server late, bunched). Each mode runs the code of this checkout beside
a baseline checkout (`--baseline DIR`, e.g. `git archive main | tar -x -C DIR`) in one process run,
alternating, so the machine's load hits both alike. Prints numbers; asserts nothing.

    bash .ci/postgres.sh up      # prints a DSN
    PG_TEST_DSN=postgresql://… python benchmarks/replica_faults.py kills --runs 20 --baseline /tmp/base
    PG_TEST_DSN=postgresql://… python benchmarks/replica_faults.py load --hogs 2 --baseline /tmp/base
    PG_TEST_DSN=postgresql://… python benchmarks/replica_faults.py e2e      # the issue's full size (`make e2e`)

overhead: benchmarks/replicas.py's unlimited runs (SQLite ×1, PostgreSQL ×1 and ×3), for what the
outbox's two writes per reply cost.
kills: 180 updates from 60 private chats, posted round robin (failing over like a balancer), a quarter
re-delivered to a second replica; replica 3 is killed with -9 after 60; count the chats answered twice.
load: 3 replicas at the default limits while `--hogs` busy loops (one per core) compete for the CPU; one
update per private chat plus `--groups` groups asking 25 times each; every reply is traced inside the
replica (when it took its slot, when its request started) and at the server (when it began to arrive).
The fake Bot API runs in its own process at a higher CPU priority when allowed (as root): Telegram's
servers are not starved by our busy loops. (It stamps each request with the kernel's receive time.)
e2e: the issue's full size: 2,000 updates from 200 chats (100 private, 100 groups, 10 of them asking
30 times), three replicas, replica 3 killed with -9 after 700; lost, twice, the busiest second and the
busiest group minute at the fake server, and when the last reply came after the kill.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from replicas import SECRET, RoundRobin, drop_database, free_port, new_database, wait_up  # noqa: E402

from tests.fake_bot_api import TOKEN  # noqa: E402
from tests.test_limits import busiest_window  # noqa: E402

# A replica that writes one line per sendMessage: chat, when its overall slot was asked for and granted,
# and when the request started (monotonic clock: the same across processes on one host, as the fake's).
TRACED_RUN = r"""
import asyncio, json, os, sys, time
from bot import intake, limits
out = open(os.environ["TRACE_FILE"], "a", buffering=1)
slots = {}
grants = [0]
_try = limits.SharedRateLimiter._try
def traced_try(self, limiter, name):
    asked = time.monotonic()
    result = _try(self, limiter, name)
    if result == 0 and name == "all":
        slots[asyncio.current_task()] = (asked, time.monotonic())
        grants[0] += 1
    return result
limits.SharedRateLimiter._try = traced_try
import asyncio.selector_events as sel
written = {}
_write = sel._SelectorSocketTransport.write
def traced_write(self, data):
    task = asyncio.current_task()
    if task is not None and task not in written:
        written[task] = time.monotonic()  # the request's bytes handed to the kernel (its first write)
    return _write(self, data)
sel._SelectorSocketTransport.write = traced_write
_do = intake.RetryingRequest.do_request
async def traced_do(self, url, method, request_data=None, *args, **kwargs):
    if not (url.endswith("/sendMessage") and request_data is not None):
        return await _do(self, url, method, request_data, *args, **kwargs)
    task = asyncio.current_task()
    asked, granted = slots.pop(task, (None, None))
    chat_of[task] = request_data.parameters.get("chat_id")
    started = time.monotonic()
    written.pop(task, None)
    try:
        return await _do(self, url, method, request_data, *args, **kwargs)
    finally:
        out.write(json.dumps([request_data.parameters.get("chat_id"), asked, granted, started,
                              grants[0], written.pop(task, None)]) + "\n")
intake.RetryingRequest.do_request = traced_do
# When a reply became safe from being sent again by whoever answers its update a second time: the
# outbox's 'sent' mark (this checkout) or the update's finish (any), whichever is written first.
from bot import pgstore
chat_of, safe = {}, set()
def protected():
    task = asyncio.current_task()
    if task in chat_of and task not in safe:
        safe.add(task)
        out.write(json.dumps(["safe", chat_of[task], time.monotonic()]) + "\n")
_finish = pgstore.PostgresStorage.inbox_finish
async def traced_finish(self, *args, **kwargs):
    await _finish(self, *args, **kwargs)
    protected()
pgstore.PostgresStorage.inbox_finish = traced_finish
_mark = getattr(pgstore.PostgresStorage, "outbox_mark", None)
if _mark is not None:
    async def traced_mark(self, update_id, seq, method, chat_id, state, result=None):
        await _mark(self, update_id, seq, method, chat_id, state, result)
        if state == "sent":
            protected()
    pgstore.PostgresStorage.outbox_mark = traced_mark
from bot.telegram_app import run
sys.exit(run())
"""
RUN = "import sys; from bot.telegram_app import run; sys.exit(run())"
HOG = "while True: pass"


def _raise_priority() -> None:
    with contextlib.suppress(OSError):
        os.nice(-10)


async def start_fake(*, favoured: bool) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "tests.fake_bot_api", cwd=ROOT,
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                preexec_fn=_raise_priority if favoured else None)
    assert proc.stdout is not None
    port = int((await proc.stdout.readline()).decode())
    return proc, port


class Replicas:
    """N `briefbot run` processes of the code in `code` (a checkout), webhook mode, one PostgreSQL."""

    def __init__(self, code: Path, dsn: str, api: str, workdir: Path, n: int = 3, *, trace: bool = False,
                 claim_seconds: float = 3.0) -> None:
        self.code, self.dsn, self.api, self.workdir, self.n = code, dsn, api, workdir, n
        self.trace = trace
        self.claim_seconds = claim_seconds
        self.ports = [free_port() for _ in range(n)]
        self.procs: list[asyncio.subprocess.Process] = []

    async def start(self) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BRIEFBOT_", "PYTHONPATH"))}
        for i, port in enumerate(self.ports):
            env = base | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": self.api, "BRIEFBOT_DB": self.dsn,
                          "BRIEFBOT_WEBHOOK_SECRET": SECRET, "BRIEFBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
                          "BRIEFBOT_WEBHOOK_LISTEN": "127.0.0.1", "BRIEFBOT_WEBHOOK_PORT": str(port),
                          "BRIEFBOT_LOG_LEVEL": "WARNING", "BRIEFBOT_FLOOD_BURST": "1000",
                          "BRIEFBOT_SET_WEBHOOK": "0", "BRIEFBOT_CLAIM_SECONDS": str(self.claim_seconds),
                          "BRIEFBOT_HEARTBEAT_FILE": str(self.workdir / f"r{i}.alive"),
                          "PYTHONPATH": str(self.code), "TRACE_FILE": str(self.workdir / f"trace{i}.jsonl")}
            if os.environ.get("BRIEFBOT_CACHE_DIR"):
                env["BRIEFBOT_CACHE_DIR"] = os.environ["BRIEFBOT_CACHE_DIR"]
            self.procs.append(await asyncio.create_subprocess_exec(
                sys.executable, "-c", TRACED_RUN if self.trace else RUN, cwd=self.code, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL))
        await asyncio.gather(*(wait_up(p) for p in self.ports))

    def kill(self, i: int) -> None:
        self.procs[i].kill()

    async def stop(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.terminate()
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    def traces_by_replica(self) -> list[list[list[Any]]]:
        out = []
        for i in range(self.n):
            path = self.workdir / f"trace{i}.jsonl"
            text = path.read_text() if path.exists() else ""
            out.append([json.loads(line) for line in text.splitlines() if line.strip()])
        return out

    def traces(self) -> list[list[Any]]:
        return [row for rows in self.traces_by_replica() for row in rows]


async def deliver(client: httpx.AsyncClient, ports: list[int], dead: set[int], update: dict[str, Any],
                  first: int) -> int:
    """To replica `first`, or the next live one (a balancer's failover); a 5xx is retried. Returns the port
    of the replica that took it."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    body = json.dumps(update)
    for attempt in range(60):
        port = ports[(first + attempt) % len(ports)]
        if port in dead:
            continue
        with contextlib.suppress(httpx.HTTPError):
            r = await client.post(f"http://127.0.0.1:{port}/hook", content=body, headers=headers)
            if r.status_code == 200:
                return port
        await asyncio.sleep(0.05)
    raise RuntimeError(f"update {update['update_id']} was never accepted")


async def stats(client: httpx.AsyncClient, api: str) -> dict[str, Any]:
    return (await client.post(f"{api}/_control/stats", json={})).json()


async def kill_run(code: Path, server: str, workdir: Path, *, updates: int = 180, chats: int = 60,
                   kill_after: int = 60) -> dict[str, Any]:
    fake, api_port = await start_fake(favoured=False)
    api = f"http://127.0.0.1:{api_port}"
    name, dsn = new_database(server)
    replicas = Replicas(code, dsn, api, workdir)
    try:
        await replicas.start()
        dead: set[int] = set()
        async with httpx.AsyncClient(timeout=30) as client:
            pushed = (await client.post(f"{api}/_control/push", json={"messages": [
                {"user_id": 30_000 + n % chats, "text": "/help"} for n in range(updates)]})).json()["updates"]
            for n, update in enumerate(pushed):
                if n == kill_after:
                    replicas.kill(2)  # with what it has taken in and not yet answered
                    await replicas.procs[2].wait()
                    dead.add(replicas.ports[2])
                await deliver(client, replicas.ports, dead, update, n % 3)
                if n % 4 == 0:
                    await deliver(client, replicas.ports, dead, update, n % 3 + 1)  # Telegram's re-delivery
                await asyncio.sleep(0.005)
            deadline = time.monotonic() + 60
            while (await stats(client, api))["counts"].get("sendMessage", 0) < updates:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.25)
            await asyncio.sleep(1.5)  # a late duplicate would arrive now
            result = await stats(client, api)
        per_chat = Counter(int(c) for c, _ in result["sends"])
        expected = Counter(30_000 + n % chats for n in range(updates))
        return {"twice": sum(max(0, per_chat[c] - k) for c, k in expected.items()),
                "missing": sum(max(0, k - per_chat[c]) for c, k in expected.items()),
                "counters": counters(dsn)}
    finally:
        await replicas.stop()
        assert fake.stdin is not None
        fake.stdin.close()
        await fake.wait()
        drop_database(server, name)


def e2e_messages() -> list[dict[str, Any]]:
    """The issue's end-to-end: 2,000 updates from 200 chats. 100 private chats ask 8 times each, 90 groups
    10 times, and 10 busy groups 30 times each (so the 20-a-minute group limit has to hold back)."""
    messages = [{"user_id": 70_000 + u, "text": "/actor aliev"} for u in range(100) for _ in range(8)]
    for g in range(100):
        messages += [{"user_id": 71_000 + g, "group_id": -100_700_000 - g, "text": "/actor aliev"}
                     for _ in range(30 if g < 10 else 10)]
    random.Random(12).shuffle(messages)
    return messages


async def e2e_run(code: Path, server: str, workdir: Path, *, kill_after: int, claim_seconds: float
                  ) -> dict[str, Any]:
    """Three replicas, every update posted round robin (failing over), a quarter re-delivered to a second
    replica, replica 3 killed with -9 after `kill_after` updates; measured at the fake Bot API."""
    fake, api_port = await start_fake(favoured=True)
    api = f"http://127.0.0.1:{api_port}"
    name, dsn = new_database(server)
    replicas = Replicas(code, dsn, api, workdir, claim_seconds=claim_seconds)
    messages = e2e_messages()
    try:
        await replicas.start()
        dead: set[int] = set()
        async with httpx.AsyncClient(timeout=30) as client:
            pushed = (await client.post(f"{api}/_control/push", json={"messages": messages})).json()["updates"]
            started = time.monotonic()
            killed_at, killed_wall = started, time.time()
            held: list[int] = []  # updates replica 3 took in first
            for n, update in enumerate(pushed):
                if n == kill_after:
                    replicas.kill(2)
                    await replicas.procs[2].wait()
                    killed_at, killed_wall = time.monotonic(), time.time()
                    dead.add(replicas.ports[2])
                if await deliver(client, replicas.ports, dead, update, n % 3) == replicas.ports[2]:
                    held.append(update["update_id"])
                if n % 4 == 0:
                    await deliver(client, replicas.ports, dead, update, n % 3 + 1)
            delivered = time.monotonic()
            deadline = time.monotonic() + 300
            while (await stats(client, api))["counts"].get("sendMessage", 0) < len(messages):
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
            finished = time.monotonic()
            await asyncio.sleep(2.0)  # a late duplicate would arrive now
            result = await stats(client, api)
        sends = [(int(c), float(at)) for c, at in result["sends"]]
        per_chat = Counter(c for c, _ in sends)
        expected = Counter(m.get("group_id") or m["user_id"] for m in messages)
        groups: dict[int, list[float]] = {}
        for c, at in sends:
            if c < 0:
                groups.setdefault(c, []).append(at)
        after_kill = sorted(at for _, at in sends if at > killed_at)
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as con:  # when the dead replica's unanswered ones were done
            taken_over = sorted(float(r[0]) - killed_wall for r in con.execute(
                "SELECT EXTRACT(EPOCH FROM finished_at) FROM inbox WHERE update_id = ANY(%s) AND finished_at > "
                "to_timestamp(%s)", (held, killed_wall)).fetchall())
        return {"updates": len(messages), "chats": len(expected), "answered": len(sends),
                "twice": sum(max(0, per_chat[c] - k) for c, k in expected.items()),
                "missing": sum(max(0, k - per_chat[c]) for c, k in expected.items()),
                "busiest_1s": busiest_window([at for _, at in sends], 1.0),
                "busiest_group_60s": max(busiest_window(t, 60.0) for t in groups.values()),
                "delivered_s": delivered - started, "seconds": finished - started,
                "last_after_kill_s": (after_kill[-1] - killed_at) if after_kill else None,
                "taken_over": taken_over,
                "counters": counters(dsn)}
    finally:
        await replicas.stop()
        assert fake.stdin is not None
        fake.stdin.close()
        await fake.wait()
        drop_database(server, name)


def counters(dsn: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        return {str(k): int(v) for k, v in con.execute("SELECT name, value FROM counters").fetchall()}


async def load_run(code: Path, server: str, workdir: Path, *, private: int, groups: int, per_group: int,
                   hogs: int, favoured: bool, fake_delivers: bool) -> dict[str, Any]:
    fake, api_port = await start_fake(favoured=favoured)
    api = f"http://127.0.0.1:{api_port}"
    name, dsn = new_database(server)
    replicas = Replicas(code, dsn, api, workdir, trace=True, claim_seconds=30.0)
    hog_procs: list[asyncio.subprocess.Process] = []
    try:
        await replicas.start()
        for _ in range(hogs):
            hog_procs.append(await asyncio.create_subprocess_exec(sys.executable, "-c", HOG))
        messages = [{"user_id": 50_000 + n, "text": "/actor aliev"} for n in range(private)]
        for g in range(groups):
            messages += [{"user_id": 60_000 + g * 100 + k, "group_id": -100_500_000 - g, "text": "/actor aliev"}
                         for k in range(per_group)]
        random.Random(7).shuffle(messages)  # groups and private chats interleaved
        async with httpx.AsyncClient(timeout=60) as client:
            lb_server = None
            if fake_delivers:  # as benchmarks/replicas.py: the fake posts each update to a balancer here, at once
                balancer = RoundRobin(replicas.ports)
                lb_port, lb_server = await balancer.serve()
                await client.post(f"{api}/bot{TOKEN}/setWebhook",
                                  json={"url": f"http://127.0.0.1:{lb_port}/hook", "secret_token": SECRET})
            started = time.monotonic()
            pushed = (await client.post(f"{api}/_control/push", json={"messages": messages})).json()["updates"]
            if not fake_delivers:
                await asyncio.gather(*(deliver(client, replicas.ports, set(), u, n % 3)
                                       for n, u in enumerate(pushed)))
            deadline = time.monotonic() + 60 + 60 * (per_group // 19 + 1) + len(messages) / 20
            while (await stats(client, api))["counts"].get("sendMessage", 0) < len(messages):
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
            seconds = time.monotonic() - started
            await asyncio.sleep(1.0)
            result = await stats(client, api)
            if lb_server is not None:
                lb_server.stop()
                await balancer.client.aclose()
        for hog in hog_procs:
            hog.kill()
        sends = [(int(c), float(at)) for c, at in result["sends"]]
        traces = [t for t in replicas.traces() if t[0] != "safe"]
        arrived = {c: at for c, at in sends if c > 0}
        # The window in which a kill -9 sends a reply twice: from its arrival at Telegram until it was safe.
        windows = [at - arrived[c] for kind, c, at in (t for t in replicas.traces() if t[0] == "safe")
                   if c in arrived]
        lags = [(granted - asked, wire - granted, (kernel or wire) - wire, arrived[c] - (kernel or wire),
                 arrived[c] - asked)
                for c, asked, granted, wire, _, kernel in traces if c in arrived and asked is not None]
        # Slots granted but not sent in (taken again because too old by the time the request was to leave).
        retaken = sum(t[4] for t in (max((r for r in rows if r[0] != "safe"), key=lambda t: t[4])
                                     for rows in replicas.traces_by_replica() if rows)) - len(traces)
        per_group_times: dict[int, list[float]] = {}
        for c, at in sends:
            if c < 0:
                per_group_times.setdefault(c, []).append(at)
        return {"sent": len(sends), "expected": len(messages), "seconds": seconds,
                "busiest_1s": busiest_window([at for _, at in sends], 1.0),
                "busiest_wire_1s": busiest_window([t[5] or t[3] for t in traces], 1.0),
                "busiest_asked_1s": busiest_window([t[1] for t in traces if t[1] is not None], 1.0),
                "busiest_group_60s": max((busiest_window(t, 60.0) for t in per_group_times.values()), default=0),
                "lags": lags, "retaken": retaken, "windows": windows, "counters": counters(dsn)}
    finally:
        for hog in hog_procs:
            if hog.returncode is None:
                hog.kill()
        await replicas.stop()
        assert fake.stdin is not None
        fake.stdin.close()
        await fake.wait()
        drop_database(server, name)


def ms(values: list[float]) -> str:
    if not values:
        return "-"
    values = sorted(values)
    p99 = values[max(0, int(len(values) * 0.99) - 1)]
    return f"{statistics.median(values) * 1000:6.1f} / {p99 * 1000:6.1f} / {values[-1] * 1000:6.1f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["kills", "load", "e2e", "overhead"])
    parser.add_argument("--baseline", type=Path, help="another checkout to run beside this one")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--kill-after", type=int, default=700, help="e2e: kill replica 3 after this many updates")
    parser.add_argument("--claim-seconds", type=float, default=10.0, help="e2e: BRIEFBOT_CLAIM_SECONDS")
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--private", type=int, default=300)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--per-group", type=int, default=25)
    parser.add_argument("--fake-unfavoured", action="store_true", help="do not raise the fake server's priority")
    parser.add_argument("--fake-delivers", action="store_true",
                        help="the fake posts all updates at once to a balancer (as benchmarks/replicas.py does)")
    args = parser.parse_args()
    server = os.environ.get("PG_TEST_DSN")
    if not server:
        sys.exit("set PG_TEST_DSN (`bash .ci/postgres.sh up` starts a server)")
    codes = [("this", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    with open("/proc/loadavg") as f:
        print(f"load average at start: {f.read().split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.mode == "overhead":  # what the outbox's writes cost: benchmarks/replicas.py's unlimited runs
            from replicas import run_once, show

            for run in range(args.runs):
                for label, code in (codes if run % 2 == 0 else codes[::-1]):
                    for engine, n in ((None, 1), (server, 1), (server, 3)):
                        r = await run_once(engine, n, 300, 150, rate=1000, workdir=Path(tmp), code=code)
                        show(r, label)
        elif args.mode == "e2e":
            for label, code in codes:
                workdir = Path(tmp) / label
                workdir.mkdir()
                r = await e2e_run(code, server, workdir, kill_after=args.kill_after, claim_seconds=args.claim_seconds)
                print(f"{label:<9} {r['answered']}/{r['updates']} answered from {r['chats']} chats: "
                      f"{r['missing']} lost, {r['twice']} twice; busiest 1 s {r['busiest_1s']} (Telegram: 30), "
                      f"busiest group 60 s {r['busiest_group_60s']} (Telegram: 20); posted in "
                      f"{r['delivered_s']:.0f} s, all answered after {r['seconds']:.0f} s; replica 3 killed "
                      f"after {args.kill_after} updates holding {len(r['taken_over'])} unanswered, answered by "
                      f"the others {r['taken_over'][0] if r['taken_over'] else 0:.1f}–"
                      f"{r['taken_over'][-1] if r['taken_over'] else 0:.1f} s after the kill (claim "
                      f"{args.claim_seconds:.0f} s); last reply {r['last_after_kill_s']:.0f} s after the kill; "
                      f"counters {r['counters']}", flush=True)
        elif args.mode == "kills":
            totals: dict[str, list[int]] = {label: [] for label, _ in codes}
            for run in range(args.runs):
                for label, code in (codes if run % 2 == 0 else codes[::-1]):
                    workdir = Path(tmp) / f"{label}-{run}"
                    workdir.mkdir()
                    r = await kill_run(code, server, workdir)
                    totals[label].append(r["twice"])
                    print(f"run {run + 1:>2} {label:<9} twice {r['twice']}  missing {r['missing']}  "
                          f"{ {k: v for k, v in r['counters'].items() if k != 'poison'} }", flush=True)
            for label, twice in totals.items():
                print(f"{label:<9} {len(twice)} runs: {sum(twice)} duplicates in all, per run {Counter(twice)}")
        else:
            print("           sent   1 s max: asked wire server  group 60 s  granted-asked   start-granted   "
                  "wire-start   server-wire  server-asked   (p50 / p99 / max ms)")
            for run in range(args.runs):
                for label, code in (codes if run % 2 == 0 else codes[::-1]):
                    workdir = Path(tmp) / f"{label}-{run}"
                    workdir.mkdir()
                    r = await load_run(code, server, workdir, private=args.private, groups=args.groups,
                                       per_group=args.per_group, hogs=args.hogs, favoured=not args.fake_unfavoured,
                                       fake_delivers=args.fake_delivers)
                    cols = list(zip(*r["lags"], strict=True)) if r["lags"] else [[]] * 5
                    print(f"{label:<9} {r['sent']:>4}/{r['expected']:<4} {r['busiest_asked_1s']:>4} "
                          f"{r['busiest_wire_1s']:>4} {r['busiest_1s']:>4}  "
                          f"{r['busiest_group_60s']:>10}     " + "  ".join(ms(list(c)) for c in cols)
                          + f"  retaken {r['retaken']}  {r['seconds']:.0f} s; reply unsafe after arrival "
                          f"{ms(r['windows'])}", flush=True)
            with open("/proc/loadavg") as f:
                print(f"load average at end: {f.read().split()[0]}")


if __name__ == "__main__":
    asyncio.run(main())
