"""The fault table of issue #8: the real `briefbot run` process against the fake Bot API (its own
process), with faults injected, and what a user or operator would see. Prints a Markdown table;
asserts nothing. Takes a few minutes (the backlog runs go at Telegram's 30 messages/s).

    python benchmarks/chaos.py                    # everything, on this checkout
    python benchmarks/chaos.py --backlog 600      # smaller kill -9 runs
    python benchmarks/chaos.py --only reset,token # some rows
    python benchmarks/chaos.py --root /path/to/other/checkout   # the same faults against other code

Rows: kill -9 under a backlog at three points (unanswered updates and duplicate replies after
the restart); 10 connection resets during sendMessage (lost replies); a token revoked while
running (seconds to exit, exit code, ERROR lines); a poison update (later updates answered,
polls and log lines); each storage fault at start-up (exit code and first line, and whether
BRIEFBOT_DB_DEGRADED_OK=1 answers).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import heartbeat_path_for  # noqa: E402
from tests.fake_bot_api import TOKEN  # noqa: E402

RUN = "import sys; from bot.telegram_app import run; sys.exit(run())"


class Fake:
    """tests/fake_bot_api.py in its own process, driven over its /_control endpoints."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.fake_bot_api"], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}/_control", timeout=60)

    def push(self, messages: list[dict[str, Any]]) -> list[int]:
        return self.client.post("/push", json={"messages": messages}).json()["update_ids"]

    def fault(self, kind: str, method: str = "sendMessage", times: int = 1) -> None:
        self.client.post("/fault", json={"kind": kind, "method": method, "times": times})

    def stats(self) -> dict[str, Any]:
        return self.client.post("/stats").json()

    def close(self) -> None:
        self.client.close()
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


class Bot:
    def __init__(self, code_root: Path, fake: Fake, db: Path, log: Path, **env: str) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BRIEFBOT_"))}
        self.env = base | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{fake.port}",
                           "BRIEFBOT_DB": str(db), "BRIEFBOT_BRIEFS": str(ROOT / "briefs"),
                           "BRIEFBOT_SEEDS": str(ROOT / "seeds"), "PYTHONDONTWRITEBYTECODE": "1"} | env
        self.log = log
        self.code_root = code_root
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Bot:
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen([sys.executable, "-c", RUN], cwd=self.code_root, env=self.env,
                                         stdout=subprocess.DEVNULL, stderr=err)
        return self

    def wait(self, timeout: float) -> int | None:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        heartbeat_path_for(Path(self.env["BRIEFBOT_DB"])).unlink(missing_ok=True)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def wait_until(condition: Any, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def wait_polling(fake: Fake, timeout: float = 30) -> bool:
    return wait_until(lambda: fake.stats()["calls"].get("getUpdates", 0) > 0, timeout)


def answered(fake: Fake, chats: set[str]) -> tuple[int, int]:
    """(chats answered, chats answered more than once) among `chats`."""
    per_chat = fake.stats()["per_chat"]
    return sum(1 for c in chats if per_chat.get(c)), sum(1 for c in chats if per_chat.get(c, 0) > 1)


def wait_settled(fake: Fake, chats: set[str], timeout: float, quiet: float = 8.0) -> float:
    """Until every chat is answered, or no new answer came for `quiet` seconds, or `timeout`; returns the
    seconds until the last new answer."""
    started = time.monotonic()
    deadline = started + timeout
    last, last_change = -1, started
    while time.monotonic() < deadline:
        done, _ = answered(fake, chats)
        if done != last:
            last, last_change = done, time.monotonic()
        if done == len(chats) or time.monotonic() - last_change > quiet:
            break
        time.sleep(0.25)
    return last_change - started


# -- rows -------------------------------------------------------------------------------------------------


def kill9(code: Path, work: Path, backlog: int, share: float, first_user: int) -> list[str]:
    fake = Fake()
    try:
        db, log = work / f"kill-{share}.sqlite3", work / f"kill-{share}.log"
        bot = Bot(code, fake, db, log).start()
        if not wait_polling(fake):
            return [f"kill -9 at {share:.0%} of {backlog:,}", "bot did not start", "", ""]
        chats = {str(first_user + i) for i in range(backlog)}
        for start in range(0, backlog, 500):
            fake.push([{"user_id": first_user + i, "text": "/help"} for i in range(start, min(backlog, start + 500))])
        wait_until(lambda: answered(fake, chats)[0] >= backlog * share, 600, 0.05)
        bot.kill()
        before, _ = answered(fake, chats)
        confirmed = backlog - fake.stats()["pending"]
        again = Bot(code, fake, db, log).start()
        took = wait_settled(fake, chats, timeout=backlog / 20 + 60)
        done, twice = answered(fake, chats)
        again.kill()
        return [f"kill -9 at {share:.0%} answered ({before:,} of {backlog:,}; {confirmed:,} confirmed to Telegram)",
                f"{backlog - done:,} never answered", f"{twice} duplicate replies",
                f"last answer {took:.0f} s after the restart"]
    finally:
        fake.close()


def resets(code: Path, work: Path) -> list[str]:
    fake = Fake()
    try:
        bot = Bot(code, fake, work / "reset.sqlite3", work / "reset.log").start()
        wait_polling(fake)
        fake.fault("reset", times=10)
        chats = {str(40_000 + i) for i in range(10)}
        fake.push([{"user_id": 40_000 + i, "text": "/help"} for i in range(10)])
        wait_settled(fake, chats, timeout=40, quiet=10)
        done, twice = answered(fake, chats)
        bot.kill()
        return ["10 connection resets during sendMessage", f"{10 - done} of 10 replies lost", f"{twice} duplicates",
                ""]
    finally:
        fake.close()


def revoked(code: Path, work: Path) -> list[str]:
    fake = Fake()
    try:
        log = work / "token.log"
        bot = Bot(code, fake, work / "token.sqlite3", log).start()
        wait_polling(fake)
        fake.push([{"user_id": 41_000, "text": "/help"}])
        wait_until(lambda: answered(fake, {"41000"})[0] == 1, 10)
        fake.fault("revoke")
        started = time.monotonic()
        exit_code = bot.wait(40)
        took = time.monotonic() - started
        errors = [line for line in bot.stderr().splitlines() if " ERROR " in line or " CRITICAL " in line]
        if exit_code is None:
            bot.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
            term = time.monotonic()
            after_term = bot.wait(60)
            bot.kill()
            return ["token revoked while running", "still running after 40 s",
                    f"{len(errors)} ERROR/CRITICAL lines",
                    f"SIGTERM: exit {after_term} after {time.monotonic() - term:.0f} s"]
        return ["token revoked while running", f"exit {exit_code} after {took:.1f} s",
                f"{len(errors)} ERROR/CRITICAL line(s)",
                "traceback" if "Traceback" in bot.stderr() else "no traceback"]
    finally:
        fake.close()


def poison(code: Path, work: Path) -> list[str]:
    fake = Fake()
    try:
        log = work / "poison.log"
        bot = Bot(code, fake, work / "poison.sqlite3", log).start()
        wait_polling(fake)
        polls_before = fake.stats()["calls"].get("getUpdates", 0)
        (bad,) = fake.push([{"user_id": 42_000, "text": "/help", "poison": True}])
        chats = {str(42_001 + i) for i in range(10)}
        fake.push([{"user_id": 42_001 + i, "text": "/help"} for i in range(10)])
        time.sleep(5)
        done, _ = answered(fake, chats)
        polls = fake.stats()["calls"].get("getUpdates", 0) - polls_before
        lines = [line for line in bot.stderr().splitlines() if str(bad) in line or "Traceback" in line]
        bot.kill()
        return ["a message without `date`, then 10 questions", f"{done} of 10 later updates answered",
                f"{polls} getUpdates in 5 s", f"{len(lines)} log line(s) about it"]
    finally:
        fake.close()


def storage_faults(code: Path, work: Path) -> list[list[str]]:
    rows = []
    fake = Fake()
    try:
        for kind in ("corrupt file", "newer schema", "read-only folder", "unreadable file"):
            folder = work / kind.replace(" ", "-")
            data = folder / "data"
            data.mkdir(parents=True)
            db = data / "briefbot.sqlite3"
            if kind == "corrupt file":
                db.write_bytes(b"not SQLite\n" * 1000)
            else:
                con = sqlite3.connect(db)
                con.execute("CREATE TABLE t (x)")
                if kind == "newer schema":
                    con.execute("PRAGMA user_version = 99")
                con.close()
            if kind == "read-only folder":
                db.unlink()
                data.chmod(0o555)
                if os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(data)], capture_output=True).returncode:
                    rows.append([f"storage: {kind}", "not measurable as root without chattr", "", ""])
                    continue
            if kind == "unreadable file":
                if os.geteuid() == 0:
                    rows.append([f"storage: {kind}", "not measurable as root (root reads every file)", "", ""])
                    continue
                db.chmod(0)
            log = folder / "run.log"
            bot = Bot(code, fake, db, log).start()
            exit_code = bot.wait(30)
            first = next((line for line in bot.stderr().splitlines() if line.strip()), "")
            lines = len(bot.stderr().strip().splitlines())
            bot.kill()
            degraded_log = folder / "degraded.log"
            degraded = Bot(code, fake, db, degraded_log, BRIEFBOT_DB_DEGRADED_OK="1").start()
            user = 43_000 + len(rows)
            answers = "not answering"
            if degraded.wait(3) is None:
                fake.push([{"user_id": user, "text": "/help"}])
                if wait_until(lambda u=user: answered(fake, {str(u)})[0] == 1, 15):
                    answers = "answers"
            degraded.kill()
            rows.append([f"storage: {kind}",
                         f"exit {exit_code}, {lines} line(s){', traceback' if 'Traceback' in bot.stderr() else ''}",
                         f"`{first.strip().replace(str(db), '<db>').replace(str(data), '<folder>')[:160]}`",
                         f"BRIEFBOT_DB_DEGRADED_OK=1: {answers}"])
            if os.geteuid() == 0 and kind == "read-only folder":
                subprocess.run(["chattr", "-i", str(data)], capture_output=True)
            data.chmod(0o755)
    finally:
        fake.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backlog", type=int, default=2500)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose bot/ is run (default: this one)")
    parser.add_argument("--only", default="kill,reset,token,poison,storage")
    args = parser.parse_args()
    only = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="briefbot-chaos-"))
    work.chmod(0o755)
    rows: list[list[str]] = []
    try:
        if "kill" in only:
            for n, share in enumerate((0.1, 0.5, 0.9)):
                rows.append(kill9(args.root, work, args.backlog, share, 100_000 * (n + 1)))
                print("| " + " | ".join(rows[-1]) + " |", file=sys.stderr, flush=True)
        if "reset" in only:
            rows.append(resets(args.root, work))
        if "token" in only:
            rows.append(revoked(args.root, work))
        if "poison" in only:
            rows.append(poison(args.root, work))
        if "storage" in only:
            rows.extend(storage_faults(args.root, work))
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-R", "-i", str(work)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"Fault table: `briefbot run` from {args.root} against the fake Bot API, {time.strftime('%Y-%m-%d')}\n")
    print("| fault | outcome | | |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
