"""The command line as curators and developers use it: gaps, health, chat, ask."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from bot.storage import Storage

ROOT = Path(__file__).resolve().parent.parent


def briefbot(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env=env)


def test_gaps_lists_frequent_unanswered_queries_with_nearest_entries(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"

    async def log() -> None:
        async with Storage.open(db) as storage:
            for query in ("Mehriban Aliyeva", "mehriban  aliyeva", "Elon Musk"):
                await storage.log_query(chat_type="group", command="actor", query=query, matched=False,
                                        best_score=44.0, latency_ms=1.0)
            await storage.log_query(chat_type="private", command="actor", query="aliev", matched=True,
                                    best_score=100.0, latency_ms=1.0)

    asyncio.run(log())
    out = briefbot("gaps", "--db", str(db))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    first = next(line for line in lines if "mehriban aliyeva" in line.lower())
    assert "2×" in first and "Ilham Aliyev" in first  # grouped, counted, nearest entry named
    assert not any("/actor aliev " in line for line in lines)  # answered queries are not gaps


def test_health_fails_in_one_line_on_an_unusable_database(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("x")
    out = briefbot("health", "--db", str(tmp_path / "not-a-dir" / "bot.sqlite3"))
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert briefbot("health", "--db", str(tmp_path / "ok.sqlite3")).returncode == 0


def test_chat_answers_each_line_and_quits(tmp_path: Path) -> None:
    out = briefbot("chat", stdin="/actor Гафарова\n/quit\n/actor never reached\n")
    assert out.returncode == 0
    assert "Sahiba Gafarova" in out.stdout and "never reached" not in out.stdout
    assert "<b>" not in out.stdout  # readable text, not HTML


def test_ask_json_keeps_order_and_says_matched_honestly() -> None:
    out = briefbot("ask", "--json", stdin="/actor aliev\n/claim the Earth is flat\n\n/about\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["/actor aliev", "/claim the Earth is flat", "", "/about"]
    assert [r["matched"] for r in rows[:2]] == [True, False]
    assert rows[0]["sources"] and rows[1]["sources"] == []


def test_a_broken_corpus_stops_every_command_with_file_and_line(tmp_path: Path) -> None:
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    (briefs / "x.yaml").write_text("actors:\n  - id: Bad Id\n", encoding="utf-8")
    out = briefbot("--briefs", str(briefs), "ask", "/actor aliev")
    assert out.returncode == 1
    assert "x.yaml:2:" in out.stderr and "Traceback" not in out.stderr


def test_ask_and_chat_work_from_any_directory(tmp_path: Path) -> None:
    """No briefs/ or seeds/ in the current folder and no BRIEFBOT_BRIEFS: the corpus is found beside the
    code (an editable install) or inside the installed package (`make setup`, the image)."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("BRIEFBOT_BRIEFS", "BRIEFBOT_SEEDS")}
    env["BRIEFBOT_EMBEDDER"] = "none"
    for args, stdin in ((("ask", "/actor Qafarova"), ""), (("chat",), "/actor aliev\n")):
        out = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                             cwd=tmp_path, timeout=120, env=env)
        assert out.returncode == 0, out.stderr
        assert "Gafarova" in out.stdout or "Aliyev" in out.stdout


def test_console_shows_a_quote_as_its_own_block_and_what_follows_on_the_next_line() -> None:
    from bot.cli import as_text

    text = as_text("• <b>3 October</b> — a letter [1]\n"
                   "<blockquote>We call on the State Department\nto act.</blockquote>"
                   "<i>(in English, as in the source) In translation: …</i>\nnext")
    assert text.splitlines() == ["• 3 October — a letter [1]", "  │ We call on the State Department", "  │ to act.",
                                 "(in English, as in the source) In translation: …", "next"]
