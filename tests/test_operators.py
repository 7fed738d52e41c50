"""What an operator relies on: `make run` reads .env, compose mounts the corpus so a reload sees a curator's
change, and the database can be backed up while the bot runs."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

from bot.dotenv import EnvFileError, load, parse
from bot.storage import Storage

ROOT = Path(__file__).resolve().parent.parent


def test_env_files_read_like_docker_compose_and_the_environment_wins() -> None:
    text = '# comment\nTELEGRAM_BOT_TOKEN=123:abc\nexport BRIEFBOT_ADMINS="1,2"\nBRIEFBOT_LOG_LEVEL=DEBUG # noisy\n\n'
    assert parse(text) == {"TELEGRAM_BOT_TOKEN": "123:abc", "BRIEFBOT_ADMINS": "1,2", "BRIEFBOT_LOG_LEVEL": "DEBUG"}
    with pytest.raises(EnvFileError, match=r"x\.env:2: expected NAME=value"):
        parse("A=1\nnot a setting\n", "x.env")


def test_load_keeps_what_the_environment_already_says(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("A=from-file\nB=from-file\n", encoding="utf-8")
    environ = {"A": "from-env"}
    assert load(env_file, environ) == 1
    assert environ == {"A": "from-env", "B": "from-file"}
    with pytest.raises(EnvFileError, match=r"cp \.env\.example \.env"):
        load(tmp_path / "missing.env", {})


def run_briefbot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "BRIEFBOT_EMBEDDER": "none"})


def test_run_with_an_env_file_uses_its_token_and_says_so_in_one_line(tmp_path: Path) -> None:
    missing = run_briefbot("run", "--env-file", ".env", cwd=tmp_path)
    assert missing.returncode == 2 and "cp .env.example .env" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=not-a-token\n", encoding="utf-8")
    bad = run_briefbot("run", "--env-file", ".env", cwd=tmp_path)
    assert bad.returncode == 2 and "token is malformed" in bad.stderr  # read from the file, not "no bot token"
    assert "not-a-token" not in bad.stderr and "Traceback" not in bad.stderr


def test_make_run_passes_the_env_file() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "briefbot run --env-file .env" in recipe


def test_compose_mounts_the_corpus_where_the_image_reads_it() -> None:
    bot = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]["bot"]
    mounts = {PurePosixPath(v.split(":")[1]): v.split(":")[0] for v in bot["volumes"] if isinstance(v, str)}
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for name, env in (("briefs", "BRIEFBOT_BRIEFS"), ("seeds", "BRIEFBOT_SEEDS")):
        target = PurePosixPath(f"/app/{name}")
        assert f"{env}={target}" in dockerfile  # the folder the bot loads (and reloads) from
        assert mounts.get(target) == f"./{name}"  # is the host's, so a reload sees a curator's change


def test_the_database_backs_up_while_open_and_restores(tmp_path: Path) -> None:
    """The README's recipe: sqlite3's online backup while the bot holds the file (WAL), then a restore."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"

    async def scenario() -> None:
        async with Storage.open(db) as storage:
            await storage.set_setting(-100, "length", "brief")
            await storage.log_query(chat_type="private", command="actor", query="aliev", matched=True,
                                    best_score=100.0, latency_ms=1.0)
            await asyncio.sleep(0.7)  # the query log is written in batches, within half a second
            source = sqlite3.connect(db)  # what `sqlite3 data/briefbot.sqlite3 ".backup ..."` does
            target = sqlite3.connect(backup)
            source.backup(target)
            source.close()
            target.close()
        db.unlink()
        backup.rename(db)  # restore: stop the bot, put the backup in place, start it
        async with Storage.open(db) as storage:
            assert await storage.get_settings(-100) == {"length": "brief"}
            assert (await storage.stats())["total_queries"] == 1

    asyncio.run(scenario())


def test_stats_count_days_matches_commands_and_nearest_rank_percentiles(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.stats import stats_html, usage

    now = datetime(2026, 12, 1, 12, tzinfo=UTC)

    async def rows() -> list[tuple[datetime, str, bool, float]]:
        async with Storage.open(tmp_path / "bot.sqlite3") as storage:
            for n in range(100):  # 100 answers today, latencies 1..100 ms, every fourth unmatched
                await storage.log_query(chat_type="private", command="actor" if n % 2 else "timeline", query="q",
                                        matched=n % 4 != 0, best_score=90.0, latency_ms=float(n + 1),
                                        at=now - timedelta(minutes=n))
            await storage.log_query(chat_type="group", command="claim", query="q", matched=True, best_score=90.0,
                                    latency_ms=500.0, at=now - timedelta(days=2))
            await storage.log_query(chat_type="group", command="claim", query="old", matched=True, best_score=90.0,
                                    latency_ms=9000.0, at=now - timedelta(days=40))  # outside the window
            return await storage.query_log_rows(30, now=now)

    u = usage(asyncio.run(rows()), 30)
    assert u.total == 101 and u.matched == 76
    assert [n for _, n in u.per_day] == [1, 100]
    assert dict(u.commands) == {"actor": 50, "timeline": 50, "claim": 1}
    assert (u.p50_ms, u.p99_ms) == (51.0, 100.0)  # nearest rank over 101 values; the 40-day-old 9 s is gone
    text = stats_html(u)
    assert "Matched: 75% of 101" in text and "p50 51 ms, p99 100 ms" in text
    assert stats_html(usage([], 30)).startswith("The query log holds nothing")
