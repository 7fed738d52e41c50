"""Write the answers tests/test_index_answers.py holds the index to: the best hits of the benchmark's
queries on a synthetic corpus, and of every eval-set message on the real corpus.

    python benchmarks/expected_top1.py                 # from this checkout's code
    python benchmarks/expected_top1.py --code ../old   # from another checkout (answers "before")

Run it when a change is meant to move answers (and say so in the commit); a speed or memory change
must leave the file as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "index_top1.json"
SYNTHETIC_SIZE = 3000
EVAL_SETS = ("queries_dev.yaml", "queries_dev_extra.yaml", "queries_labelled.yaml", "queries_holdout.yaml")


def eval_texts() -> list[str]:
    import yaml

    out = []
    for name in EVAL_SETS:
        for case in yaml.safe_load((ROOT / "tests" / "eval" / name).read_text(encoding="utf-8"))["queries"]:
            out.append(case.get("message") or case["query"])
    return list(dict.fromkeys(m.split(" ", 1)[-1] if m.startswith("/") else m for m in out))


def hits(index, text: str, n: int = 3) -> list[list]:
    return [[h.kind, h.entry_id, h.score] for h in index.search(text, limit=n)]


def expectations() -> dict:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import COMMON_QUERIES, queries, synthetic_docs

    from bot.core import Engine
    from bot.index import SearchIndex

    docs = synthetic_docs(SYNTHETIC_SIZE)
    index = SearchIndex(docs)
    synthetic = [{"group": g, "query": q, "want": want, "hits": hits(index, q, 1)}
                 for g, q, want in queries(docs)]
    synthetic += [{"group": "common", "query": q, "want": None, "hits": hits(index, q)} for q in COMMON_QUERIES]
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds")
    real = [{"query": t, "hits": hits(engine.index, t)} for t in eval_texts()]
    return {"synthetic_size": SYNTHETIC_SIZE, "synthetic": synthetic, "real": real}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--code", type=Path, help="a checkout whose bot/ package answers (default: this one)")
    args = ap.parse_args()
    sys.path.insert(0, str((args.code or ROOT).resolve()))
    found = expectations()
    row = lambda r: json.dumps(r, ensure_ascii=False)  # noqa: E731  (one query a line: diffs stay readable)
    synthetic, real = ",\n".join(map(row, found["synthetic"])), ",\n".join(map(row, found["real"]))
    OUT.write_text(f'{{"synthetic_size": {found["synthetic_size"]},\n"synthetic": [\n{synthetic}\n],\n'
                   f'"real": [\n{real}\n]}}\n', encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
