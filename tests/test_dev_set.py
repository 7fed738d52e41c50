"""The public dev set as a regression floor: every query passes, through the real batch command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.eval.score import check_telegram_html, judge

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = yaml.safe_load((HERE / "eval" / "queries_dev.yaml").read_text(encoding="utf-8"))["queries"]


@pytest.fixture(scope="module")
def answers() -> dict[str, dict]:
    """Run `python -m bot ask --json` once, exactly as the scorer does."""
    messages = [f"/{c['command']} {c['query']}".rstrip() for c in CASES]
    proc = subprocess.run([sys.executable, "-m", "bot", "ask", "--json"], input="\n".join(messages) + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == len(messages)
    assert [line["query"] for line in lines] == messages  # one answer per line, in order
    return dict(zip(messages, lines, strict=True))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_dev_query(case: dict, answers: dict[str, dict]) -> None:
    message = f"/{case['command']} {case['query']}".rstrip()
    answer = answers[message]
    assert judge(case, answer) == [], answer["reply"]
    problems, _ = check_telegram_html(answer["reply"])
    assert problems == []
