"""Instructions the words-only whole answer costs, per message, counted by valgrind (a busy shared
machine blurs timings; instruction counts do not move), for this checkout and any others.

    .venv/bin/python benchmarks/count_instructions.py [OTHER_CHECKOUT ...]   # needs valgrind; minutes

Each checkout's Engine (BRIEFBOT_EMBEDDER=none) loads, answers 10 messages, and only then is
counted (callgrind_control -i on), answering each of the fit-set messages once. Prints the count.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = r"""
import os, subprocess, sys
from pathlib import Path
root = Path(sys.argv[1]); sys.path.insert(0, str(root)); sys.path.insert(0, sys.argv[2])
os.environ["BRIEFBOT_EMBEDDER"] = "none"
from bench_semantic import messages
from bot.core import Engine
engine = Engine.load(root / "briefs", root / "seeds")
msgs = messages()
# Warm-up, in the three languages the messages are in: one-time work (a language's first answer,
# an index built on first use) is start-up, not the per-message cost counted here.
for m in [*msgs[:10], "кто такая Гафарова?", "Qafarova kimdir?", "/claim Erdogan says PACE is biased"]:
    engine.answer(m)
subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
for m in msgs:
    engine.answer(m)
subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True)
print("messages", len(msgs))
"""


def count(checkout: Path) -> tuple[int, int]:
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
                           sys.executable, "-c", WORKER, str(checkout), str(ROOT / "benchmarks")],
                          capture_output=True, text=True, check=True)
    refs = int(re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr).group(1).replace(",", ""))
    return refs, int(re.search(r"messages (\d+)", proc.stdout).group(1))


def main() -> int:
    for checkout in [ROOT, *(Path(a).resolve() for a in sys.argv[1:])]:
        refs, n = count(checkout)
        print(f"{checkout}: {refs / 1e9:.2f} G instructions, {refs / n / 1e6:.1f} M per message ({n} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
