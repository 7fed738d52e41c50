"""`briefbot run` as an operator meets it, in a real subprocess against the fake Bot API: kill -9 under a
backlog, a token revoked while running, SIGTERM with a backlog, SIGHUP reloads, a broken corpus and
unusable databases at start-up. Each test fails on the bot before the durable inbox (issue #8)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import heartbeat_path_for
from tests.conftest import ROOT
from tests.fake_bot_api import TOKEN, FakeBotAPI

RUN = "import sys; from bot.telegram_app import run; sys.exit(run())"  # what `briefbot run` calls


class BotProcess:
    """One `briefbot run` process; stderr is collected as it runs."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.err: list[str] = []
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> BotProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", RUN, cwd=ROOT, env=self.env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        async for line in self.proc.stderr:
            self.err.append(line.decode(errors="replace"))

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def wait(self, timeout: float = 30.0) -> int:
        assert self.proc is not None
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
        return code

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            self._reader.cancel()


@pytest.fixture
async def bots() -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for bot in started:
        await bot.stop()
        heartbeat_path_for(Path(bot.env["BRIEFBOT_DB"])).unlink(missing_ok=True)  # a killed bot leaves it


def bot_env(api: FakeBotAPI, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BRIEFBOT_"))}
    return env | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{api.port}",
                  "BRIEFBOT_DB": str(db), "PYTHONDONTWRITEBYTECODE": "1"} | extra


async def launch(bots: list[BotProcess], env: dict[str, str]) -> BotProcess:
    bot = await BotProcess(env).start()
    bots.append(bot)
    return bot


def push_backlog(api: FakeBotAPI, n: int, first_user: int = 20_000) -> list[dict[str, Any]]:
    """`n` questions from `n` private chats (so only the bot's global 30 messages/s limit applies)."""
    return [api.push_message("/help", user=api.user(first_user + i, f"B{i}")) for i in range(n)]


def answers_per_chat(api: FakeBotAPI) -> Counter[int]:
    return Counter(c.params["chat_id"] for c in api.calls_of("sendMessage"))


async def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.05)


# -- nothing lost ----------------------------------------------------------------------------------------


async def test_kill_9_under_a_backlog_loses_no_update(fake_api: FakeBotAPI, tmp_path: Path,
                                                      bots: list[BotProcess]) -> None:
    env = bot_env(fake_api, tmp_path / "db.sqlite3")
    first = await launch(bots, env)
    await fake_api.wait_for("getUpdates", timeout=30)
    backlog = push_backlog(fake_api, 150)
    chats = {u["message"]["chat"]["id"] for u in backlog}
    await wait_until(lambda: len(answers_per_chat(fake_api)) >= 30, 20, "first answers")
    first.signal(signal.SIGKILL)
    await first.wait()
    assert fake_api.pending_updates < 150  # Telegram was told the bot has them

    await launch(bots, env)
    await wait_until(lambda: chats <= set(answers_per_chat(fake_api)), 30,
                     f"answers after the restart: {len(chats - set(answers_per_chat(fake_api)))} missing")
    twice = [chat for chat, n in answers_per_chat(fake_api).items() if n > 1]
    assert len(twice) <= 16  # at most the replies in flight at the kill are sent again


async def test_sigterm_with_a_backlog_stops_within_the_drain_time_and_keeps_the_rest(
        fake_api: FakeBotAPI, tmp_path: Path, bots: list[BotProcess]) -> None:
    db = tmp_path / "db.sqlite3"
    bot = await launch(bots, bot_env(fake_api, db, BRIEFBOT_DRAIN_SECONDS="1"))
    await fake_api.wait_for("getUpdates", timeout=30)
    backlog = push_backlog(fake_api, 300)
    await wait_until(lambda: len(answers_per_chat(fake_api)) >= 20, 20, "first answers")
    started = time.monotonic()
    bot.signal(signal.SIGTERM)
    code = await bot.wait()
    assert code == 0 and time.monotonic() - started < 5.0, bot.stderr
    answered = set(answers_per_chat(fake_api))
    pending = {row[0] for row in sqlite3.connect(db).execute("SELECT update_id FROM inbox WHERE state = 'pending'")}
    unconfirmed = {u["update_id"] for u in fake_api._queue}
    for update in backlog:  # each one answered, kept for the next start, or still Telegram's
        assert (update["message"]["chat"]["id"] in answered or update["update_id"] in pending
                or update["update_id"] in unconfirmed), update["update_id"]
    assert pending and "Traceback" not in bot.stderr


async def test_a_token_revoked_while_running_is_one_error_and_exit_2_within_10_s(
        fake_api: FakeBotAPI, tmp_path: Path, bots: list[BotProcess]) -> None:
    bot = await launch(bots, bot_env(fake_api, tmp_path / "db.sqlite3"))
    await fake_api.wait_for("getUpdates", timeout=30)
    fake_api.push_message("/help")
    await fake_api.wait_for("sendMessage")
    fake_api.revoke_token()
    revoked = time.monotonic()
    code = await bot.wait(timeout=15)
    assert code == 2 and time.monotonic() - revoked < 10.0
    errors = [line for line in bot.err if " ERROR " in line or "CRITICAL" in line]
    assert len(errors) == 1 and "rejected the bot token" in errors[0], bot.stderr
    assert "Traceback" not in bot.stderr and TOKEN.partition(":")[2] not in bot.stderr


# -- reloads --------------------------------------------------------------------------------------------


async def test_sighup_reloads_the_corpus_and_a_broken_one_keeps_the_last_good(
        fake_api: FakeBotAPI, tmp_path: Path, bots: list[BotProcess]) -> None:
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", tmp_path / "corpus")
    briefs = tmp_path / "corpus" / "briefs"
    env = bot_env(fake_api, tmp_path / "db.sqlite3", BRIEFBOT_BRIEFS=str(briefs),
                  BRIEFBOT_SEEDS=str(tmp_path / "corpus" / "seeds"))
    bot = await launch(bots, env)
    await fake_api.wait_for("getUpdates", timeout=30)

    async def role() -> str:
        mark = fake_api.mark()
        fake_api.push_message("/actor roe")
        (reply,) = await fake_api.wait_for("sendMessage", since=mark)
        return reply.plain

    assert "Speaker of the Assembly" in await role()
    alpha = briefs / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("role: Speaker of the Assembly", "role: Chair of the Assembly"))
    bot.signal(signal.SIGHUP)
    await wait_until(lambda: "corpus reloaded" in bot.stderr, 10, "reload")
    assert "Chair of the Assembly" in await role()

    alpha.write_text(alpha.read_text().replace("id: roe\n", "id: Bad Id\n"))
    bot.signal(signal.SIGHUP)
    await wait_until(lambda: "corpus reload refused" in bot.stderr, 10, "refused reload")
    assert "alpha.yaml:" in bot.stderr  # each problem with file and line
    assert "Chair of the Assembly" in await role()  # still alive, still answering from the last good one
    bot.signal(signal.SIGTERM)
    assert await bot.wait() == 0


def test_run_on_a_broken_corpus_lists_every_problem_like_check(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    import subprocess

    briefs = tmp_path / "briefs"
    briefs.mkdir()
    (briefs / "x.yaml").write_text("actors:\n  - id: Bad Id\n", encoding="utf-8")
    env = bot_env(fake_api, tmp_path / "db.sqlite3", BRIEFBOT_BRIEFS=str(briefs))
    run = subprocess.run([sys.executable, "-c", RUN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    check = subprocess.run([sys.executable, "-m", "bot", "--briefs", str(briefs), "check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    problems = [line for line in check.stderr.splitlines() if not line.startswith("briefbot")]
    assert problems and any("x.yaml:2:" in p for p in problems)
    assert [line for line in run.stderr.splitlines() if not line.startswith("briefbot")] == problems


# -- storage faults at start-up ----------------------------------------------------------------------------


def _shared_dir() -> Path:
    """A folder another user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="briefbot-db-"))
    folder.chmod(0o755)
    return folder


def _make_fault(kind: str, folder: Path) -> tuple[Path, str]:
    """A database path with the fault, and what the one-line message must say about it."""
    db = folder / "data" / "briefbot.sqlite3"
    db.parent.mkdir()
    db.parent.chmod(0o777)
    if kind == "corrupt":
        db.write_bytes(b"this is not SQLite at all\n" * 500)
        return db, "not a readable SQLite database"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    if kind == "newer":
        con.execute("PRAGMA user_version = 99")
    con.close()
    if kind == "newer":
        return db, "newer briefbot"
    if kind == "read-only folder":
        db.unlink()
        db.parent.chmod(0o555)
        if os.geteuid() == 0:  # root writes into any folder, but not into an immutable one
            import subprocess

            if subprocess.run(["chattr", "+i", str(db.parent)], capture_output=True).returncode != 0:
                pytest.skip("running as root without chattr: cannot make a folder read-only")
        return db, "read-only"
    if os.geteuid() == 0:
        pytest.skip("running as root: every file is readable")
    db.chmod(0o000)  # unreadable
    return db, "cannot be read"


@pytest.mark.parametrize("kind", ["corrupt", "newer", "read-only folder", "unreadable"])
async def test_an_unusable_database_is_one_clear_line_and_exit_2_or_degraded(
        fake_api: FakeBotAPI, bots: list[BotProcess], kind: str) -> None:
    folder = _shared_dir()
    try:
        db, says = _make_fault(kind, folder)
        bot = await launch(bots, bot_env(fake_api, db))
        assert await bot.wait(timeout=20) == 2
        lines = bot.stderr.strip().splitlines()
        assert len(lines) == 1 and str(db) in lines[0] and says in lines[0], bot.stderr
        assert "BRIEFBOT_DB_DEGRADED_OK" in lines[0] and "Traceback" not in bot.stderr

        degraded = await launch(bots, bot_env(fake_api, db, BRIEFBOT_DB_DEGRADED_OK="1"))
        await fake_api.wait_for("getUpdates", timeout=30)
        fake_api.push_message("/actor aliev")
        (reply,) = await fake_api.wait_for("sendMessage", timeout=10)
        assert "Ilham Aliyev" in reply.plain
        degraded.signal(signal.SIGTERM)
        assert await degraded.wait() == 0
        errors = [line for line in degraded.err if " ERROR " in line]
        assert len(errors) == 1 and str(db) in errors[0] and "Traceback" not in degraded.stderr
    finally:
        if os.geteuid() == 0:
            import subprocess

            subprocess.run(["chattr", "-i", str(folder / "data")], capture_output=True)
        for path in (folder / "data", folder / "data" / "briefbot.sqlite3"):
            if path.exists():
                path.chmod(0o700)
        shutil.rmtree(folder, ignore_errors=True)
