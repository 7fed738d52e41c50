"""Updates per second through the whole Telegram stack: PTB polling, flood guard, handlers, the real
Engine on the real corpus, the SQLite query log, HTTP to a Bot API server and back.

    python benchmarks/telegram_throughput.py             # 600 updates, with and without the rate limiter
    python benchmarks/telegram_throughput.py --updates 2000

The Bot API is tests/fake_bot_api.py, run in its own process (it validates every request against
the spec, which costs CPU; on its own core it does not slow the bot). A quarter of the updates are
inline queries, the rest commands and searches. Each update comes from its own private chat, so
the per-chat flood guard never interferes. With PTB's AIORateLimiter on (as deployed) sends are
capped near Telegram's 30 messages/s; the unlimited run shows what the handler stack itself can
do. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Config  # noqa: E402
from bot.core import Engine  # noqa: E402
from bot.telegram_app import ALLOWED_UPDATES, build_application  # noqa: E402
from tests.fake_bot_api import TOKEN, start_polling, stop_app  # noqa: E402

MESSAGES = ("/actor aliev", "/timeline PACE", "/claim political prisoners", "gafarova", "/help",
            "/actor qqqzzz", "/timeline 2023", "/sources")


async def measure(engine: Engine, port: int, updates: int, *, rate_limited: bool, first_user: int,
                  inline_share: int = 4) -> dict[str, float]:
    control = f"http://127.0.0.1:{port}/_control"
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(token=TOKEN, api_url=f"http://127.0.0.1:{port}", db_path=Path(tmp) / "bench.sqlite3")
        app = build_application(config, engine, rate_limited=rate_limited)
        await start_polling(app, allowed_updates=ALLOWED_UPDATES)
        async with httpx.AsyncClient(timeout=30) as client:
            try:
                before = (await client.post(f"{control}/stats")).json()["counts"]
                batch = [{"user_id": first_user + i, "inline": bool(inline_share and i % inline_share == 3),
                          "text": MESSAGES[i % len(MESSAGES)]} for i in range(updates)]
                for item in batch:
                    if item["inline"]:
                        item["text"] = item["text"].split(" ", 1)[-1]
                inline = sum(1 for item in batch if item["inline"])
                start = time.monotonic()
                await client.post(f"{control}/push", json={"messages": batch})
                while True:
                    stats = (await client.post(f"{control}/stats")).json()
                    counts = stats["counts"]
                    sent = counts.get("sendMessage", 0) - before.get("sendMessage", 0)
                    answered = counts.get("answerInlineQuery", 0) - before.get("answerInlineQuery", 0)
                    if sent >= updates - inline and answered >= inline:
                        break
                    await asyncio.sleep(0.05)
                elapsed = time.monotonic() - start
            finally:
                await stop_app(app)
    latencies = [(at - start) * 1000 for chat, at in stats["replies"].items() if int(chat) >= first_user]
    if stats["violations"]:
        print("INVALID REQUESTS:", stats["violations"])
    return {"updates": updates, "seconds": elapsed, "per_second": updates / elapsed, "replies": sent,
            "inline": answered, "p50_ms": statistics.median(latencies), "max_ms": max(latencies)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=600)
    args = parser.parse_args()
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds")
    server = subprocess.Popen([sys.executable, "-m", "tests.fake_bot_api"], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        for k, rate_limited in enumerate((False, True)):
            n = args.updates if not rate_limited else min(args.updates, 300)
            r = asyncio.run(measure(engine, port, n, rate_limited=rate_limited, first_user=1_000_000 * (k + 1)))
            label = "with AIORateLimiter (as deployed)" if rate_limited else "without the outgoing rate limiter"
            print(f"{label:36} {r['updates']:5d} updates ({r['replies']} messages, {r['inline']} inline) "
                  f"in {r['seconds']:.2f} s = {r['per_second']:.0f} updates/s; time to reply under this burst: "
                  f"p50 {r['p50_ms']:.0f} ms, max {r['max_ms']:.0f} ms")
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
