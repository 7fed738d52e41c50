"""Time and size of the readers' tools on the real corpus, one core: the timeline picture (cold = first
render in the process, including matplotlib's import and font loading; warm = later renders) and each
export format. Prints numbers; asserts nothing.

    python benchmarks/bench_readers.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import Engine  # noqa: E402
from bot.export import FORMATS, render  # noqa: E402
from bot.picture import timeline_picture  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds", embedder=None)
    print(f"{'what':<34} {'events':>7} {'cold s':>7} {'warm p50 s':>10} {'bytes':>9}")
    for query in ("Karabakh", "PACE", "2023", ""):
        started = time.perf_counter()
        picture = timeline_picture(engine, query)
        cold = time.perf_counter() - started
        assert picture is not None
        warm = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            timeline_picture(engine, query)
            warm.append(time.perf_counter() - started)
        label = f"picture /timeline {query}".strip()
        print(f"{label:<34} {picture.events:>3}/{picture.total:<3} {cold:>7.2f} {statistics.median(warm):>10.2f} "
              f"{len(picture.png):>9,}")
    for fmt in FORMATS:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            text = render(fmt, engine.corpus, engine.provenance)
            times.append(time.perf_counter() - started)
        warm = statistics.median(times)
        print(f"{'export ' + fmt:<34} {len(engine.corpus.events):>7} {times[0]:>7.3f} {warm:>10.3f} "
              f"{len(text.encode()):>9,}")
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
