"""Fit the thresholds for answers by meaning on the labelled query sets, and report per-tier
precision and recall.

    .venv/bin/python benchmarks/fit_tiers.py [--grid]

Every /claim and /actor case of tests/eval/queries_{dev,dev_extra,labelled}.yaml is ranked once;
the decision is then replayed for each threshold setting. A positive counts as right when the
lead entry is the labelled one (`entry:`), or, without a label, when it holds every expected
fragment and cites an expected source. The held-out set (queries_holdout.yaml) is never used
here: run score.py on it for an untuned check.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import Engine  # noqa: E402
from bot.retrieve.entries import name_of  # noqa: E402
from bot.retrieve.rank import Pool, Thresholds  # noqa: E402

SETS = ["queries_dev.yaml", "queries_dev_extra.yaml", "queries_labelled.yaml"]
KINDS = {"claim": ("claim",), "actor": ("actor", "place")}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def entry_text(engine: Engine, kind: str, entry_id: str) -> tuple[str, set[str]]:
    c = engine.corpus
    if kind == "claim":
        cl = c.claims[entry_id]
        src = c.sources[cl.source]
        return fold(" ".join([name_of(c, cl.claimant), cl.paraphrase, cl.quote, src.outlet])), {cl.source}
    if kind == "actor":
        a = c.actors[entry_id]
        return fold(" ".join([a.name, a.role, *a.aliases])), {x.source for x in a.cite}
    if kind == "place":
        p = c.places[entry_id]
        return fold(" ".join([p.name, *p.aliases, p.note or ""])), {x.source for x in p.cite}
    return "", set()


def right(engine: Engine, case: dict, kind: str, entry_id: str) -> bool:
    """The labelled entry, a claim linked to it (the reply shows both sides), or any entry whose
    reply holds what the case expects."""
    label = case.get("entry") or ""
    if label == f"{kind}:{entry_id}":
        return True
    if label.startswith("claim:") and kind == "claim" and label[6:] in engine.ranker.links.get(entry_id, ()):
        return True
    text, sources = entry_text(engine, kind, entry_id)
    expect = case.get("expect") or {}
    for item in expect.get("must_contain") or []:
        alts = item["any_of"] if isinstance(item, dict) else [item]
        if not any(fold(str(a)) in text for a in alts):
            return False
    cites = set(expect.get("cites") or [])
    any_of = set(expect.get("cites_any_of") or [])
    return cites <= sources and (not any_of or bool(any_of & sources))


def load_cases() -> list[dict]:
    cases = []
    for name in SETS:
        path = ROOT / "tests" / "eval" / name
        if path.exists():
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]:
                if case.get("command") in KINDS:
                    cases.append({**case, "set": name})
    return cases


def evaluate(engine: Engine, pools: list[tuple[dict, Pool]], t: Thresholds) -> dict[str, dict[str, int]]:
    """Per tier: how many right answers, wrong answers, refused negatives, ..."""
    out: dict[str, dict[str, int]] = {}
    for case, pool in pools:
        r = engine.ranker.decide(pool, t)
        negative = bool((case.get("expect") or {}).get("no_match"))
        best = r.best
        ok = best is not None and not negative and right(engine, case, best.kind, best.entry_id)
        tier = r.outcome if r.outcome != "answer" else f"answer:{r.basis}"
        row = out.setdefault(tier, {"right": 0, "wrong": 0, "negative": 0})
        row["negative" if negative else ("right" if ok else "wrong")] += 1
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", action="store_true", help="search the thresholds")
    parser.add_argument("--show", action="store_true", help="list every wrong or missed case")
    args = parser.parse_args()
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds")
    cases = load_cases()
    pools = [(c, engine.ranker.pool(c["query"], KINDS[c["command"]])) for c in cases]
    base = engine.ranker.t
    if args.grid:
        best = None
        rows: list[tuple[tuple[int, int], int, int, int, Thresholds]] = []
        grid = itertools.product([0.88, 0.885, 0.89, 0.9], [0.0, 0.005, 0.01, 0.015, 0.02],
                                 [0.84, 0.85, 0.86], [0.03, 0.04, 0.05], [0.1], [0.04, 0.06, 0.08, 0.1])
        for sem, margin, wide, margin_wide, weight, cross in grid:
            t = replace(base, sem_answer=sem, margin=margin, sem_answer_wide=wide, margin_wide=margin_wide,
                        coverage_weight=weight, cross_lingual=cross)
            table = evaluate(engine, pools, t)
            sem_row = table.get("answer:semantic", {"right": 0, "wrong": 0, "negative": 0})
            tp, wrong, neg = sem_row["right"], sem_row["wrong"], sem_row["negative"]
            key = (-neg, tp - 3 * wrong)
            rows.append((key, tp, wrong, neg, t))
            if best is None or key > best[0]:
                best = (key, t)
        assert best is not None
        rows.sort(key=lambda r: r[0], reverse=True)
        for _, tp, wrong, neg, t in rows[:12]:
            print(f"  right {tp:3} wrong {wrong:2} negatives {neg:2}: sem_answer={t.sem_answer} margin={t.margin} "
                  f"sem_answer_wide={t.sem_answer_wide} margin_wide={t.margin_wide} "
                  f"coverage_weight={t.coverage_weight} cross_lingual={t.cross_lingual}")
        print("best:", best[1])
        base = best[1]
    table = evaluate(engine, pools, base)
    print(f"{'tier':22} {'right':>6} {'wrong':>6} {'negative':>9}")
    for tier, row in sorted(table.items()):
        print(f"{tier:22} {row['right']:6} {row['wrong']:6} {row['negative']:9}")
    answered = [v for k, v in table.items() if k.startswith("answer")]
    tp = sum(v["right"] for v in answered)
    fp = sum(v["wrong"] + v["negative"] for v in answered)
    positives = sum(v["right"] + v["wrong"] for v in table.values())
    print(f"answers: precision {tp}/{tp + fp}, recall {tp}/{positives} of positive cases; "
          f"negatives answered: {sum(v['negative'] for v in answered)}")
    if args.show:
        for case, pool in pools:
            r = engine.ranker.decide(pool, base)
            negative = bool((case.get("expect") or {}).get("no_match"))
            b = r.best
            ok = b is not None and not negative and right(engine, case, b.kind, b.entry_id)
            if (r.outcome == "answer" and not ok) or (not negative and r.outcome != "answer"):
                label = f"{b.kind}:{b.entry_id} sem={b.semantic:.3f} cov={b.coverage:.2f}" if b else "-"
                asked = f"/{case['command']} {case['query'][:58]!r}"
                print(f"  {r.outcome:7} {r.basis:15} {case['id']:6} {asked} -> {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
