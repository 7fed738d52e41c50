"""`briefbot check`: the curator's report on the corpus, through the bot's own loader."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.corpus import Corpus, CorpusError, load_corpus
from bot.i18n import LANGS, english, flatten, translated
from bot.translations import coverage, load_translations, stale


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
    """Print every problem (file:line: message) and return 1, or a one-line summary and 0. Then, per
    language the corpus declares (briefs/translations/), every entry still lacking a translation, as
    warnings, and the counts; a malformed translation, or one that drops a claim's attribution, fails."""
    try:
        corpus = load_corpus(briefs, seeds)
    except CorpusError as exc:
        return _failed(exc.problems)
    translations = load_translations(briefs, corpus)
    if translations.problems:
        return _failed(sorted(translations.problems))
    for warning in corpus.warnings:
        print(f"{warning} (warning)", file=sys.stderr)
    warned = f"; {len(corpus.warnings)} warning(s)" if corpus.warnings else ""
    print(f"briefbot check: OK: {summary(corpus)}{warned}.")
    for changed in stale(translations, corpus, briefs):
        print(f"warning: {changed.file}:{changed.line}: the English of {changed.section[:-1]} '{changed.entry_id}' "
              f"({', '.join(changed.fields)}) changed since it was translated: review the translations, then "
              f"`python -m bot.translations stamp`", file=sys.stderr)
    for report in coverage(translations, corpus, briefs):
        for missing in report.missing:
            print(f"warning: {missing} ({report.lang})", file=sys.stderr)
        print(f"briefbot check: {report.lang}: {report.entries} entries, {report.translated} translated, "
              f"{len(report.missing)} missing a translation (shown in English until translated).")
    for lang in LANGS[1:]:
        keys = [k for k, _ in flatten(english())]
        done = sum(1 for k in keys if translated(k, lang) is not None)
        print(f"briefbot check: wording {lang}: {done} of {len(keys)} phrases translated"
              + ("." if done == len(keys) else "; run `python -m bot.i18n sync` and translate the rest."))
    return 0


def _failed(problems: list) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    todos = sum(1 for p in problems if p.message.startswith("TODO to review"))
    left = f" ({todos} of them TODO lines left to review in a draft)" if todos else ""
    print(f"briefbot check: {len(problems)} problem(s){left}; the bot will not start on this corpus.",
          file=sys.stderr)
    return 1
