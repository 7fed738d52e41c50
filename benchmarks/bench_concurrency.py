"""Whole answers by 1 and by 10 concurrent users, as the Telegram adapter runs them (a pool of worker
threads calling Engine.answer), on the default engine (matching by meaning on) and words only.

    .venv/bin/python benchmarks/bench_concurrency.py [--users 1,10] [--messages 200]

Each user sends the eval-set messages in its own order (so the query-embedding memo does not
answer for the others), one after another; every message is a new one. Prints answers per second
and per-answer p50/p99 (wall clock: what a user waits, queueing for the model included) for each
(engine, users). One process per engine, on both cores. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def worker(users: list[int], count: int) -> list[dict]:
    from bench_semantic import messages

    from bot.core import Engine

    engine = Engine.load(ROOT / "briefs", ROOT / "seeds")
    msgs = messages()
    for m in msgs[:10]:
        engine.answer(m)
    out = []
    for n in users:
        semantic = getattr(engine, "semantic", None)
        if semantic is not None:
            semantic._memo.clear()
        orders = [random.Random(u).sample(msgs, min(count, len(msgs))) for u in range(n)]

        def user(order: list[str]) -> list[float]:
            waits = []
            for m in order:
                t = time.perf_counter()
                engine.answer(m)
                waits.append((time.perf_counter() - t) * 1000)
            return waits

        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            waits = [w for ws in pool.map(user, orders) for w in ws]
        elapsed = time.perf_counter() - t
        out.append({"users": n, "per_s": len(waits) / elapsed, "p50": statistics.median(waits),
                    "p99": percentile(waits, 0.99), "n": len(waits)})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", default="1,10")
    ap.add_argument("--messages", type=int, default=200, help="messages per user")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    users = [int(u) for u in args.users.split(",")]
    if args.worker:
        print(json.dumps(worker(users, args.messages)))
        return 0
    print("engine                      users  answers/s   p50 ms   p99 ms")
    for label, env in (("semantic (default)", {}), ("words only", {"BRIEFBOT_EMBEDDER": "none"})):
        proc = subprocess.run([sys.executable, __file__, "--worker", "--users", args.users, "--messages",
                               str(args.messages)], capture_output=True, text=True, check=True,
                              env={**os.environ, **env})
        for r in json.loads(proc.stdout.strip().splitlines()[-1]):
            print(f"{label:27} {r['users']:5} {r['per_s']:10.1f} {r['p50']:8.2f} {r['p99']:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
