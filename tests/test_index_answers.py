"""The index answers what it answered before its speed and memory work: the best hits of the
benchmark's queries (benchmarks/synthetic.py, 3,000 entries) and of every eval-set message on the
real corpus, as recorded in tests/fixtures/index_top1.json by benchmarks/expected_top1.py.

Where a change is meant to move answers, regenerate the file with that script and say why in the
commit. The intended changes so far: a name typed with its space left out ("UszuEnvakaza") finds the
name; a short name with one slip that makes another word of the index, or a three-letter typo
("Loata Ovri" for Lota Ovri, "Eli Kerimli" for Ali Karimli), is answered. So a one-edit typo may now
find its entry where it did not before (or more confidently), never the other way.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.core import Engine
from bot.index import Doc, SearchIndex, Tiers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from expected_top1 import eval_texts, hits  # noqa: E402
from synthetic import synthetic_docs  # noqa: E402

EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "index_top1.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def synthetic_index() -> SearchIndex:
    return SearchIndex(synthetic_docs(EXPECTED["synthetic_size"]))


def test_the_benchmark_queries_find_what_they_found(synthetic_index: SearchIndex) -> None:
    moved = []
    for case in EXPECTED["synthetic"]:
        now = hits(synthetic_index, case["query"], len(case["hits"]) or 1)
        if case["group"] == "typo" and now and now[0][1] == case["want"]:
            continue  # a typo that finds its entry (now, if not before)
        if now != case["hits"]:
            moved.append((case["group"], case["query"], case["hits"], now))
    assert moved == [], moved[:5]


def test_typos_find_their_entry_and_unseen_names_get_no_answer(synthetic_index: SearchIndex) -> None:
    typos = [c for c in EXPECTED["synthetic"] if c["group"] == "typo"]
    before = sum(1 for c in typos if c["hits"] and c["hits"][0][1] == c["want"])
    now = sum(1 for c in typos if (h := synthetic_index.search(c["query"], limit=1)) and h[0].entry_id == c["want"])
    assert now >= before and now >= 0.98 * len(typos), (before, now, len(typos))
    confident = Tiers().confident
    unseen = [c["query"] for c in EXPECTED["synthetic"] if c["group"] == "unseen"]
    answered = [q for q in unseen if (h := synthetic_index.search(q, limit=1)) and h[0].score >= confident]
    assert answered == []


def test_every_eval_message_finds_what_it_found_on_the_real_corpus() -> None:
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds")
    assert [c["query"] for c in EXPECTED["real"]] == eval_texts()
    moved = [(c["query"], c["hits"], now) for c in EXPECTED["real"]
             if (now := hits(engine.index, c["query"])) != c["hits"]]
    assert moved == [], moved[:5]


def test_a_typo_that_makes_another_short_word_still_finds_the_name() -> None:
    index = SearchIndex([Doc("lota", "actor", names=["Lota Ovri"]), Doc("loyata", "actor", names=["Loyata Homoov"]),
                         Doc("tasi", "actor", names=["Tasi Zaba"]), Doc("zaba", "actor", names=["Zaba Kerimli"])])
    confident = Tiers().confident
    for typed, meant in (("Loata Ovri", "lota"), ("Tai Zaba", "tasi")):  # "loata" is Loyata's; "tai" no word
        hits = index.search(typed, limit=1)
        assert hits and hits[0].entry_id == meant and hits[0].score >= confident, (typed, hits)
    # Two slips in a name are a guess, and a sentence has words to spare: neither is answered confidently.
    for typed in ("Loata Ovra", "did Loata Ovri ever write to them"):
        hits = index.search(typed, limit=1)
        assert not hits or hits[0].score < confident, (typed, hits)
