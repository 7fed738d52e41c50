"""`briefbot check`: the curator's report on the corpus, through the bot's own loader."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.corpus import Corpus, CorpusError, load_corpus


def summary(corpus: Corpus) -> str:
    aliases = sum(len(a.aliases) for a in corpus.actors.values()) + sum(len(p.aliases) for p in corpus.places.values())
    quotes = (
        sum(len(e.cite) for e in corpus.events.values())
        + len(corpus.claims)
        + sum(len(a.cite) + sum(len(r.cite) for r in a.record) for a in corpus.actors.values())
        + sum(len(p.cite) for p in corpus.places.values())
    )
    return (
        f"{len(corpus.sources)} sources, {len(corpus.actors)} actors, {aliases} aliases, {len(corpus.events)} events, "
        f"{len(corpus.claims)} claims, {len(corpus.places)} places; {quotes} quotes found verbatim in their sources"
    )


def run_check(briefs: Path, seeds: Path) -> int:
    """Print every problem (file:line: message) and return 1, or a one-line summary and 0."""
    try:
        corpus = load_corpus(briefs, seeds)
    except CorpusError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        todos = sum(1 for p in exc.problems if p.message.startswith("TODO to review"))
        left = f" ({todos} of them TODO lines left to review in a draft)" if todos else ""
        print(f"briefbot check: {len(exc.problems)} problem(s){left}; the bot will not start on this corpus.",
              file=sys.stderr)
        return 1
    for warning in corpus.warnings:
        print(f"{warning} (warning)", file=sys.stderr)
    warned = f"; {len(corpus.warnings)} warning(s)" if corpus.warnings else ""
    print(f"briefbot check: OK: {summary(corpus)}{warned}.")
    return 0
