"""The careful reader's rules, checked on a loaded corpus: every side linked, dates that say when
something was said, no curator id in a reader's text, every doubtful translation marked.

`load_corpus` runs `check` after its own checks. Problems stop the bot like any other corpus error;
warnings (a contested claim neither answered in the corpus nor marked as unanswered) are printed by
`briefbot check`, and a test keeps the real corpus free of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from bot.corpus import BriefDate, Claim, Corpus, Problem
from bot.normalize import fold_quote

# An id-shaped token (two hyphens or more, or a curator's glob such as "caspian-*").
_ID_TOKEN = re.compile(r"(?<![\w-])[a-z0-9]+(?:-[a-z0-9]+)*(?:-\*|(?:-[a-z0-9]+){2,})(?![\w-])")
_QUOTED = re.compile(r"[\"“](.+?)[\"”]")


def other_parties(corpus: Corpus, claim: Claim) -> list[str]:
    """The actors a claim speaks of, other than its claimant and the groups it belongs to: who could answer it."""
    own = {claim.claimant, *corpus.actors[claim.claimant].part_of} if claim.claimant in corpus.actors \
        else {claim.claimant}
    out: list[str] = []
    for target in claim.about:
        if target in corpus.actors:
            party = target
        elif target in corpus.claims:
            party = corpus.claims[target].claimant
        else:
            continue
        if party not in own and party not in out:
            out.append(party)
    return out


def flagged_fragments(language_note: str) -> list[str]:
    """The passages a source's language note quotes as mistranslated ("did not ignore ... on the contrary"),
    folded, each part of two words or more ("..." splits a quoted passage into its parts)."""
    out = []
    for quoted in _QUOTED.findall(language_note):
        for part in re.split(r"\s*(?:\.\.\.|…)\s*", quoted):
            part = fold_quote(part).strip(" .,;:")
            if len(part.split()) >= 2:
                out.append(part.casefold())
    return out


def _reader_texts(corpus: Corpus) -> Iterator[tuple[str, str, str]]:
    """(entry id, field, text) of every field a reader may see."""
    def dates(*ds: BriefDate | str | None) -> list[str]:
        return [d.basis for d in ds if isinstance(d, BriefDate) and d.basis]

    for s in corpus.sources.values():
        for name in ("title", "perspective", "note", "language_note"):
            if text := getattr(s, name):
                yield s.file, name, text
        for text in dates(s.published):
            yield s.file, "published.basis", text
    for a in corpus.actors.values():
        for name, text in (("role", a.role), ("note", a.note), *(("record", r.summary) for r in a.record)):
            if text:
                yield a.id, name, text
    for p in corpus.places.values():
        if p.note:
            yield p.id, "note", p.note
    for e in corpus.events.values():
        for name in ("title", "summary", "note", "translation_note"):
            if text := getattr(e, name):
                yield e.id, name, text
        for text in dates(e.date, e.end):
            yield e.id, "date.basis", text
    for c in corpus.claims.values():
        for name in ("paraphrase", "note", "translation_note"):
            if text := getattr(c, name):
                yield c.id, name, text
        for text in dates(c.date, c.said):
            yield c.id, "date.basis", text


def check(corpus: Corpus, where: dict[str, tuple[str, int]]) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings) of the careful reader's rules."""
    problems: list[Problem] = []
    warnings: list[Problem] = []

    def at(entry_id: str) -> tuple[str, int]:
        return where.get(entry_id, ("briefs", 1))

    def report(into: list[Problem]) -> Callable[[str, str], None]:
        return lambda entry_id, message: into.append(Problem(*at(entry_id), message))

    problem, warn = report(problems), report(warnings)
    claims = corpus.claims

    for c in claims.values():
        # Every side linked: a claim about another party is answered in the corpus, or says it is not.
        parties = other_parties(corpus, c)
        if parties and not c.disputes and not c.no_response_in_corpus:
            warn(c.id, f"claim '{c.id}' is about {', '.join(parties)} but nothing disputes it: link the claim "
                       f"that answers it under 'disputes', or say whose answer the corpus lacks "
                       f"('no_response_in_corpus: [{parties[0]}]')")
        answered_by = {claims[o].claimant for o in c.disputes if o in claims}
        for actor in c.no_response_in_corpus:
            if actor in answered_by:
                problem(c.id, f"claim '{c.id}': no_response_in_corpus names '{actor}', but a claim by "
                              f"'{actor}' disputes it")
        # Said when, not reported when: a position cannot be stated after the document reporting it.
        source = corpus.sources.get(c.source)
        if source is not None and isinstance(c.said, BriefDate) and c.said.start > source.published.end:
            problem(c.id, f"claim '{c.id}': said {c.said.value}, after its source was published "
                          f"({source.published.value})")
        # A quote holding a passage its source's language note calls mistranslated carries its own marker.
        if source is not None and source.language_note and not c.translation_note:
            quote = fold_quote(c.quote).casefold()
            hit = next((f for f in flagged_fragments(source.language_note) if f in quote), None)
            if hit:
                problem(c.id, f"claim '{c.id}': its quote holds \"{hit}\", which the language note of "
                              f"{c.source} flags; add a one-line 'translation_note'")
    for e in corpus.events.values():
        if e.translation_note:
            continue
        for citation in e.cite:
            note = corpus.sources[citation.source].language_note if citation.source in corpus.sources else None
            quote = fold_quote(citation.quote).casefold()
            hit = next((f for f in flagged_fragments(note or "") if f in quote), None)
            if hit:
                problem(e.id, f"event '{e.id}': a quote holds \"{hit}\", which the language note of "
                              f"{citation.source} flags; add a one-line 'translation_note'")
                break

    # No curator id reaches a reader.
    ids = set(corpus.actors) | set(corpus.places) | set(corpus.events) | set(claims)
    for entry_id, name, text in _reader_texts(corpus):
        for token in _ID_TOKEN.findall(text):
            if token in ids or token.endswith("-*"):
                problem(entry_id, f"'{entry_id}'.{name} shows the curator id '{token}' to readers; "
                                  "name the entry in words")
    return problems, warnings
