"""Translations of the curated content: `briefs/translations/<lang>.yaml`, keyed by entry id.

The English briefs stay as they are (a plain string is the English); each language has one parallel
file, so translating never touches an English brief (no merge conflicts with curators) and a missing
translation is simply absent. A file declares its language; every language with a file is a language
the corpus declares, and `briefbot check` reports, per language, each entry that lacks a translation
(file:line of the English entry) and fails on a translation that is malformed or drops the
attribution of a claim (its paraphrase must still name whoever the English names: the claimant, and
"according to X", in any spelling or inflection of their names).

    language: ru
    actors:
      aliyev: {name: Ильхам Алиев, role: Президент Азербайджана, record: [..one per record..], note: ..}
    places:
      khankendi: {name: Ханкенди, note: ..}
    events:
      <id>: {title: .., summary: .., note: .., basis: .., glosses: [..one per cited quote..]}
    claims:
      <id>: {paraphrase: .., note: .., basis: .., gloss: ..}
    sources:
      <seed file>: {title: .., perspective: .., language_note: .., basis: ..}

Quotes are never translated: they stay verbatim in the source's language; a `gloss` is a short
translation shown under the quote, marked as a translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.corpus import Citation, Claim, Corpus, Problem, Record, Source, read_yaml
from bot.i18n import LANGS, SOURCE_LANG
from bot.render import LocalText, Quote

FOLDER = "translations"  # under briefs/; not read as briefs

# section -> translatable fields (texts a reader sees); "record"/"glosses" are lists parallel to the entry's
FIELDS: dict[str, tuple[str, ...]] = {
    "actors": ("name", "role", "note", "record"),
    "places": ("name", "note"),
    "events": ("title", "summary", "note", "basis", "translation_note", "glosses"),
    "claims": ("paraphrase", "note", "basis", "said_basis", "translation_note", "gloss"),
    "sources": ("title", "perspective", "language_note", "basis"),
}
# fields that are not reported as missing: a name may rightly stay as it is ("PACE", "AZERTAC"),
# and a gloss is optional by design
OPTIONAL = frozenset(("name", "glosses", "gloss"))


@dataclass
class Language:
    lang: str
    file: str
    entries: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # section -> id -> fields
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (section, id) -> line


@dataclass
class Missing:
    file: str
    line: int
    section: str
    entry_id: str
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.section[:-1]} '{self.entry_id}' has no translation of " \
               f"{', '.join(self.fields)}"


@dataclass
class Coverage:
    lang: str
    entries: int
    translated: int
    missing: list[Missing]


@dataclass
class Translations:
    languages: dict[str, Language] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, lang: str) -> Language | None:
        return self.languages.get(lang)


# --------------------------------------------------------------------------- loading and checking


def _tables(corpus: Corpus) -> dict[str, dict[str, Any]]:
    return {"actors": corpus.actors, "places": corpus.places, "events": corpus.events, "claims": corpus.claims,
            "sources": corpus.sources}


def load_translations(briefs_dir: Path, corpus: Corpus, *, attribution_checked: bool = False) -> Translations:
    """Every `briefs/translations/*.yaml`, checked against the corpus; problems have file:line.
    `attribution_checked`: these very files passed the attribution check before (the engine keeps a
    mark keyed by the corpus and the checking code): skip that part, half of a bot's start-up."""
    out = Translations()
    folder = Path(briefs_dir) / FOLDER
    if not folder.is_dir():
        return out
    tables = _tables(corpus)
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml")):
        file = _display(path, briefs_dir)
        problems = out.problems
        doc = read_yaml(path, file, problems)
        if doc is None:
            continue
        if not isinstance(doc, dict):
            problems.append(Problem(file, getattr(doc, "line", 1), "expected a mapping with language and sections"))
            continue
        lang = doc.get("language")
        if lang not in LANGS or lang == SOURCE_LANG or path.stem != lang:
            problems.append(Problem(file, doc.key_lines.get("language", 1),
                                    f"language: expected the file's own name, one of "
                                    f"{', '.join(x for x in LANGS if x != SOURCE_LANG)}, got {lang!r}"))
            continue
        language = Language(lang, file)
        for section, entries in doc.items():
            line = doc.key_lines.get(section, 1)
            if section == "language":
                continue
            if section not in FIELDS:
                problems.append(Problem(file, line, f"unknown section '{section}' (allowed: {', '.join(FIELDS)})"))
                continue
            if not isinstance(entries, dict):
                problems.append(Problem(file, line, f"{section}: expected a mapping of entry id to fields"))
                continue
            for entry_id, raw in entries.items():
                at = entries.key_lines.get(entry_id, line)
                entry = tables[section].get(entry_id)
                if entry is None:
                    problems.append(Problem(file, at, f"{section}: no entry '{entry_id}' in the briefs"))
                    continue
                fields = _fields(raw, section, entry, file, at, problems)
                if fields:
                    language.entries.setdefault(section, {})[entry_id] = fields
                    language.lines[(section, entry_id)] = at
        out.languages[lang] = language
    if not attribution_checked:
        _check_attribution(out, corpus)
    return out


def _fields(raw: Any, section: str, entry: Any, file: str, line: int, problems: list[Problem]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.append(Problem(file, line, f"{section}: expected a mapping of fields"))
        return {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        at = raw.key_lines.get(name, line)
        if name not in FIELDS[section]:
            problems.append(Problem(file, at, f"{section}: cannot translate '{name}' "
                                              f"(translatable: {', '.join(FIELDS[section])})"))
            continue
        if name in ("record", "glosses"):
            parallel = len(entry.record) if name == "record" else len(entry.cite)
            if not isinstance(value, list) or not all(isinstance(v, str) or v is None for v in value):
                problems.append(Problem(file, at, f"{section}.{name}: expected a list of texts"))
                continue
            if len(value) > parallel:
                problems.append(Problem(file, at, f"{section}.{name}: {len(value)} items, the entry has {parallel}"))
                continue
            out[name] = [" ".join(v.split()) if v else None for v in value]
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(file, at, f"{section}.{name}: expected a non-empty text"))
            continue
        if _english(entry, name) is None and name not in ("gloss",):
            problems.append(Problem(file, at, f"{section}.{name}: the English entry has no {name} to translate"))
            continue
        out[name] = " ".join(value.split())
    return out


def _english(entry: Any, name: str) -> Any:
    if name == "said_basis":  # when a claim was said, where that differs from its report's date
        said = getattr(entry, "said", None)
        return getattr(said, "basis", None)
    if name == "basis":
        d = entry.published if isinstance(entry, Source) else entry.date
        return d.basis
    return getattr(entry, name, None)


def _check_attribution(tr: Translations, corpus: Corpus) -> None:
    """A translated paraphrase names every actor its English names (the claimant; "according to X"), in
    any alias or inflection, or the translated name the same file gives."""
    from bot.index import STOPWORDS
    from bot.retrieve.entries import aliases
    from bot.retrieve.mentions import MentionFinder

    for language in tr.languages.values():
        names = list(aliases(corpus))
        for section in ("actors", "places"):
            for entry_id, fields in language.entries.get(section, {}).items():
                if "name" in fields:
                    names.append((entry_id, fields["name"]))
        finder = MentionFinder(names, STOPWORDS)
        for claim_id, fields in language.entries.get("claims", {}).items():
            if "paraphrase" not in fields:
                continue
            claim = corpus.claims[claim_id]
            wanted = attribution(claim, finder)
            named = {m.entity_id for m in finder.find(fields["paraphrase"])}
            lost = sorted(wanted - named)
            if lost:
                who = ", ".join(corpus.actors[i].name if i in corpus.actors else i for i in lost)
                tr.problems.append(Problem(language.file, language.lines[("claims", claim_id)],
                                           f"claims '{claim_id}': the {language.lang} paraphrase drops the "
                                           f"attribution to {who} (the English names them: say who claims it)"))


_ACCORDING = re.compile(r"\baccording to (?P<who>[^,.;:]+)", re.IGNORECASE)


def attribution(claim: Claim, finder: Any) -> set[str]:
    """Whom the English paraphrase names as its speakers: the claimant, when named, and whoever it is
    "according to" ("According to the Milli Majlis, the resolution alleges …"). The other names in it
    are what the claim is about, which a translation may word as it likes."""
    named = {m.entity_id for m in finder.find(claim.paraphrase)}
    wanted = {claim.claimant} & named
    for m in _ACCORDING.finditer(claim.paraphrase):
        wanted |= {x.entity_id for x in finder.find(m["who"])}
    return wanted


def _display(path: Path, briefs_dir: Path) -> str:
    for base in (Path(briefs_dir).parent, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def entry_lines(briefs_dir: Path) -> dict[tuple[str, str], tuple[str, int]]:
    """(section, id or seed file) -> (file, line) of each English entry, for the missing-translation report."""
    out: dict[tuple[str, str], tuple[str, int]] = {}
    briefs_dir = Path(briefs_dir)
    for path in sorted(p for p in briefs_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()):
        if FOLDER in path.relative_to(briefs_dir).parts[:1]:
            continue
        doc = read_yaml(path, _display(path, briefs_dir), [])
        if not isinstance(doc, dict):
            continue
        for section, entries in doc.items():
            if section in FIELDS and isinstance(entries, list):
                for raw, line in zip(entries, entries.item_lines, strict=False):
                    if isinstance(raw, dict):
                        ident = raw.get("file" if section == "sources" else "id")
                        out[(section, str(ident))] = (_display(path, briefs_dir), line)
    return out


def wanted_fields(section: str, entry: Any) -> list[str]:
    """The translatable fields this entry has in English (those a translation must give)."""
    out = []
    for name in FIELDS[section]:
        if name in OPTIONAL:
            continue
        value = _english(entry, name)
        if value:
            out.append(name)
    return out


def coverage(tr: Translations, corpus: Corpus, briefs_dir: Path) -> list[Coverage]:
    """Per declared language: how many entries there are, how many are wholly translated, what is missing."""
    where = entry_lines(briefs_dir)
    out = []
    for lang, language in sorted(tr.languages.items()):
        total = translated = 0
        missing: list[Missing] = []
        for section, table in _tables(corpus).items():
            for entry_id, entry in table.items():
                total += 1
                have = language.entries.get(section, {}).get(entry_id, {})
                lacking = []
                for name in wanted_fields(section, entry):
                    value = have.get(name)
                    if name == "record":
                        if not value or len(value) < len(entry.record) or not all(value):
                            lacking.append(name)
                    elif not value:
                        lacking.append(name)
                if lacking:
                    file, line = where.get((section, entry_id), ("briefs", 1))
                    missing.append(Missing(file, line, section, entry_id, tuple(lacking)))
                else:
                    translated += 1
        out.append(Coverage(lang, total, translated, sorted(missing, key=lambda m: (m.file, m.line))))
    return out


# --------------------------------------------------------------------------- staleness

STAMPS = "english.json"  # briefs/translations/english.json: what English each translation was made from


def _english_text(section: str, entry: Any, name: str) -> str | None:
    value = _english(entry, name)
    if name == "record":
        return "\n".join(r.summary for r in value) if value else None
    if name == "glosses":
        return "\n".join(" ".join(c.quote.split()) for c in entry.cite)
    if name == "gloss":
        return " ".join(entry.quote.split())
    return " ".join(str(value).split()) if value else None


def english_stamps(tr: Translations, corpus: Corpus) -> dict[str, str]:
    """"section/id/field" -> a short hash of the English text each translated field translates."""
    import hashlib

    tables = _tables(corpus)
    out: dict[str, str] = {}
    for language in tr.languages.values():
        for section, entries in language.entries.items():
            for entry_id, fields in entries.items():
                for name in fields:
                    text = _english_text(section, tables[section][entry_id], name)
                    if text is not None:
                        out[f"{section}/{entry_id}/{name}"] = hashlib.sha256(text.encode()).hexdigest()[:12]
    return dict(sorted(out.items()))


def write_stamps(briefs_dir: Path, tr: Translations, corpus: Corpus) -> Path:
    """Record the English the translations were made from (run after translating or reviewing)."""
    import json

    path = Path(briefs_dir) / FOLDER / STAMPS
    path.write_text(json.dumps(english_stamps(tr, corpus), indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def stale(tr: Translations, corpus: Corpus, briefs_dir: Path) -> list[Missing]:
    """Translated fields whose English has changed since they were stamped: to review (the
    translation still shows until then, and still has to name its claimant)."""
    import json

    path = Path(briefs_dir) / FOLDER / STAMPS
    if not path.exists():
        return []
    stamped = json.loads(path.read_text(encoding="utf-8"))
    now = english_stamps(tr, corpus)
    where = entry_lines(briefs_dir)
    changed: dict[tuple[str, str], list[str]] = {}
    for k, digest in now.items():
        if k in stamped and stamped[k] != digest:
            section, entry_id, name = k.split("/")
            changed.setdefault((section, entry_id), []).append(name)
    out = []
    for (section, entry_id), names in sorted(changed.items()):
        file, line = where.get((section, entry_id), ("briefs", 1))
        out.append(Missing(file, line, section, entry_id, tuple(names)))
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.translations stamp`: record the English the current translations translate."""
    import sys

    from bot.corpus import load_corpus

    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["stamp"]:
        print("usage: python -m bot.translations stamp [briefs] [seeds]", file=sys.stderr)
        return 2
    briefs = Path(args[1]) if len(args) > 1 else Path("briefs")
    seeds = Path(args[2]) if len(args) > 2 else Path("seeds")
    corpus = load_corpus(briefs, seeds)
    tr = load_translations(briefs, corpus)
    print(f"wrote {write_stamps(briefs, tr, corpus)}")
    return 0


# --------------------------------------------------------------------------- the corpus in a language


def localize(corpus: Corpus, language: Language | None) -> Corpus:
    """The corpus as a reader of `language` sees it: translated texts where the file gives them, the
    English (marked as a fallback) where not; quotes verbatim, with their gloss. Ids, dates, links and
    the seed texts are the same objects, so retrieval and citations are unchanged."""
    entries = language.entries if language is not None else {}

    def text(section: str, entry_id: str, name: str, english: str | None) -> Any:
        if english is None:
            return None
        given = entries.get(section, {}).get(entry_id, {}).get(name)
        if name == "name":
            return LocalText(given, english=english) if given and given != english else english
        return LocalText(given) if given else LocalText(english, fallback=True)

    def dated(d: Any, section: str, entry_id: str) -> Any:
        if d is None or not d.basis:
            return d
        return replace(d, basis=text(section, entry_id, "basis", d.basis))

    def quote(c: Citation, gloss: str | None) -> Citation:
        return replace(c, quote=Quote(c.quote, gloss))

    out = Corpus(texts=corpus.texts)
    for f, s in corpus.sources.items():
        out.sources[f] = replace(s, title=text("sources", f, "title", s.title),
                                 perspective=text("sources", f, "perspective", s.perspective),
                                 language_note=text("sources", f, "language_note", s.language_note),
                                 published=dated(s.published, "sources", f))
    for i, a in corpus.actors.items():
        records = entries.get("actors", {}).get(i, {}).get("record") or []
        out.actors[i] = replace(
            a, name=text("actors", i, "name", a.name), role=text("actors", i, "role", a.role),
            note=text("actors", i, "note", a.note),
            record=tuple(_record(r, records[n] if n < len(records) else None) for n, r in enumerate(a.record)))
    for i, p in corpus.places.items():
        out.places[i] = replace(p, name=text("places", i, "name", p.name), note=text("places", i, "note", p.note))
    for i, e in corpus.events.items():
        glosses = entries.get("events", {}).get(i, {}).get("glosses") or []
        out.events[i] = replace(
            e, title=text("events", i, "title", e.title), summary=text("events", i, "summary", e.summary),
            note=text("events", i, "note", e.note), date=dated(e.date, "events", i),
            translation_note=text("events", i, "translation_note", e.translation_note),
            cite=tuple(quote(c, glosses[n] if n < len(glosses) else None) for n, c in enumerate(e.cite)))
    for i, c in corpus.claims.items():
        gloss = entries.get("claims", {}).get(i, {}).get("gloss")
        said = c.said
        if getattr(said, "basis", None):
            said = replace(said, basis=text("claims", i, "said_basis", said.basis))  # type: ignore[type-var]
        out.claims[i] = replace(
            c, paraphrase=text("claims", i, "paraphrase", c.paraphrase), note=text("claims", i, "note", c.note),
            date=dated(c.date, "claims", i), quote=Quote(c.quote, gloss), said=said,
            translation_note=text("claims", i, "translation_note", c.translation_note))
    return out


def _record(r: Record, given: str | None) -> Record:
    return replace(r, summary=LocalText(given) if given else LocalText(r.summary, fallback=True))


if __name__ == "__main__":
    raise SystemExit(main())
