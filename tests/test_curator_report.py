"""`briefbot check --report`: what a curator should look at next, from the corpus and the query log."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.core import Engine
from bot.curate.report import answered_entries, build_report
from bot.storage import Storage


async def log(db: Path, rows: list[tuple[str, str, bool]]) -> None:
    async with Storage.open(db) as storage:
        for command, query, matched in rows:
            await storage.log_query(chat_type="private", command=command, query=query, matched=matched,
                                    best_score=100.0 if matched else 30.0, latency_ms=1.0)


ROWS = [("actor", "aliev", True), ("actor", "Алиев", True), ("timeline", "PACE", True),
        ("open", "c_majlis-luxembourg-resolution-biased", True), ("source", "1", True),
        ("actor", "Mehriban Aliyeva", False), ("actor", "mehriban aliyeva", False), ("claim", "Elon Musk", False)]


def test_the_report_reads_the_corpus_and_the_query_log(tmp_path: Path, engine: Engine) -> None:
    db = tmp_path / "log.sqlite3"
    asyncio.run(log(db, ROWS))

    async def report():
        async with Storage.open(db) as storage:
            return await build_report(engine, storage)

    r = asyncio.run(report())
    corpus = engine.corpus
    contested = {row["id"] for row in r.contested}
    assert contested and all(not corpus.claims[i].disputes for i in contested)  # each lacks a counter-claim
    assert "majlis-rejects-political-prisoner-claims" not in contested  # it has one
    assert {row["id"] for row in r.single_source_events} == {
        e.id for e in corpus.events.values() if len({c.source for c in e.cite}) == 1}
    unasked = {(row["kind"], row["id"]) for row in r.unasked or []}
    assert ("actor", "aliyev") not in unasked and ("claim", "majlis-luxembourg-resolution-biased") not in unasked
    pace_events = answered_entries(engine, "timeline", "PACE")
    assert pace_events and not pace_events & unasked  # a timeline asks for its events
    assert ("actor", "gafarova") in unasked  # nobody asked for her in this log
    assert r.gaps is not None and r.gaps[0]["query"] == "mehriban aliyeva" and r.gaps[0]["count"] == 2
    assert "Ilham Aliyev" in r.gaps[0]["nearest"]


def test_check_report_prints_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "log.sqlite3"
    asyncio.run(log(db, ROWS))
    assert main(["check", "--report", "--db", str(db), "--limit", "3"]) == 0
    text = capsys.readouterr().out
    for heading in ("Contested claims without a counter-claim", "Events cited by one document only",
                    "Entries no user has asked for", "Most frequent unanswered queries"):
        assert heading in text
    assert "2× /actor mehriban aliyeva" in text and "--json lists all" in text
    assert main(["check", "--report", "--json", "--db", str(db)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"contested", "single_source_events", "unasked", "gaps"} <= set(data)
    assert data["gaps"][0]["count"] == 2


def test_check_report_without_a_query_log_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.sqlite3"
    assert main(["check", "--report", "--db", str(missing)]) == 0
    text = capsys.readouterr().out
    assert f"no query log at {missing}" in text and "Contested claims" in text
    assert not missing.exists()  # a report never creates the bot's database
