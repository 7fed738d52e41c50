"""What speaking Russian or Azerbaijani costs: the first answer in a language (the corpus is localized
once, lazily) and the per-answer latency on the public dev set, side by side with English; and how
often a translated reply cites other sources than the English one (brief and full).

    .venv/bin/python benchmarks/bench_i18n.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import Engine  # noqa: E402
from bot.i18n import LANGS  # noqa: E402


def messages() -> list[str]:
    data = yaml.safe_load((ROOT / "tests" / "eval" / "queries_dev.yaml").read_text(encoding="utf-8"))
    return [c.get("message") or f"/{c['command']} {c['query']}".rstrip() for c in data["queries"]]


def main() -> None:
    engine = Engine.load(ROOT / "briefs", ROOT / "seeds")
    texts = messages()
    print(f"{len(texts)} dev-set messages; milliseconds per answer (brief replies)")
    print(f"{'lang':<6}{'first answer':>14}{'median':>10}{'p95':>10}{'sources differ (brief/full)':>30}")
    english = {t: (engine.answer(t).sources, engine.answer(t, full=True).sources) for t in texts}
    for lang in LANGS:
        started = time.perf_counter()
        engine.answer("/about", lang=lang)
        first = (time.perf_counter() - started) * 1000
        times, brief_diff, full_diff = [], 0, 0
        for t in texts:
            started = time.perf_counter()
            reply = engine.answer(t, lang=lang)
            times.append((time.perf_counter() - started) * 1000)
            brief_diff += reply.sources != english[t][0]
            full_diff += engine.answer(t, full=True, lang=lang).sources != english[t][1]
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        print(f"{lang:<6}{first:>14.1f}{statistics.median(times):>10.2f}{p95:>10.2f}"
              f"{f'{brief_diff}/{full_diff} of {len(texts)}':>30}")


if __name__ == "__main__":
    main()
