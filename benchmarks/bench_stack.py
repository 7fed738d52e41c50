"""Updates per second through the handler stack, on a null network: the real python-telegram-bot
`Application` from bot.telegram_app with the project's handlers, the real Engine on the real corpus,
the durable inbox (bot.intake) and the SQLite query log, but no sockets: a `telegram.request.BaseRequest`
subclass answers every Bot API call with a canned reply (and hands out the updates on getUpdates).

    python benchmarks/bench_stack.py                        # 600 updates per row, this checkout
    python benchmarks/bench_stack.py --updates 2000
    python benchmarks/bench_stack.py --baseline /path/to/other/checkout   # side by side, alternating
    python benchmarks/bench_stack.py --profile inline --log on            # cProfile of one row

What production does, step by step: the intake's polling loop calls getUpdates (here: the next 100
updates), stores the batch in the inbox (one SQLite transaction), PTB's update processor runs the
handlers (16 at a time), each reply is serialised as it would go on the wire (the bot's JSON body, or
form-encoded for an older checkout; the encoding is done and its size counted, then dropped) and
recorded in the outbox ('sending', then 'sent'), the query log row is written, the update is marked
done in the inbox; the canned answer is JSON that PTB decodes, as Telegram's would be. Not measured:
the outgoing rate limiter (as deployed it caps sends near Telegram's 30/s; the stack itself is what
this measures), HTTP and the network. Every update comes
from a chat of its own (so the per-chat flood guard never interferes), which also means each reads
its chat settings once from the database, as a burst of new users would.

Rows: private commands, group commands, button taps (a tap on a reply's button in a private chat:
an edit in place) and inline queries, each with the query log on and off. Each row is measured
after a warm-up round of the same updates (the engine's and the views' caches are warm, as in a
bot that has been running). Prints a table: updates/s by wall clock, and per CPU second of the
process (all its threads; steadier on a shared machine). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(os.environ.get("BENCH_STACK_CODE", ROOT))
sys.path.insert(0, str(CODE))

from telegram.request import BaseRequest, RequestData  # noqa: E402

try:
    from bot.intake import json_body as WIRE
except ImportError:  # an older checkout: form-encoded
    WIRE = None

TOKEN = "123456789:NULL-network-token-for-the-benchmark-00"
BOT = {"id": 123456789, "is_bot": True, "first_name": "Brief", "username": "BriefBenchBot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
COMMANDS = ("/actor aliev", "/timeline PACE", "/claim political prisoners", "/help", "/actor qqqzzz",
            "/timeline 2023", "/sources", "/actor gafarova")
PRIVATE = (*COMMANDS, "gafarova", "what did karimli say about elections", "кто такой Алиев")
INLINE = ("aliev", "PACE", "political prisoners", "gafarova", "", "Алиев", "karabakh", "PACE 2024")
KINDS = ("private", "distinct", "group", "callback", "inline")
LABELS = {"private": "private commands and messages", "distinct": "private, every question new",
          "group": "group commands", "callback": "button taps", "inline": "inline queries"}


def distinct_questions() -> list[str]:
    """Each asked once: the commands of the eval sets (tests/eval), none of them among the warm-up's."""
    import yaml

    seen: dict[str, None] = {}
    for path in sorted((ROOT / "tests" / "eval").glob("queries_*.yaml")):
        for q in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("queries", []):
            if q.get("command") and q.get("query"):
                seen.setdefault(f"/{q['command']} {q['query']}", None)
    return [text for text in seen if text not in PRIVATE]


class NullNetwork:
    """The Bot API as canned answers: counts calls and bytes, and feeds getUpdates from `feed`."""

    def __init__(self) -> None:
        self.feed: deque[list[dict[str, Any]]] = deque()
        self.wake = asyncio.Event()
        self.counts: Counter[str] = Counter()
        self.bytes_out = 0
        self._message_ids = itertools.count(10_000)

    def push(self, updates: list[dict[str, Any]]) -> None:
        for start in range(0, len(updates), 100):  # getUpdates hands out at most 100
            self.feed.append(updates[start:start + 100])
        self.wake.set()

    async def answer(self, endpoint: str, params: dict[str, Any], timeout: float) -> Any:
        self.counts[endpoint] += 1
        if endpoint == "getUpdates":
            if not self.feed:
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), min(timeout, 0.05))
                except TimeoutError:
                    return []
            return self.feed.popleft() if self.feed else []
        if endpoint == "getMe":
            return BOT
        if endpoint in ("sendMessage", "editMessageText"):
            chat_id = int(params.get("chat_id") or 1)
            chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
            return {"message_id": int(params.get("message_id") or next(self._message_ids)), "date": int(time.time()),
                    "chat": chat, "from": BOT, "text": params.get("text", "")}
        if endpoint == "getChatMember":
            return {"status": "member", "user": {"id": int(params["user_id"]), "is_bot": False, "first_name": "U"}}
        return True  # answerInlineQuery, answerCallbackQuery, setMyCommands, deleteWebhook, ...


class NullRequest(BaseRequest):
    """No sockets: the request is encoded as it would go on the wire (PTB's JSON parameters, form-encoded
    as httpx would), its size counted, and a canned reply returned."""

    def __init__(self, network: NullNetwork) -> None:
        self.network = network

    @property
    def read_timeout(self) -> float | None:
        return 10.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE, write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE, pool_timeout: Any = BaseRequest.DEFAULT_NONE,
                         ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = {}
        if request_data is not None:
            body = WIRE(request_data) if WIRE is not None else None  # what RetryingRequest sends
            if body is None:  # PTB's own: form-encoded, as httpx does with `data=`
                body = urlencode(request_data.json_parameters).encode()
            self.network.bytes_out += len(body)
            params = request_data.parameters
        timeout = float(params.get("timeout", 0) or 0)
        result = await self.network.answer(endpoint, params, timeout)
        return 200, json.dumps({"ok": True, "result": result}).encode()


class NullTransport(httpx.AsyncBaseTransport):
    """For `--transport httpx`: the bot's own RetryingRequest and httpx client, minus the socket."""

    def __init__(self, network: NullNetwork) -> None:
        self.network = network

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.network.bytes_out += len(body)
        if request.headers.get("content-type", "").startswith("application/json"):
            params = json.loads(body)
        else:
            params = dict(parse_qsl(body.decode()))
        result = await self.network.answer(request.url.path.rsplit("/", 1)[-1], params,
                                           float(params.get("timeout", 0) or 0))
        return httpx.Response(200, content=json.dumps({"ok": True, "result": result}).encode())


def make_requests(network: NullNetwork, transport: str) -> tuple[BaseRequest, BaseRequest]:
    """(for sends, for getUpdates)"""
    if transport == "null":
        return NullRequest(network), NullRequest(network)
    from bot.intake import RetryingRequest

    timeouts = {f"{kind}_timeout": 10.0 for kind in ("connect", "read", "write", "pool")}
    return (RetryingRequest(retries=4, httpx_kwargs={"transport": NullTransport(network)}, **timeouts),
            RetryingRequest(retries=0, httpx_kwargs={"transport": NullTransport(network)}, **timeouts))


# ------------------------------------------------------------------------------ updates


def _user(uid: int, lang: str = "en") -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": f"U{uid}", "language_code": lang}


def _message(mid: int, chat: dict[str, Any], sender: dict[str, Any], text: str) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": mid, "date": int(time.time()), "chat": chat, "from": sender, "text": text}
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return msg


def button_data(engine: Any) -> list[str]:
    """What users tap: the callback data on the buttons of the bot's own replies (paging, open, more)."""
    found: list[str] = []
    for text in (*COMMANDS, "gafarova", "karabakh"):
        for full in (True, False):
            reply = engine.answer(text, full=full)
            for row in reply.buttons:
                for button in row:
                    data = getattr(button, "data", None)
                    if data and data not in found and not data.startswith(("/picture", "/settings", "/language")):
                        found.append(data)
    return found or ["/help"]


_ASKED = [0]  # distinct questions used so far in this process (the engine keeps its own caches across rows)


def make_updates(kind: str, n: int, first_id: int, taps: list[str]) -> list[dict[str, Any]]:
    updates = []
    questions: list[str] = []
    if kind == "distinct":
        every = distinct_questions()
        n = min(n, len(every) // 2)  # half for the row with the log on, half for the one with it off
        questions = every[_ASKED[0]:_ASKED[0] + n]
        _ASKED[0] += len(questions)
        n = len(questions)
    for i in range(n):
        uid = first_id + i
        update: dict[str, Any] = {"update_id": uid}
        user = _user(uid)
        if kind in ("private", "distinct"):
            text = questions[i] if questions else PRIVATE[i % len(PRIVATE)]
            update["message"] = _message(1, {"id": uid, "type": "private", "first_name": user["first_name"]}, user,
                                         text)
        elif kind == "group":
            chat = {"id": -uid, "type": "supergroup", "title": f"G{uid}"}
            update["message"] = _message(1, chat, user, COMMANDS[i % len(COMMANDS)])
        elif kind == "callback":
            shown = _message(7, {"id": uid, "type": "private", "first_name": user["first_name"]}, BOT, "earlier reply")
            update["callback_query"] = {"id": str(uid), "from": user, "message": shown, "chat_instance": f"ci{uid}",
                                        "data": taps[i % len(taps)]}
        else:
            update["inline_query"] = {"id": str(uid), "from": user, "query": INLINE[i % len(INLINE)], "offset": "",
                                      "chat_type": "sender"}
        updates.append(update)
    return updates


REPLIES = {"private": ("sendMessage",), "distinct": ("sendMessage",), "group": ("sendMessage",),
           "callback": ("answerCallbackQuery",), "inline": ("answerInlineQuery",)}


# ------------------------------------------------------------------------------ one run


async def _run_batch(app: Any, network: NullNetwork, updates: list[dict[str, Any]], kind: str) -> tuple[float, float]:
    from bot.telegram_app import intake_of

    intake = intake_of(app)
    want = REPLIES[kind][0]
    before = network.counts[want]
    wall, cpu = time.perf_counter(), time.process_time()
    network.push(updates)
    while network.counts[want] - before < len(updates) or intake.pending or network.feed:
        await asyncio.sleep(0.002)
    # The log rows of the last updates are written after their replies: wait for the storage's queue.
    storage = app.bot_data["briefbot"].storage
    if hasattr(storage, "flush"):
        await storage.flush()
    else:
        await storage.get_settings(0)  # queued behind every earlier write on the same connection
    return time.perf_counter() - wall, time.process_time() - cpu


async def measure(engine: Any, kinds: tuple[str, ...], logs: tuple[bool, ...], n: int, *,
                  transport: str = "null", profile: cProfile.Profile | None = None
                  ) -> dict[tuple[str, bool], dict[str, float]]:
    from bot.config import Config
    from bot.telegram_app import build_application, start_app, stop_app

    taps = button_data(engine)
    out: dict[tuple[str, bool], dict[str, float]] = {}
    first = 1
    for log_on in logs:
        answered = 0  # updates whose answer the query log records (inline queries log only a chosen result)
        with tempfile.TemporaryDirectory() as tmp:
            network = NullNetwork()
            config = Config(token=TOKEN, db_path=Path(tmp) / "bench.sqlite3", query_log=log_on,
                            heartbeat_file=Path(tmp) / "heartbeat", drain_seconds=5.0)
            requests = make_requests(network, transport)
            try:
                app = build_application(config, engine, rate_limited=False, requests=requests)
            except TypeError:  # an older checkout without the `requests` seam
                app = build_application(config, engine, rate_limited=False)
                app.bot._request = (requests[1], requests[0])
            await start_app(app, poll_timeout=1)
            try:
                for kind in kinds:
                    warm = make_updates("private" if kind == "distinct" else kind, min(n, 200), first, taps)
                    first += len(warm)
                    await _run_batch(app, network, warm, kind)
                    updates = make_updates(kind, n, first, taps)
                    first += len(updates)
                    sent = network.bytes_out
                    if profile is not None:
                        profile.enable()
                    wall, cpu = await _run_batch(app, network, updates, kind)
                    answered += 0 if kind == "inline" else len(warm) + len(updates)
                    if profile is not None:
                        profile.disable()
                    k = len(updates)
                    out[(kind, log_on)] = {"per_second": k / wall, "per_cpu_second": k / cpu if cpu else 0.0,
                                           "kb_per_update": (network.bytes_out - sent) / k / 1024, "updates": k}
            finally:
                await stop_app(app, drain_seconds=5.0)
            if log_on:
                logged = await _logged_rows(Path(tmp) / "bench.sqlite3")
                out[("_logged", log_on)] = {"rows": logged, "updates": answered}
    return out


async def _logged_rows(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM query_log").fetchone()[0])


def run_here(args: argparse.Namespace) -> dict[str, Any]:
    from bot.core import Engine

    engine = Engine.load(CODE / "briefs", CODE / "seeds") if (CODE / "briefs").is_dir() else Engine.load(
        ROOT / "briefs", ROOT / "seeds")
    kinds = tuple(args.kinds.split(","))
    logs = {"on": (True,), "off": (False,), "both": (True, False)}[args.log]
    profile = cProfile.Profile() if args.profile else None
    if profile is not None:
        kinds = (args.profile,)
    result = asyncio.run(measure(engine, kinds, logs, args.updates, transport=args.transport, profile=profile))
    if profile is not None:
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return {f"{kind}|{'on' if log_on else 'off'}": row for (kind, log_on), row in result.items()}


# ------------------------------------------------------------------------------ table


def _child(code: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "BENCH_STACK_CODE": str(code)}
    cmd = [sys.executable, __file__, "--json", "--updates", str(args.updates), "--kinds", args.kinds, "--log", args.log,
           "--transport", args.transport]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=600, help="updates per row (after a warm-up of 200)")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--log", choices=("on", "off", "both"), default="both", help="the query log")
    parser.add_argument("--transport", choices=("null", "httpx"), default="null",
                        help="null: a BaseRequest with canned answers; httpx: the bot's RetryingRequest over httpx "
                             "with an in-memory transport (adds httpx's per-request work)")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured in turn with this one")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds with --baseline (best kept)")
    parser.add_argument("--profile", choices=KINDS, help="cProfile one kind of update and print the top")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json or args.profile:
        result = run_here(args)
        if args.json:
            print(json.dumps(result))
        return 0
    runs: dict[str, list[dict[str, Any]]] = {"this": []}
    if args.baseline:
        runs["baseline"] = []
    for _ in range(args.rounds if args.baseline else 1):
        for name in runs:
            runs[name].append(_child(args.baseline if name == "baseline" else ROOT, args))
    best = {name: {key: max((r[key] for r in results), key=lambda row: row.get("per_second", 0))
                   for key in results[0]} for name, results in runs.items()}
    load = os.getloadavg()
    print(f"{args.transport} network, one process, {args.updates} updates per row; load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; best of {len(runs['this'])} run(s)")
    head = f"| {'updates':30} | log | updates/s | per CPU s | KB out/update |"
    if args.baseline:
        head += " baseline updates/s | per CPU s | ratio |"
    print(head)
    print("|" + "|".join("---" for _ in head.split("|")[1:-1]) + "|")
    for kind in args.kinds.split(","):
        for log_on in {"on": ("on",), "off": ("off",), "both": ("on", "off")}[args.log]:
            row = best["this"][f"{kind}|{log_on}"]
            line = (f"| {LABELS[kind]:30} | {log_on:3} | {row['per_second']:9.0f} | {row['per_cpu_second']:9.0f} | "
                    f"{row['kb_per_update']:13.1f} |")
            if args.baseline:
                base = best["baseline"][f"{kind}|{log_on}"]
                line += (f" {base['per_second']:18.0f} | {base['per_cpu_second']:9.0f} | "
                         f"{row['per_second'] / base['per_second']:4.2f}× |")
            print(line)
    for name, results in best.items():
        logged = results.get("_logged|on")
        if logged:
            print(f"{name}: query log rows {logged['rows']} for {logged['updates']} updates handled with it on")
    return 0


if __name__ == "__main__":
    sys.exit(main())
