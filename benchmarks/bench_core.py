"""The index beside the two best ready-made approaches, on the same corpus and queries, in one run.

    python benchmarks/bench_core.py                      # real corpus + synthetic 10k and 100k entries
    python benchmarks/bench_core.py --sizes 10k,100k,1M  # 1M takes several minutes and ~4 GB

Methods, each given the very same synthetic entries (benchmarks/synthetic.py: a name, a spelling
variant, a role) and the very same 1,000 queries (35% exact names, 35% names with one edit, 15% a
surname alone, 15% names the index has never seen), plus common-word queries ("member of parliament
foreign minister"):

- briefbot: `bot.index.SearchIndex.search` (what the bot runs).
- trigram: the 16 rarest of the query's letter trigrams select the entries sharing most of them (64),
  which rapidfuzz's WRatio re-ranks against every name of each.
- tantivy: tantivy's FuzzyTermQuery (one edit) on each query word, OR-ed, top 20 re-ranked by WRatio
  (a dev-only dependency; skipped when not installed).

Each (size, method) runs in its own process pinned to one core, so that "index memory" (resident
memory after the build minus before it, the entries already made) is the method's alone. Latency is
per query, one at a time, and like build time it is CPU time of the process (on a shared machine
wall-clock time mostly measures the other processes). "top-1" is the share of queries whose
intended entry comes first; "unseen answered" is how often a never-seen name gets a confident
answer (briefbot: score >= Tiers.confident; the baselines have no notion of it). Ratios are the
baseline's figure over briefbot's. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import COMMON_QUERIES, queries, synthetic_docs  # noqa: E402

from bot.index import Doc, SearchIndex, Tiers  # noqa: E402
from bot.normalize import key  # noqa: E402

METHODS = ("briefbot", "trigram", "tantivy")


def clock() -> float:
    """CPU seconds of this process (all its threads): on a shared machine, time spent waiting for a
    core is not the method's."""
    return time.process_time()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


# ---- the methods: build(docs) -> search(query) -> (entry number or None, confident)


def build_briefbot(docs: list[Doc]):
    index = SearchIndex(docs)
    numbers = {d.entry_id: i for i, d in enumerate(docs)}
    confident = Tiers().confident

    def search(q: str) -> tuple[int | None, bool]:
        hits = index.search(q, limit=5)
        return (numbers[hits[0].entry_id], hits[0].score >= confident) if hits else (None, False)

    return search, index


def _rerank(qkey: str, candidates, names: list[tuple[str, ...]]) -> int | None:
    from rapidfuzz import fuzz

    best, best_score = None, -1.0
    for n in candidates:
        score = max(fuzz.WRatio(qkey, k) for k in names[n])
        if score > best_score:
            best, best_score = n, score
    return best


def _trigrams(k: str) -> set[str]:
    padded = f" {k} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def build_trigram(docs: list[Doc]):
    import numpy as np

    names = [tuple(key(n) for n in d.names) for d in docs]
    lists: dict[str, list[int]] = {}
    for i, ks in enumerate(names):
        for t in set().union(*(_trigrams(k) for k in ks)):
            lists.setdefault(t, []).append(i)
    postings = {t: np.array(v, dtype=np.int32) for t, v in lists.items()}
    del lists

    def search(q: str) -> tuple[int | None, bool]:
        qkey = key(q)
        found = sorted((postings[t] for t in _trigrams(qkey) if t in postings), key=len)[:16]
        if not found:
            return None, False
        numbers, counts = np.unique(np.concatenate(found), return_counts=True)
        if len(numbers) > 64:
            numbers = numbers[np.argpartition(-counts, 64)[:64]]
        return _rerank(qkey, numbers.tolist(), names), False

    return search, postings


def build_tantivy(docs: list[Doc]):
    import tantivy

    names = [tuple(key(n) for n in d.names) for d in docs]
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("name", stored=False, index_option="basic")
    builder.add_integer_field("n", stored=True)
    schema = builder.build()
    index = tantivy.Index(schema)  # in memory
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    for i, ks in enumerate(names):
        writer.add_document(tantivy.Document(name=list(ks), n=i))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def search(q: str) -> tuple[int | None, bool]:
        qkey = key(q)
        terms = [tantivy.Query.fuzzy_term_query(schema, "name", w, distance=1) for w in qkey.split()]
        if not terms:
            return None, False
        query = tantivy.Query.boolean_query([(tantivy.Occur.Should, t) for t in terms])
        numbers = [searcher.doc(addr)["n"][0] for _, addr in searcher.search(query, 20).hits]
        return _rerank(qkey, numbers, names), False

    return search, index


def worker(method: str, n: int) -> dict:
    one_core()
    docs = synthetic_docs(n)
    qs = queries(docs)
    numbers = {d.entry_id: i for i, d in enumerate(docs)}
    gc.collect()
    before = rss_mb()
    t = clock()
    search, index = {"briefbot": build_briefbot, "trigram": build_trigram, "tantivy": build_tantivy}[method](docs)
    build = clock() - t
    gc.collect()
    memory = rss_mb() - before
    for _, q, _ in qs[:20]:
        search(q)  # warm up
    times, right, total = [], {}, {}
    unseen_confident = 0
    for group, q, want in qs:
        t = clock()
        got, confident = search(q)
        times.append((clock() - t) * 1000)
        total[group] = total.get(group, 0) + 1
        if want is None:
            unseen_confident += confident
        elif got == numbers[want]:
            right[group] = right.get(group, 0) + 1
    common = []
    for q in COMMON_QUERIES * 5:
        t = clock()
        search(q)
        common.append((clock() - t) * 1000)
    out = {"method": method, "n": n, "p50": statistics.median(times), "p99": percentile(times, 0.99),
           "build": build, "memory": memory, "common_p99": percentile(common, 0.99),
           "top1": {g: right.get(g, 0) / total[g] for g in total if g != "unseen"},
           "unseen_confident": unseen_confident / total["unseen"] if method == "briefbot" else None}
    if method == "briefbot":
        out["breakdown"] = {k: v / 2**20 for k, v in index.memory().items()}
    return out


def run(method: str, n: int) -> dict | None:
    proc = subprocess.run([sys.executable, __file__, "--worker", method, str(n)], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  {method} at {n:,}: failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> None:
    print("| entries | method | p50 ms | p99 ms | common-word p99 ms | build s | index memory | top-1 exact | "
          "top-1 on typos | top-1 surname | unseen answered |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ours = {r["n"]: r for r in rows if r["method"] == "briefbot"}
    for r in rows:
        base = ours.get(r["n"])

        def cell(k: str, fmt: str, r=r, base=base) -> str:
            text = format(r[k], fmt)
            if base is not None and r is not base and base[k] > 0:
                text += f" ({r[k] / base[k]:.1f}×)"
            return text

        unseen = "-" if r["unseen_confident"] is None else f"{r['unseen_confident']:.1%}"
        print(f"| {r['n']:,} | {r['method']} | {cell('p50', '.2f')} | {cell('p99', '.2f')} | "
              f"{cell('common_p99', '.2f')} | {cell('build', '.1f')} | {cell('memory', '.0f')} MB | "
              f"{r['top1']['exact']:.1%} | {r['top1']['typo']:.1%} | {r['top1']['surname']:.1%} | {unseen} |")


def bench_real() -> None:
    from bot.core import Engine

    messages = ["/actor aliev", "/actor Алиев", "/actor Blinkin", "/actor Qafarova", "/timeline PACE",
                "/timeline Stepanakert", "/timeline 2023", "/claim political prisoners", "/claim USAID",
                "/actor Elon Musk", "/claim the Earth is flat", "/timeline September 2023",
                "/claim Azerbaijan joined NATO", "/actor Mehriban Aliyeva", "/timeline Karabakh since 2023"]
    t = clock()
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds")
    startup = (clock() - t) * 1000
    print(f"real corpus: start-up (load + validate + index) {startup:.0f} ms, {len(engine.index)} entries")
    for m in messages:
        engine.answer(m)  # warm caches
    for label, fn in (("answer() full pipeline", engine.answer),
                      ("index.search() only", lambda m: engine.index.search(m.split(" ", 1)[-1]))):
        ms = []
        for m in messages * 5:
            t = clock()
            fn(m)
            ms.append((clock() - t) * 1000)
        print(f"  {label:<28} p50 {statistics.median(ms):7.3f} ms   p99 {percentile(ms, 0.99):7.3f} ms")


def size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k", help="comma-separated entry counts, e.g. 10k,100k,1M")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--worker", nargs=2, metavar=("METHOD", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]))))
        return 0
    one_core()
    print(f"python {sys.version.split()[0]}, one core per process")
    bench_real()
    rows = []
    for n in [size(s) for s in args.sizes.split(",") if s.strip()]:
        for method in args.methods.split(","):
            row = run(method, n)
            if row is not None:
                rows.append(row)
                print(f"  {n:,} {method}: p50 {row['p50']:.2f} ms, p99 {row['p99']:.2f} ms, "
                      f"build {row['build']:.1f} s, {row['memory']:.0f} MB", file=sys.stderr)
    print()
    table(rows)
    largest = max((r for r in rows if r["method"] == "briefbot"), key=lambda r: r["n"], default=None)
    if largest is not None:
        print(f"\nbriefbot index memory at {largest['n']:,} entries, by part (the entries themselves not counted):")
        for part, mb in largest["breakdown"].items():
            print(f"  {part:<40} {mb:8.1f} MB")
        print(f"  {'total':<40} {sum(largest['breakdown'].values()):8.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
