"""Latency, start-up and memory of the answer core, beside a flat rapidfuzz scan in the same run.

    python benchmarks/bench_core.py            # real corpus + synthetic 10k, 100k, 1M entries
    python benchmarks/bench_core.py --sizes 10000 100000

Runs on one core (sched_setaffinity). Targets (issue 3): p99 <= 1 ms at 10k entries, <= 10 ms at 1M;
start-up on the real corpus under 1 s. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import Engine  # noqa: E402
from bot.index import Doc, SearchIndex  # noqa: E402
from bot.normalize import key  # noqa: E402

SYLLABLES = tuple(
    "ka ra ba mo li ye va za de si ne gu lo ta ri po an el ur is ho fi sa mi do ke zu ba ya ol "
    "ev ov ar an in en on us ik ek az ir".split(" ")
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_docs(n: int, seed: int = 7) -> list[Doc]:
    """Entries shaped like the real ones: a two- or three-word name, a spelling variant, a role."""
    rng = random.Random(seed)
    roles = ["member of parliament", "foreign minister", "news agency", "political party", "speaker",
             "commentator", "delegation", "committee", "ministry", "governor"]
    docs = []
    for i in range(n):
        name = " ".join(word(rng).capitalize() for _ in range(rng.randint(2, 3)))
        variant = name.replace("k", "kh").replace("a", "ə", 1)
        docs.append(Doc(f"x{i}", "actor", names=[name, variant], titles=[f"{rng.choice(roles)} {word(rng)}"]))
    return docs


def typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(1, max(2, len(text) - 1))
    return text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + rng.choice("aeiou") + text[i:]


def timed(fn, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(label: str, ms: list[float]) -> None:
    print(f"  {label:<34} p50 {statistics.median(ms):8.3f} ms   p99 {percentile(ms, 0.99):8.3f} ms   "
          f"(n={len(ms)})")


def bench_real(queries: list[str]) -> None:
    t = time.perf_counter()
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds")
    startup = (time.perf_counter() - t) * 1000
    print(f"real corpus: start-up (load + validate + index) {startup:.0f} ms, {len(engine.index)} entries, "
          f"max RSS {rss_mb():.0f} MB")
    for q in queries[:20]:
        engine.answer(q)  # warm caches
    report("answer() full pipeline", timed(engine.answer, queries * 5))
    report("index.search() only", timed(lambda q: engine.index.search(q.split(" ", 1)[-1]), queries * 5))


def bench_synthetic(n: int, rng: random.Random) -> None:
    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    docs = synthetic_docs(n)
    index = SearchIndex(docs)
    build = time.perf_counter() - t
    print(f"synthetic {n:>9,} entries: build {build:6.1f} s, max RSS {rss_mb():.0f} MB (+{rss_mb() - before:.0f})")
    sample = rng.sample(docs, 200)
    queries = [d.names[0] for d in sample[:70]]
    queries += [typo(d.names[0], rng) for d in sample[70:140]]
    queries += [d.names[0].split()[-1] for d in sample[140:170]]  # a surname alone
    queries += [f"{word(rng)} {word(rng)}zz" for _ in range(30)]  # not in the index
    report("prefilter + rapidfuzz re-rank", timed(lambda q: index.search(q, limit=5), queries))
    keys = [key(d.names[0]) for d in docs]
    flat_queries = queries[:: max(1, len(queries) // (40 if n >= 1_000_000 else 100))]
    report("flat rapidfuzz scan (WRatio)",
           timed(lambda q: process.extractOne(key(q), keys, scorer=fuzz.WRatio), flat_queries))
    hits = sum(1 for d, q in zip(sample[:140], queries[:140], strict=True)
               if (r := index.search(q, limit=1)) and r[0].entry_id == d.entry_id)
    print(f"  top-1 right for exact and typo'd names: {hits}/140")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(f"python {sys.version.split()[0]}, one core")
    queries = ["/actor aliev", "/actor Алиев", "/actor Blinkin", "/actor Qafarova", "/timeline PACE",
               "/timeline Stepanakert", "/timeline 2023", "/claim political prisoners", "/claim USAID",
               "/actor Elon Musk", "/claim the Earth is flat", "/timeline September 2023",
               "/claim Azerbaijan joined NATO", "/actor Mehriban Aliyeva", "/timeline Karabakh since 2023"]
    bench_real(queries)
    rng = random.Random(11)
    for n in args.sizes:
        bench_synthetic(n, rng)
    return 0


if __name__ == "__main__":
    sys.exit(main())
