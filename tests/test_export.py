"""Exports open in their target tools: TimelineJS3's JSON rules, JSON-LD that a JSON-LD processor (PyLD)
expands to schema.org terms used on the types they belong to, and a CSV that reads back to the same data."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from bot.cli import main
from bot.core import Engine
from bot.corpus import BriefDate
from bot.dates import label
from bot.export import CSV_COLUMNS, claims_jsonld, csv_rows, csv_text, iso_date, time_precision, timelinejs
from bot.normalize import fold_quote

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds", embedder=None)


# --------------------------------------------------------------------------- TimelineJS3

# https://timeline.knightlab.com/docs/json-format.html
TL_TOP = {"events", "title", "eras", "scale"}
TL_SLIDE = {"start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink", "unique_id"}
TL_DATE = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date", "format"}
TL_TEXT = {"headline", "text"}


def tl_date_problems(d: Any, where: str) -> list[str]:
    if not isinstance(d, dict):
        return [f"{where}: not an object"]
    problems = [f"{where}: unknown field {k}" for k in d if k not in TL_DATE]
    if not isinstance(d.get("year"), int):
        problems.append(f"{where}: year must be a number")
    if "day" in d and "month" not in d:
        problems.append(f"{where}: a day without a month")
    if "month" in d and not (isinstance(d["month"], int) and 1 <= d["month"] <= 12):
        problems.append(f"{where}: month out of range")
    if "day" in d:
        try:
            date(d["year"], d["month"], d["day"])
        except (TypeError, ValueError, KeyError):
            problems.append(f"{where}: impossible day")
    return problems


def tl_problems(doc: dict[str, Any]) -> list[str]:
    """The format's rules: events required, each slide with a start_date (year a number, month and day
    only with what they need), text as headline/text strings, unique ids unique, end not before start."""
    problems = [f"unknown top-level field {k}" for k in doc if k not in TL_TOP]
    if not isinstance(doc.get("events"), list) or not doc["events"]:
        return [*problems, "events must be a non-empty list"]
    seen: set[str] = set()
    for n, slide in enumerate(doc["events"]):
        where = f"events[{n}]"
        problems += [f"{where}: unknown field {k}" for k in slide if k not in TL_SLIDE]
        problems += tl_date_problems(slide.get("start_date"), f"{where}.start_date")
        if "end_date" in slide:
            problems += tl_date_problems(slide["end_date"], f"{where}.end_date")
            start, end = slide["start_date"], slide["end_date"]
            if (end["year"], end.get("month", 12), end.get("day", 31)) < (start["year"], start.get("month", 1),
                                                                          start.get("day", 1)):
                problems.append(f"{where}: ends before it starts")
        text = slide.get("text", {})
        problems += [f"{where}.text: unknown field {k}" for k in text if k not in TL_TEXT]
        problems += [f"{where}.text.{k}: not a string" for k, v in text.items() if not isinstance(v, str)]
        uid = slide.get("unique_id")
        if not isinstance(uid, str) or uid in seen:
            problems.append(f"{where}: unique_id missing or repeated")
        seen.add(str(uid))
    if "title" in doc:
        problems += [f"title: unknown field {k}" for k in doc["title"] if k not in TL_SLIDE]
    return problems


def test_timelinejs_follows_the_format_and_keeps_each_dates_precision(engine: Engine) -> None:
    doc = json.loads(json.dumps(timelinejs(engine.corpus, engine.provenance)))  # what a file holds
    assert tl_problems(doc) == []
    slides = {s["unique_id"]: s for s in doc["events"]}
    assert set(slides) == set(engine.corpus.events)  # every event, once
    for event in engine.corpus.events.values():
        start = slides[event.id]["start_date"]
        precision = event.date.precision
        assert ("month" in start) == (precision in ("day", "month")), event.id
        assert ("day" in start) == (precision == "day"), event.id
        assert start["year"] == event.date.start.year or event.date.qualifier, event.id
        assert label(event.date) in slides[event.id]["display_date"]
        assert ("end_date" in slides[event.id]) == (event.end is not None)
        text = slides[event.id]["text"]["text"]
        if event.date.inferred != "none":
            assert "inferred" in slides[event.id]["display_date"] and "inferred" in text
            assert " ".join(event.date.basis.split())[:40] in text.replace("&quot;", '"').replace("&#x27;", "'")
        for cite in event.cite:
            assert cite.source in text  # every source named
    assert engine.provenance is not None and engine.provenance.version in doc["title"]["text"]["text"]


def test_timelinejs_rules_catch_a_broken_file() -> None:
    broken = {"events": [{"start_date": {"year": "2023", "day": 4}, "text": {"headline": 3}, "unique_id": "a"},
                         {"start_date": {"year": 2023, "month": 2, "day": 30}, "unique_id": "a"}]}
    problems = tl_problems(broken)
    assert any("year must be a number" in p for p in problems)
    assert any("day without a month" in p for p in problems)
    assert any("impossible day" in p for p in problems)
    assert any("repeated" in p for p in problems)


# --------------------------------------------------------------------------- schema.org claims

S = "https://schema.org/"
B = "urn:briefbot:vocab:"
# The schema.org properties used, each with the types it belongs to (its domain, with subtypes that
# inherit it), from the schema.org definitions of Claim, Quotation, CreativeWork, NewsArticle, Thing,
# Person, Organization, Country, Place, Event and Dataset.
CREATIVE = {"Claim", "Quotation", "NewsArticle", "Dataset", "CreativeWork"}
THINGS = CREATIVE | {"Person", "Organization", "NewsMediaOrganization", "Country", "Place", "Event", "Thing"}
DOMAINS: dict[str, set[str]] = {
    "name": THINGS, "description": THINGS, "alternateName": THINGS, "identifier": THINGS,
    "text": CREATIVE, "author": CREATIVE, "creator": CREATIVE, "about": CREATIVE, "keywords": CREATIVE,
    "dateCreated": CREATIVE, "datePublished": CREATIVE, "dateModified": CREATIVE, "hasPart": CREATIVE,
    "isPartOf": CREATIVE, "headline": CREATIVE, "publisher": CREATIVE, "version": CREATIVE,
    "appearance": {"Claim"}, "spokenByCharacter": {"Quotation"},
    "startDate": {"Event"}, "endDate": {"Event"},
}
TYPES = THINGS


def _nodes(expanded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every node object in an expanded document, nested ones too."""
    out: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict) and "@value" not in value:
            out.append(value)
            for k, v in value.items():
                if not k.startswith("@") or k == "@graph":
                    walk(v)

    walk(expanded)
    return out


def test_claims_export_is_json_ld_of_schema_org_claims_with_quotations(engine: Engine) -> None:
    doc = json.loads(json.dumps(claims_jsonld(engine.corpus, engine.provenance)))
    expanded = jsonld.expand(doc)  # a JSON-LD processor reads it (the context is inline: no fetch)
    by_id: dict[str, dict[str, Any]] = {}
    for node in _nodes(expanded):
        types = {t.removeprefix(S) for t in node.get("@type", [])}
        assert all(t in TYPES for t in types), types
        for prop in node:
            if prop.startswith("@"):
                continue
            if prop.startswith(B):
                assert types == {"Claim"} and prop.removeprefix(B) in ("disputes", "supports")
                continue
            assert prop.startswith(S), prop  # nothing left unexpanded (a typo'd term would be dropped or here)
            name = prop.removeprefix(S)
            assert name in DOMAINS, name
            assert not types or types & DOMAINS[name], (name, types)
        if "@id" in node and types:
            by_id[node["@id"]] = node
    assert "ClaimReview" not in json.dumps(doc)  # no verdicts
    claims = [n for n in by_id.values() if f"{S}Claim" in n["@type"]]
    assert len(claims) == len(engine.corpus.claims)
    for node in claims:
        claim = engine.corpus.claims[node["@id"].rsplit(":", 1)[1]]
        author = by_id[node[f"{S}author"][0]["@id"]]
        assert author[f"{S}name"][0]["@value"] == engine.corpus.actors[claim.claimant].name
        source = by_id[node[f"{S}appearance"][0]["@id"]]
        assert f"{S}NewsArticle" in source["@type"]
        assert source[f"{S}identifier"][0]["@value"] == claim.source
        quotation = node[f"{S}hasPart"][0]
        assert quotation["@type"] == [f"{S}Quotation"]
        words = quotation[f"{S}text"][0]["@value"]
        assert fold_quote(words) in fold_quote(engine.corpus.texts[claim.source])  # verbatim in its source
        said = node.get(f"{S}dateCreated")
        when = engine.corpus.said_when(claim)
        stated = claim.date if when is None else when if isinstance(when, BriefDate) else None
        if stated is None:
            # Only the report is dated: "said on" would be the report's date passed off as the speech's.
            assert said is None
            assert "when it was said is not given" in node[f"{S}description"][0]["@value"]
        elif stated.precision != "decade" and not stated.latest:
            assert said[0]["@value"] == stated.value  # the precision the brief has, no more
            assert label(stated) in node[f"{S}description"][0]["@value"]
        else:
            assert said is None  # no ISO date says "1980s" or "between … and …"; the description does
            assert label(stated) in node[f"{S}description"][0]["@value"]
    # And as RDF: the claim -> author triple is there.
    some = next(iter(engine.corpus.claims.values()))
    quads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert f"<urn:briefbot:claim:{some.id}> <{S}author> <urn:briefbot:actor:{some.claimant}>" in quads


def test_iso_dates_never_claim_more_precision_than_the_brief() -> None:
    def d(value: str, precision: str, **extra: Any) -> BriefDate:
        return BriefDate(value=value, precision=precision, start=date(2023, 10, 1), end=date(2023, 10, 31), **extra)

    assert iso_date(d("2023-10", "month")) == "2023-10"
    assert iso_date(d("2020s", "decade")) is None
    assert iso_date(d("2023-10", "month", latest="2024-02", inferred="full", basis="x")) is None


# --------------------------------------------------------------------------- CSV


def test_csv_reads_back_to_the_same_rows_with_acled_precision_codes(engine: Engine) -> None:
    text = csv_text(engine.corpus, engine.provenance)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows == csv_rows(engine.corpus, engine.provenance)  # quotes, commas, newlines survive
    corpus = engine.corpus
    events = {r["id"]: r for r in rows if r["kind"] == "event"}
    claims = {r["id"]: r for r in rows if r["kind"] == "claim"}
    assert set(events) == set(corpus.events) and set(claims) == set(corpus.claims)
    for claim in corpus.claims.values():
        row = claims[claim.id]
        assert row["quote"] == claim.quote and row["claimant"] == claim.claimant
        assert row["source_files"] == claim.source
        assert row["source_outlets"] == corpus.sources[claim.source].outlet
    for event in corpus.events.values():
        row = events[event.id]
        assert row["time_precision"] == str(time_precision(event.date))
        assert row["date_inferred"] == event.date.inferred
        assert row["source_files"].split("; ") == list(dict.fromkeys(c.source for c in event.cite))
    codes = {(r["precision"], r["time_precision"]) for r in rows}
    assert ("day", "1") in codes and ("month", "3") in codes and ("decade", "3") in codes


def test_time_precision_codes() -> None:
    day = BriefDate("2023-09-19", "day", date(2023, 9, 19), date(2023, 9, 19))
    bounded = BriefDate("2024-11-20", "day", date(2024, 11, 20), date(2024, 11, 20), inferred="full", basis="x",
                        latest="2024-11-22", latest_end=date(2024, 11, 22))
    month = BriefDate("2023-09", "month", date(2023, 9, 1), date(2023, 9, 30))
    decade = BriefDate("1980s", "decade", date(1980, 1, 1), date(1989, 12, 31), qualifier="late")
    assert [time_precision(x) for x in (day, bounded, month, decade)] == [1, 2, 3, 3]


def test_export_command_writes_each_format_to_stdout_or_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_EMBEDDER", "none")
    target = tmp_path / "claims.jsonld"
    assert main(["export", "claims", "-o", str(target)]) == 0
    out = capsys.readouterr()
    assert out.out == "" and json.loads(target.read_text(encoding="utf-8"))["@graph"]
    assert main(["export", "csv"]) == 0
    assert capsys.readouterr().out.startswith("kind,id,date,")
    assert main(["export", "timelinejs", "-o", str(tmp_path / "missing" / "x.json")]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
