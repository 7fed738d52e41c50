"""The `briefbot` command line: check, ask, chat, run, gaps, health, draft, export, picture."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.check import run_check
from bot.corpus import CorpusError
from bot.hygiene import clean
from bot.i18n import LANGS
from bot.render import plain_text
from bot.storage import Storage

T = TypeVar("T")

PROJECT = Path(__file__).resolve().parent.parent


def _default_dir(env: str, name: str) -> str:
    """$BRIEFBOT_BRIEFS / $BRIEFBOT_SEEDS (the image sets them), else the checkout beside the code (an
    editable install), else ./name in the current folder (a curator's working copy), else the copy
    installed with the package, so `briefbot ask`/`chat` work from any directory."""
    if value := os.environ.get(env):
        return value
    beside_code = PROJECT / name
    if beside_code.is_dir():
        return str(beside_code)
    if Path(name).is_dir():
        return name
    installed = _installed_dir(name)
    return str(installed) if installed is not None else name


def _installed_dir(name: str) -> Path | None:
    """The corpus folder shipped inside the package (`bot._briefs`, `bot._seeds`), if there is one."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(f"bot._{name}")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return None


def _load_engine(args: argparse.Namespace, **options: object):  # -> Engine; imported late so `check` stays light
    from bot.core import Engine

    try:
        return Engine.load(Path(args.briefs), Path(args.seeds), **options)
    except CorpusError as exc:
        for problem in exc.problems[:20]:
            print(problem, file=sys.stderr)
        print(f"briefbot: the corpus has {len(exc.problems)} problem(s); run `briefbot check`.", file=sys.stderr)
        return None


def as_text(markup: str) -> str:
    """Telegram HTML as readable console text."""
    def quoted(m: re.Match[str]) -> str:  # a block, as in Telegram: its own lines, each marked
        return "\n".join("  │ " + line for line in m.group(1).split("\n")) + "\n"

    text = re.sub(r"<blockquote>(.*?)</blockquote>\n?", quoted, markup, flags=re.S)
    return plain_text(text)


def cmd_check(args: argparse.Namespace) -> int:
    if not args.report:
        return run_check(Path(args.briefs), Path(args.seeds))
    # --report: what to look at next (the check itself still runs first: an invalid corpus is the first thing).
    from bot.curate.report import build_report

    engine = _load_engine(args)
    if engine is None:
        return 1
    db = _db_path(args)
    if isinstance(db, str) or db.is_file():  # a URL (PostgreSQL, sqlite:///) is opened as is
        from bot.pgstore import redact_dsn

        where = redact_dsn(db) if isinstance(db, str) else db
        report = _with_storage(args, lambda storage: build_report(engine, storage, limit=args.limit,
                                                                  since_days=args.days, log=f"query log {where}"))
    else:
        report = asyncio.run(build_report(engine, None, log=f"no query log at {db}; --db or $BRIEFBOT_DB"))
    print(report.as_json() if args.json else report.as_text(limit=args.limit), end="" if not args.json else "\n")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """Embed every entry into the on-disk cache (the Docker image does this when it is built)."""
    import time

    started = time.perf_counter()
    engine = _load_engine(args)
    if engine is None:
        return 1
    if engine.semantic is None:
        print(f"briefbot index: matching by meaning is off ({engine.semantic_off_reason}); nothing to embed")
        return 0
    cache = engine.semantic.cache
    print(f"briefbot index: {len(engine.semantic.passages)} passages with {engine.semantic.embedder.name}, "
          f"{cache.computed} embedded now, in {time.perf_counter() - started:.1f} s; cache {cache.path}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    engine = _load_engine(args)
    if engine is None:
        return 1
    if args.message:
        reply = engine.answer(clean(" ".join(args.message)), full=args.full, lang=args.lang)
        if args.json:
            print(json.dumps(_json(reply), ensure_ascii=False))
        else:
            print(reply.html if args.html else as_text(reply.html))
        return 0
    # Batch: one message per line on stdin, one JSON object per line out, in order.
    for line in sys.stdin:
        message = line.rstrip("\n")
        reply = engine.answer(clean(message), full=args.full, lang=args.lang)
        out = _json(reply) | {"query": message}
        print(json.dumps(out, ensure_ascii=False) if args.json else as_text(reply.html) + "\n", flush=True)
    return 0


def _json(reply) -> dict:
    return {"query": reply.query, "matched": reply.matched, "reply": reply.html, "sources": list(reply.sources)}


def cmd_draft(args: argparse.Namespace) -> int:
    """A draft brief for a new article: written to briefs/sources/<stem>.yaml (or printed with `-`)."""
    from bot.core import Engine
    from bot.corpus import load_corpus
    from bot.curate.draft import draft

    seed, briefs, seeds = Path(args.seed), Path(args.briefs), Path(args.seeds)
    if not seed.is_file():
        print(f"briefbot draft: no such file: {seed}", file=sys.stderr)
        return 2
    target = args.output or str(briefs / "sources" / f"{seed.stem}.yaml")
    if target != "-" and Path(target).exists() and not args.force:
        print(f"briefbot draft: {target} exists; review it, or pass --force to overwrite it (or `-` to print)",
              file=sys.stderr)
        return 1
    try:
        # The article has no brief yet (or only the draft under review): the rest of the corpus is what
        # it is drafted against.
        default = briefs / "sources" / f"{seed.stem}.yaml"
        corpus = load_corpus(briefs, seeds, skip=frozenset({seed.name}),
                             skip_briefs=frozenset({default, *([Path(target)] if target != "-" else [])}))
    except CorpusError as exc:
        for problem in exc.problems[:20]:
            print(problem, file=sys.stderr)
        print(f"briefbot draft: the corpus has {len(exc.problems)} problem(s); fix them first (`briefbot check`).",
              file=sys.stderr)
        return 1
    try:
        result = draft(seed, Engine(corpus))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"briefbot draft: cannot read {seed}: {exc}", file=sys.stderr)
        return 2
    text = result.yaml()
    todos = sum(1 for line in text.splitlines() if "TODO" in line)
    counts = (f"{len(result.events)} event(s), {len(result.claims)} claim(s), {len(result.new_actors)} new actor "
              f"candidate(s); {todos} TODO line(s) to review")
    if target == "-":
        print(text, end="")
        print(f"briefbot draft: {counts}.", file=sys.stderr)
        return 0
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"briefbot draft: wrote {path}: {counts} (`briefbot check` lists them with file:line).")
    if not (seeds / seed.name).is_file():
        print(f"briefbot draft: copy {seed} into {seeds}/ as well: check verifies every quote against it.",
              file=sys.stderr)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The Telegram bot: polling, or a webhook when BRIEFBOT_WEBHOOK_URL is set. Errors are one line."""
    from bot.config import Config, ConfigError
    from bot.dotenv import EnvFileError, load
    from bot.telegram_app import run

    if args.env_file:
        before = set(os.environ)
        try:
            load(Path(args.env_file))
        except EnvFileError as exc:
            print(f"briefbot: {exc}", file=sys.stderr)
            return 2
        for env, name in (("BRIEFBOT_BRIEFS", "briefs"), ("BRIEFBOT_SEEDS", "seeds")):
            if env not in before and env in os.environ and getattr(args, name) == _default_dir("-", name):
                setattr(args, name, os.environ[env])  # from the file, unless --briefs/--seeds said otherwise
    try:
        config = Config.from_env(briefs_dir=Path(args.briefs), seeds_dir=Path(args.seeds))
    except ConfigError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return 2
    return run(config)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.chat import run_chat

    engine = _load_engine(args)
    return 1 if engine is None else run_chat(engine, full=not args.brief, lang=args.lang)


def _db_path(args: argparse.Namespace) -> Path | str:
    """A SQLite file, or a sqlite:/// or postgresql:// URL (kept as text: a Path would mangle the //)."""
    target = args.db or os.environ.get("BRIEFBOT_DB") or "data/briefbot.sqlite3"
    return target if "://" in target else Path(target)


def cmd_set_webhook(args: argparse.Namespace) -> int:
    """The one deploy step that points Telegram at the load balancer (replicas sharing PostgreSQL do not)."""
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.config import Config, ConfigError
    from bot.dotenv import EnvFileError, load
    from bot.intake import register_webhook
    from bot.telegram_app import ALLOWED_UPDATES, install_log_redaction, webhook_settings

    if args.env_file:
        try:
            load(Path(args.env_file))
        except EnvFileError as exc:
            print(f"briefbot: {exc}", file=sys.stderr)
            return 2
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return 2
    if not args.delete and not (config.webhook_url and config.webhook_secret):
        print("briefbot: set-webhook needs BRIEFBOT_WEBHOOK_URL (the load balancer's public URL) and "
              "BRIEFBOT_WEBHOOK_SECRET (the one every replica checks)", file=sys.stderr)
        return 2
    install_log_redaction(config.token, *([config.webhook_secret] if config.webhook_secret else []))

    async def job() -> None:
        bot = Bot(config.token, base_url=config.base_url or "https://api.telegram.org/bot",
                  base_file_url=config.base_file_url or "https://api.telegram.org/file/bot")
        async with bot:
            if args.delete:
                await bot.delete_webhook(drop_pending_updates=False)
            else:
                await register_webhook(bot, webhook_settings(config), ALLOWED_UPDATES)

    try:
        asyncio.run(job())
    except TelegramError as exc:
        print(f"briefbot: Telegram refused: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
        return 1
    print("briefbot: webhook deleted" if args.delete else f"briefbot: webhook set to {config.webhook_url}")
    return 0


def _with_storage(args: argparse.Namespace, use: Callable[[Storage], Awaitable[T]]) -> T:
    """Open the bot's SQLite file for one command-line job and close it again."""

    async def job() -> T:
        async with Storage.open(_db_path(args)) as storage:
            return await use(storage)

    return asyncio.run(job())


def cmd_gaps(args: argparse.Namespace) -> int:
    from bot.gaps import gaps_report

    engine = _load_engine(args)
    if engine is None:
        return 1
    report = _with_storage(args, lambda storage: gaps_report(storage, engine, limit=args.limit, since_days=args.days))
    print(as_text(report))
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    """For container health checks: the corpus loads and validates, the database opens, and the bot here
    (if one ran, or with --bot: it must) had a successful Bot API round trip within the allowed silence."""
    from bot.config import _bool, _float, heartbeat_path_for
    from bot.intake import Heartbeat
    from bot.storage import describe_fault

    engine = _load_engine(args)
    if engine is None:
        return 1
    db = _db_path(args)
    try:
        _with_storage(args, lambda storage: storage.stats())
    except Exception as exc:  # any storage failure means unhealthy (unless the bot may run without it)
        problem = f"briefbot health: database: {describe_fault(db, exc)}"
        if not _bool(os.environ.get("BRIEFBOT_DB_DEGRADED_OK") or None, "BRIEFBOT_DB_DEGRADED_OK", False):
            print(problem, file=sys.stderr)
            return 1
        print(problem + " (BRIEFBOT_DB_DEGRADED_OK=1: not counted as unhealthy)", file=sys.stderr)
    limit = args.max_silence or _float(os.environ.get("BRIEFBOT_HEALTH_MAX_SILENCE") or None,
                                       "BRIEFBOT_HEALTH_MAX_SILENCE", 180.0, 1, 86400)
    heartbeat = Path(os.environ.get("BRIEFBOT_HEARTBEAT_FILE") or heartbeat_path_for(db))
    age = Heartbeat.age(heartbeat)
    if age is None and args.bot:
        print("briefbot health: the bot has not reached Telegram yet (or is not running)", file=sys.stderr)
        return 1
    if age is not None and age > limit:
        print(f"briefbot health: no successful Bot API round trip for {age:.0f} s (allowed: {limit:.0f} s)",
              file=sys.stderr)
        return 1
    bot = f"; last Bot API round trip {age:.0f} s ago" if age is not None else ""
    print(f"briefbot health: OK ({len(engine.index)} entries indexed{bot})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """The index as TimelineJS3 JSON, schema.org claims (JSON-LD) or CSV, to stdout or `-o file`."""
    from bot.export import render

    engine = _load_engine(args, embedder=None)  # the files need no matching by meaning
    if engine is None:
        return 1
    text = render(args.format, engine.corpus, engine.provenance)
    if args.output and args.output != "-":
        try:
            Path(args.output).write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            print(f"briefbot export: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"briefbot export: {args.format} written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_picture(args: argparse.Namespace) -> int:
    """The timeline picture of `/timeline <query>` as a PNG file (what the Picture button sends)."""
    from bot.picture import timeline_picture

    engine = _load_engine(args)
    if engine is None:
        return 1
    query = " ".join(args.query)
    picture = timeline_picture(engine, query)
    if picture is None:
        print(f"briefbot picture: no events to draw for {query!r}", file=sys.stderr)
        return 1
    try:
        Path(args.output).write_bytes(picture.png)
    except OSError as exc:
        print(f"briefbot picture: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"briefbot picture: {picture.caption} -> {args.output}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefbot", description="Cited, attributed briefings from a curated index.")
    parser.add_argument("--briefs", default=_default_dir("BRIEFBOT_BRIEFS", "briefs"),
                        help="curated YAML folder (default: $BRIEFBOT_BRIEFS or %(default)s)")
    parser.add_argument("--seeds", default=_default_dir("BRIEFBOT_SEEDS", "seeds"),
                        help="source documents folder (default: $BRIEFBOT_SEEDS or %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the briefs against the sources; list every problem")
    check.add_argument("--report", action="store_true",
                       help="what to look at next: contested claims without a counter-claim, events cited by one "
                            "document, entries no user asked for, frequent unanswered queries")
    check.add_argument("--json", action="store_true", help="the report as JSON")
    check.add_argument("--db", help="SQLite file with the query log (default: $BRIEFBOT_DB or data/briefbot.sqlite3)")
    check.add_argument("--limit", type=int, default=20, help="rows per section in the text report, and gaps listed")
    check.add_argument("--days", type=int, default=None, help="only queries from the last N days")
    sub.add_parser("index", help="embed every entry into the on-disk cache (BRIEFBOT_CACHE_DIR) ahead of start-up")
    ask = sub.add_parser("ask", help="answer one message, or stdin lines (one per line) with --json")
    ask.add_argument("message", nargs="*", help='e.g. "/actor aliev"; omit to read stdin')
    ask.add_argument("--json", action="store_true", help="one JSON object per line: query, matched, reply, sources")
    ask.add_argument("--html", action="store_true", help="print the Telegram HTML instead of plain text")
    ask.add_argument("--full", action="store_true", help="full replies (as in a private chat) instead of brief")
    ask.add_argument("--lang", choices=LANGS, default="en",
                     help="reply language (default: %(default)s, so batch scoring does not depend on it)")
    chat = sub.add_parser("chat", help="interactive console on the same answer core as the bot")
    chat.add_argument("--brief", action="store_true", help="brief replies, as in a group chat")
    chat.add_argument("--lang", choices=LANGS, default=None,
                      help="reply language (default: the language you write in, else English; /language changes it)")
    drafting = sub.add_parser("draft", help="draft a brief for a new article (every guess marked TODO for review)")
    drafting.add_argument("seed", help="the article, e.g. seeds/005_….txt")
    drafting.add_argument("output", nargs="?", help="where to write (default: briefs/sources/<stem>.yaml; - prints)")
    drafting.add_argument("--force", action="store_true", help="overwrite an existing brief")
    run_parser = sub.add_parser("run", help="run the Telegram bot (polling, or webhook if BRIEFBOT_WEBHOOK_URL is set)")
    run_parser.add_argument("--env-file", metavar="FILE",
                            help="read settings from FILE (NAME=value lines, as docker compose reads .env); "
                                 "variables already set win (`make run` passes .env)")
    hook = sub.add_parser("set-webhook", help="register BRIEFBOT_WEBHOOK_URL with Telegram once, for all replicas "
                                              "(a deploy step; replicas sharing PostgreSQL do not register it)")
    hook.add_argument("--delete", action="store_true", help="remove the webhook instead (back to polling)")
    hook.add_argument("--env-file", metavar="FILE", help="read settings from FILE first, as `run --env-file` does")
    gaps = sub.add_parser("gaps", help="most frequent unanswered queries and their nearest entries (curators)")
    gaps.add_argument("--db", help="SQLite file or postgresql:// URL (default: $BRIEFBOT_DB or data/briefbot.sqlite3)")
    gaps.add_argument("--limit", type=int, default=20)
    gaps.add_argument("--days", type=int, default=None, help="only queries from the last N days")
    health = sub.add_parser("health", help="exit 0 if the corpus loads, the database opens and the bot is in touch")
    health.add_argument("--db", help="SQLite file or postgresql:// URL (default: $BRIEFBOT_DB or "
                        "data/briefbot.sqlite3)")
    health.add_argument("--bot", action="store_true",
                        help="fail unless a bot using this database has reached Telegram (the container check)")
    health.add_argument("--max-silence", type=float, default=None, metavar="SECONDS",
                        help="allowed time since the last Bot API round trip (default: "
                             "$BRIEFBOT_HEALTH_MAX_SILENCE or 180)")
    export = sub.add_parser("export", help="the index as TimelineJS3 JSON, schema.org claims (JSON-LD) or CSV")
    export.add_argument("format", choices=("timelinejs", "claims", "csv"),
                        help="timelinejs: TimelineJS3 JSON; claims: schema.org Claim JSON-LD; csv: events and claims")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    picture = sub.add_parser("picture", help="the timeline picture of a /timeline query, as a PNG file")
    picture.add_argument("query", nargs="*", help="topic and/or date, as after /timeline (none: the whole timeline)")
    picture.add_argument("-o", "--output", metavar="FILE", default="timeline.png", help="PNG file (%(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"check": cmd_check, "index": cmd_index, "ask": cmd_ask, "chat": cmd_chat, "run": cmd_run,
                "gaps": cmd_gaps, "health": cmd_health, "draft": cmd_draft, "export": cmd_export,
                "picture": cmd_picture, "set-webhook": cmd_set_webhook}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
