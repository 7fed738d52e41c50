"""Load the curated briefs and their sources, and prove every citation.

The bot loads its corpus through `load_corpus` at start-up, and `briefbot check`
runs the very same code, so a bot never starts on a corpus the checker would reject.
Every problem is collected (not just the first) with file and line.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from bot.normalize import fold_quote, key

MAX_QUOTE = 300
MAX_ID = 48
TODO_RE = re.compile(r"\bTODO\b")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ACTOR_KINDS = ("person", "body", "state", "outlet", "group", "organisation")
PRECISIONS = ("day", "month", "year", "decade")
QUALIFIERS = ("early", "mid", "late", "by")  # "by": done or in force by then, no earlier bound
INFERRED = ("none", "year", "full")


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CorpusError(Exception):
    """The corpus is invalid; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the corpus")


# --------------------------------------------------------------------------- YAML with line numbers


class LDict(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[str, int]


class LList(list):
    line: int
    item_lines: list[int]


def _scalar(node: yaml.ScalarNode) -> Any:
    # Dates and times stay text: the schema parses them itself, with their precision.
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "null":
        return None
    if tag == "bool":
        return node.value.lower() in ("true", "yes", "on")
    if tag == "int":
        try:
            return int(node.value)
        except ValueError:
            return node.value
    if tag == "float":
        try:
            return float(node.value)
        except ValueError:
            return node.value
    return node.value


def _build(node: yaml.Node, file: str, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        out = LList(_build(n, file, problems) for n in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [n.start_mark.line + 1 for n in node.value]
        return out
    if isinstance(node, yaml.MappingNode):
        mapping = LDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for k_node, v_node in node.value:
            k = str(_scalar(k_node)) if isinstance(k_node, yaml.ScalarNode) else str(k_node)
            line = k_node.start_mark.line + 1
            if k in mapping:
                problems.append(Problem(file, line, f"duplicate key '{k}' (first at line {mapping.key_lines[k]})"))
            mapping[k] = _build(v_node, file, problems)
            mapping.key_lines[k] = line
        return mapping
    return None


# libyaml's parser when PyYAML was built with it: about ten times faster at start-up, same marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, display: str, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(display, 1, f"cannot read: {exc}"))
        return None
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(Problem(display, line, f"YAML syntax: {exc.problem or exc}"))
        return None
    return None if node is None else _build(node, display, problems)


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class BriefDate:
    value: str
    precision: str
    start: date
    end: date
    qualifier: str | None = None
    inferred: str = "none"
    basis: str | None = None
    latest: str | None = None  # "not known more precisely than: between `value` and `latest`"
    latest_end: date | None = None


@dataclass(frozen=True)
class Citation:
    source: str
    quote: str


@dataclass(frozen=True)
class Source:
    file: str
    title: str
    outlet: str
    published: BriefDate
    perspective: str
    number: int = 0  # 1-based position in the order /sources shows, for the convenience `/source <n>`
    language_note: str | None = None
    note: str | None = None
    id: str = ""  # stable: a declared short id, else the file stem; what buttons and links carry

    @property
    def stem(self) -> str:
        return self.file.rsplit(".", 1)[0] if "." in self.file else self.file


@dataclass(frozen=True)
class Record:
    summary: str
    cite: tuple[Citation, ...]
    date: BriefDate | None = None


def typed_spellings(name: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """The name and aliases, and each Azerbaijani one as it is typed without Azerbaijani letters: ə as
    "e" ("Eli Kerimli", "Eliyev", "Meclis"), where the folding reads ə as the "a" of English spellings
    (Aliyev, Majlis). The other Azerbaijani letters fold to what such typing gives already."""
    out = [name, *aliases]
    out.extend(plain for n in (name, *aliases) if (plain := n.replace("ə", "e").replace("Ə", "E")) != n)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str
    role: str
    aliases: tuple[str, ...]
    cite: tuple[Citation, ...]
    record: tuple[Record, ...] = ()
    note: str | None = None
    part_of: tuple[str, ...] = ()  # groups whose statements the sources name this actor among the authors of

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every form a reader may type for this actor (search only; readers are shown name and aliases)."""
        return typed_spellings(self.name, self.aliases)


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    aliases: tuple[str, ...]
    within: str | None = None
    stands_for: str | None = None  # the actor a capital's name is used for ("Baku says ..." = Azerbaijan)
    note: str | None = None
    cite: tuple[Citation, ...] = ()
    within_by: str | None = None  # whose division of territory `within` follows (shown attributed)

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every form a reader may type for this place (search only; readers are shown name and aliases)."""
        return typed_spellings(self.name, self.aliases)


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    date: BriefDate
    summary: str
    cite: tuple[Citation, ...]
    actors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    end: BriefDate | None = None
    note: str | None = None
    translation_note: str | None = None  # one line shown with the quotes wherever they are shown


@dataclass(frozen=True)
class Claim:
    id: str
    claimant: str
    date: BriefDate
    paraphrase: str
    quote: str
    source: str
    about: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    asked_as: tuple[str, ...] = ()
    disputes: tuple[str, ...] = ()
    supports: tuple[str, ...] = ()
    note: str | None = None
    # When it was said, where that differs from `date` (a BriefDate), or "unknown": only the report is dated.
    said: BriefDate | str | None = None
    no_response_in_corpus: tuple[str, ...] = ()  # actors whose answer to this claim the corpus lacks
    translation_note: str | None = None  # one line shown with the quote wherever the quote is shown

    @property
    def cite(self) -> tuple[Citation, ...]:
        return (Citation(self.source, self.quote),)


@dataclass
class Corpus:
    sources: dict[str, Source] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # seed file name -> text
    warnings: list[Problem] = field(default_factory=list)  # reported by `briefbot check`; the bot still starts

    def entry(self, entry_id: str) -> Actor | Place | Event | Claim | None:
        for table in (self.actors, self.places, self.events, self.claims):
            if entry_id in table:
                return table[entry_id]
        return None

    def said_when(self, c: Claim) -> BriefDate | str | None:
        """When a claim was said: its `said` date, "unknown" when only the report is dated (the claim
        carries its source's own date and someone other than the outlet said it), or None: its date."""
        if c.said is not None:
            return c.said
        source = self.sources.get(c.source)
        claimant = self.actors.get(c.claimant)
        if source is None or claimant is None:
            return None
        reported = source.published
        same = (c.date.value, c.date.precision, c.date.latest) == (reported.value, reported.precision, reported.latest)
        return "unknown" if same and key(claimant.name) != key(source.outlet) else None

    def sources_in_order(self) -> list[Source]:
        return sorted(self.sources.values(), key=lambda s: s.number)

    def source_by_ref(self, ref: str) -> Source | None:
        """A source by its stable id, its file name or stem (old links), or its number in the order shown."""
        ref = ref.strip().lstrip("#").strip()
        if ref.isascii() and ref.isdigit():  # "²" is a digit to str.isdigit, not to int()
            return next((s for s in self.sources.values() if s.number == int(ref)), None)
        folded = ref.casefold()
        return next((s for s in self.sources.values() if folded in (s.id.casefold(), s.file.casefold(),
                                                                      s.stem.casefold())), None)


# --------------------------------------------------------------------------- schema

# field name -> (kind, required). Kinds: str, id, date, cites, strs, records, enum:<a|b>.
Schema = dict[str, tuple[str, bool]]
DATE_FIELDS: Schema = {
    "value": ("str", True), "precision": ("enum:" + "|".join(PRECISIONS), True),
    "qualifier": ("enum:" + "|".join(QUALIFIERS), False), "inferred": ("enum:" + "|".join(INFERRED), False),
    "basis": ("str", False), "latest": ("str", False),
}
CITE_FIELDS: Schema = {"source": ("str", True), "quote": ("str", True)}
RECORD_FIELDS: Schema = {"date": ("date", False), "summary": ("str", True), "cite": ("cites", True)}
SECTIONS: dict[str, Schema] = {
    "sources": {
        "file": ("str", True), "id": ("id", False), "title": ("str", True), "outlet": ("str", True),
        "published": ("date", True), "perspective": ("str", True), "language_note": ("str", False),
        "note": ("str", False),
    },
    "actors": {
        "id": ("id", True), "name": ("str", True), "kind": ("enum:" + "|".join(ACTOR_KINDS), True),
        "role": ("str", True), "aliases": ("strs", False), "cite": ("cites", True),
        "record": ("records", False), "note": ("str", False), "part_of": ("strs", False),
    },
    "places": {
        "id": ("id", True), "name": ("str", True), "aliases": ("strs", False), "within": ("str", False),
        "stands_for": ("str", False), "note": ("str", False), "cite": ("cites", False),
        "within_by": ("str", False),
    },
    "events": {
        "id": ("id", True), "title": ("str", True), "date": ("date", True), "end": ("date", False),
        "summary": ("str", True), "actors": ("strs", False), "places": ("strs", False), "tags": ("strs", False),
        "cite": ("cites", True), "note": ("str", False), "translation_note": ("str", False),
    },
    "claims": {
        "id": ("id", True), "claimant": ("str", True), "date": ("date", True), "paraphrase": ("str", True),
        "quote": ("str", True), "source": ("str", True), "about": ("strs", False), "tags": ("strs", False),
        "asked_as": ("strs", False), "disputes": ("strs", False), "supports": ("strs", False),
        "note": ("str", False), "said": ("said", False), "no_response_in_corpus": ("strs", False),
        "translation_note": ("str", False),
    },
}


class _Checker:
    """Walks the parsed YAML, reporting every problem and building the model from what is valid."""

    def __init__(self, briefs_dir: Path, seeds_dir: Path, skip: frozenset[str] = frozenset(),
                 skip_briefs: frozenset[Path] = frozenset()) -> None:
        self.briefs_dir = briefs_dir
        self.seeds_dir = seeds_dir
        self.skip = skip  # seed file names to leave out (a new article being drafted has no brief yet)
        self.skip_briefs = {p.resolve() for p in skip_briefs}  # brief files to leave out (its draft under review)
        self.problems: list[Problem] = []
        self.corpus = Corpus()
        # Where each id and each citation was defined, for later cross-checks.
        self.where: dict[str, tuple[str, int]] = {}
        self.citations: list[tuple[Citation, str, int]] = []
        # (id, file, line, field, allowed sections)
        self.refs: list[tuple[str, str, int, str, tuple[str, ...]]] = []
        self.known: dict[str, set[str]] = {}  # section -> ids, including entries with errors
        self.link_lines: dict[tuple[str, str], int] = {}  # (claim id, disputes|supports) -> line
        self.source_ids: list[tuple[Source, str, int]] = []
        self.todo_lines: set[tuple[str, int]] = set()  # lines holding TODO: their only problem is the TODO

    def report(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    # ---- field validation

    def fields(self, obj: Any, schema: Schema, file: str, line: int, what: str) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.report(file, line, f"{what}: expected a mapping, got {type(obj).__name__}")
            return None
        key_lines = getattr(obj, "key_lines", {})
        out: dict[str, Any] = {}
        ok = True
        for name in obj:
            if name not in schema:
                self.report(file, key_lines.get(name, line), f"{what}: unknown field '{name}' "
                            f"(allowed: {', '.join(schema)})")
                ok = False
        for name, (kind, required) in schema.items():
            if name not in obj or obj[name] is None:
                if required:
                    self.report(file, line, f"{what}: missing field '{name}'")
                    ok = False
                continue
            value = self.value(obj[name], kind, file, key_lines.get(name, line), f"{what}.{name}")
            if value is None:
                ok = False
            else:
                out[name] = value
        return out if ok else None

    def value(self, raw: Any, kind: str, file: str, line: int, what: str) -> Any:
        if kind in ("str", "id") or kind.startswith("enum:"):
            if isinstance(raw, bool) or not isinstance(raw, str | int | float):
                self.report(file, line, f"{what}: expected text, got {type(raw).__name__}")
                return None
            text = str(raw).strip()
            if not text:
                self.report(file, line, f"{what}: is empty")
                return None
            if kind == "id" and (not ID_RE.match(text) or len(text) > MAX_ID):
                self.report(file, line, f"{what}: '{text}' is not a kebab-case id of at most {MAX_ID} characters")
                return None
            if kind.startswith("enum:") and text not in kind[5:].split("|"):
                self.report(file, line, f"{what}: '{text}' is not one of {kind[5:].replace('|', ', ')}")
                return None
            return text
        if kind == "strs":
            if not isinstance(raw, list):
                self.report(file, line, f"{what}: expected a list")
                return None
            lines = getattr(raw, "item_lines", [line] * len(raw))
            items = [self.value(x, "str", file, ln, what) for x, ln in zip(raw, lines, strict=False)]
            return None if any(x is None for x in items) else tuple(items)
        if kind == "date":
            return self.date(raw, file, line, what)
        if kind == "said":
            if isinstance(raw, str) and raw.strip() == "unknown":
                return "unknown"
            if not isinstance(raw, dict):
                self.report(file, line, f"{what}: expected a date or 'unknown'")
                return None
            return self.date(raw, file, line, what)
        if kind == "cites":
            if not isinstance(raw, list) or not raw:
                self.report(file, line, f"{what}: expected a non-empty list of citations")
                return None
            lines = getattr(raw, "item_lines", [line] * len(raw))
            cites = [self.cite(x, file, ln, what) for x, ln in zip(raw, lines, strict=False)]
            return None if any(c is None for c in cites) else tuple(cites)
        if kind == "records":
            if not isinstance(raw, list):
                self.report(file, line, f"{what}: expected a list")
                return None
            lines = getattr(raw, "item_lines", [line] * len(raw))
            records = []
            for item, ln in zip(raw, lines, strict=False):
                f = self.fields(item, RECORD_FIELDS, file, ln, what)
                if f is None:
                    return None
                records.append(Record(summary=f["summary"], cite=f["cite"], date=f.get("date")))
            return tuple(records)
        raise AssertionError(kind)

    def cite(self, raw: Any, file: str, line: int, what: str) -> Citation | None:
        f = self.fields(raw, CITE_FIELDS, file, line, what)
        if f is None:
            return None
        citation = Citation(f["source"], f["quote"])
        self.citations.append((citation, file, getattr(raw, "key_lines", {}).get("quote", line)))
        return citation

    def date(self, raw: Any, file: str, line: int, what: str) -> BriefDate | None:
        f = self.fields(raw, DATE_FIELDS, file, line, what)
        if f is None:
            return None
        value, precision = f["value"], f["precision"]
        inferred = f.get("inferred", "none")
        if inferred != "none" and not f.get("basis"):
            self.report(file, line, f"{what}: inferred date needs a 'basis' saying how it was inferred")
            return None
        span = parse_date_value(value)
        if span is None:
            self.report(file, line, f"{what}: '{value}' is not a date (YYYY-MM-DD, YYYY-MM, YYYY or 1980s) "
                        "or is impossible")
            return None
        start, end, actual = span
        if actual != precision:
            self.report(file, line, f"{what}: precision '{precision}' does not fit '{value}' "
                        f"(that value has {actual} precision)")
            return None
        latest_end = None
        if latest := f.get("latest"):
            bound = parse_date_value(latest)
            if bound is None:
                self.report(file, line, f"{what}.latest: '{latest}' is not a date or is impossible")
                return None
            if bound[1] <= end:
                self.report(file, line, f"{what}.latest: '{latest}' is not after '{value}'")
                return None
            if inferred == "none":
                self.report(file, line, f"{what}: a date known only between bounds is inferred; "
                            "say 'inferred' and its 'basis'")
                return None
            latest_end = bound[1]
        return BriefDate(value=value, precision=precision, start=start, end=end, qualifier=f.get("qualifier"),
                         inferred=inferred, basis=f.get("basis"), latest=latest, latest_end=latest_end)

    # ---- loading

    def load_seeds(self) -> None:
        if not self.seeds_dir.is_dir():
            self.report(str(self.seeds_dir), 1, "seeds folder not found")
            return
        for path in sorted(self.seeds_dir.iterdir()):
            if path.is_file() and not path.name.startswith(".") and path.name not in self.skip:
                try:
                    self.corpus.texts[path.name] = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    self.report(self.display(path), 1, f"cannot read source: {exc}")

    def display(self, path: Path) -> str:
        for base in (self.briefs_dir.parent, Path.cwd()):
            try:
                return str(path.resolve().relative_to(base.resolve()))
            except ValueError:
                continue
        return str(path)

    def brief_files(self) -> Iterator[Path]:
        if not self.briefs_dir.is_dir():
            self.report(str(self.briefs_dir), 1, "briefs folder not found")
            return
        # briefs/translations/ holds the translations of these entries (bot/translations.py), not entries
        yield from sorted(p for p in self.briefs_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                          and p.resolve() not in self.skip_briefs
                          and p.relative_to(self.briefs_dir).parts[0] != "translations")

    def load_briefs(self) -> None:
        for path in self.brief_files():
            file = self.display(path)
            self.find_todos(path, file)
            doc = read_yaml(path, file, self.problems)
            if doc is None:
                continue
            if not isinstance(doc, dict):
                self.report(file, getattr(doc, "line", 1),
                            "expected a mapping with sources/actors/places/events/claims")
                continue
            for section, entries in doc.items():
                line = doc.key_lines.get(section, 1)
                if section not in SECTIONS:
                    self.report(file, line, f"unknown section '{section}' (allowed: {', '.join(SECTIONS)})")
                    continue
                if not isinstance(entries, list):
                    self.report(file, line, f"{section}: expected a list of entries")
                    continue
                for raw, item_line in zip(entries, entries.item_lines, strict=False):
                    self.entry(section, raw, file, item_line)

    def find_todos(self, path: Path, file: str) -> None:
        """Each line of a brief holding `TODO` (what `briefbot draft` leaves to review) is a problem of its own."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return  # read_yaml reports it
        for n, line in enumerate(text.splitlines(), 1):
            if TODO_RE.search(line):
                self.todo_lines.add((file, n))
                self.report(file, n, f"TODO to review: {_clip(line.strip(), 100)}")

    def entry(self, section: str, raw: Any, file: str, line: int) -> None:
        singular = section[:-1]
        label = f"{singular} '{raw.get('id') or raw.get('file')}'" if isinstance(raw, dict) else singular
        f = self.fields(raw, SECTIONS[section], file, line, label)
        if f is None:
            # Still known by id, so one broken entry does not cascade into "unknown id" elsewhere.
            raw_id = raw.get("file" if section == "sources" else "id") if isinstance(raw, dict) else None
            if isinstance(raw_id, str):
                self.known.setdefault(section, set()).add(raw_id)
            return
        ident = f["file"] if section == "sources" else f["id"]
        self.known.setdefault(section, set()).add(ident)
        if ident in self.where:
            first_file, first_line = self.where[ident]
            self.report(file, line, f"{label}: id already used at {first_file}:{first_line}")
            return
        self.where[ident] = (file, line)
        key_lines = raw.key_lines

        def ref(field_name: str, ids: tuple[str, ...], tables: tuple[str, ...]) -> None:
            for target in ids:
                self.refs.append((target, file, key_lines.get(field_name, line), f"{label}.{field_name}", tables))

        if section == "sources":
            source = Source(**f)
            source = replace(source, id=f.get("id") or source.stem)
            self.corpus.sources[ident] = source
            self.source_ids.append((source, file, key_lines.get("id", line)))
        elif section == "actors":
            self.corpus.actors[ident] = Actor(**{**f, "aliases": f.get("aliases", ())})
            ref("part_of", f.get("part_of", ()), ("actors",))
        elif section == "places":
            self.corpus.places[ident] = Place(**{**f, "aliases": f.get("aliases", ())})
            if f.get("within"):
                ref("within", (f["within"],), ("places",))
            if f.get("stands_for"):
                ref("stands_for", (f["stands_for"],), ("actors",))
            if f.get("within_by"):
                ref("within_by", (f["within_by"],), ("actors",))
        elif section == "events":
            self.corpus.events[ident] = Event(**f)
            ref("actors", f.get("actors", ()), ("actors",))
            ref("places", f.get("places", ()), ("places",))
            if "end" in f and f["end"].end < f["date"].start:
                self.report(file, key_lines.get("end", line), f"{label}: 'end' is before 'date'")
        elif section == "claims":
            claim = Claim(**f)
            self.corpus.claims[ident] = claim
            self.citations.append((claim.cite[0], file, key_lines.get("quote", line)))
            ref("claimant", (claim.claimant,), ("actors",))
            ref("about", claim.about, ("actors", "places", "events", "claims"))
            ref("disputes", claim.disputes, ("claims",))
            for relation in ("disputes", "supports"):
                if relation in key_lines:
                    self.link_lines[(ident, relation)] = key_lines[relation]
            ref("supports", claim.supports, ("claims",))
            ref("no_response_in_corpus", claim.no_response_in_corpus, ("actors",))
            if ident in claim.disputes or ident in claim.supports:
                self.report(file, line, f"{label}: links to itself")

    # ---- cross checks

    def check_refs(self) -> None:
        for target, file, line, what, tables in self.refs:
            if not any(target in self.known.get(t, ()) for t in tables):
                kinds = " or ".join(t[:-1] for t in tables)
                self.report(file, line, f"{what}: unknown {kinds} id '{target}'")

    def check_links(self) -> None:
        """A `disputes`/`supports` link written on one claim is enough: the other claim gets the reverse link
        here. Links written on both sides stay valid; a pair linked both ways at once (A disputes B while B
        supports A, or A both disputes and supports B) is a conflict, reported at each declaration."""
        claims = self.corpus.claims
        declared: dict[frozenset[str], dict[str, list[str]]] = {}  # pair -> relation -> declaring claim ids
        for claim in claims.values():
            for relation in ("disputes", "supports"):
                for other in getattr(claim, relation):
                    if other in claims and other != claim.id:
                        by = declared.setdefault(frozenset((claim.id, other)), {}).setdefault(relation, [])
                        if claim.id not in by:
                            by.append(claim.id)
        for pair, relations in declared.items():
            if len(relations) < 2:
                continue
            a, b = sorted(pair)
            sides = [(x, relation) for relation in ("disputes", "supports") for x in relations[relation]]
            for x, relation in sides:
                file, line = self.link_where(x, relation)
                others = "; ".join(f"'{y}' {rel} '{b if y == a else a}' at {_at(self.link_where(y, rel))}"
                                   for y, rel in sides if (y, rel) != (x, relation))
                self.report(file, line, f"claim '{x}' {relation} '{b if x == a else a}', but {others}: a pair of "
                            "claims either disputes or supports each other; keep one relation")
        derived: dict[str, dict[str, list[str]]] = {}
        for claim in claims.values():
            for relation in ("disputes", "supports"):
                for other in getattr(claim, relation):
                    if other in claims and claim.id not in getattr(claims[other], relation):
                        derived.setdefault(other, {}).setdefault(relation, []).append(claim.id)
        for claim_id, extra in derived.items():
            claim = claims[claim_id]
            claims[claim_id] = replace(claim, **{relation: (*getattr(claim, relation), *ids)
                                                 for relation, ids in extra.items()})

    def link_where(self, claim_id: str, relation: str) -> tuple[str, int]:
        file, line = self.where[claim_id]
        return file, self.link_lines.get((claim_id, relation), line)

    def check_citations(self) -> None:
        folded = {name: fold_quote(text) for name, text in self.corpus.texts.items()}
        for citation, file, line in self.citations:
            if citation.source not in folded:
                self.report(file, line, f"cites '{citation.source}', which is not a file in seeds/")
                continue
            quote = fold_quote(citation.quote)
            if len(quote) > MAX_QUOTE:
                self.report(file, line, f"quote is {len(quote)} characters; keep it under {MAX_QUOTE} "
                            "(a sentence or less)")
            if quote not in folded[citation.source]:
                self.report(file, line, f"quote not found verbatim in {citation.source}: \"{_clip(quote)}\"; "
                            f"closest passage: \"{_clip(closest_passage(quote, folded[citation.source]))}\"")
        for name in self.corpus.texts:
            # An entry with errors of its own (a draft's TODOs) still describes the source: not reported twice.
            if name not in self.corpus.sources and name not in self.known.get("sources", ()):
                self.report(self.display(self.seeds_dir / name), 1, "no brief describes this source "
                            "(add a 'sources' entry in briefs/)")
        for name in self.corpus.sources:
            if name not in self.corpus.texts:
                file, line = self.where[name]
                self.report(file, line, f"source '{name}' has no file in seeds/")

    def check_aliases(self) -> None:
        owner: dict[str, tuple[str, str, str, int]] = {}
        for table in ("actors", "places"):
            for entry in getattr(self.corpus, table).values():
                file, line = self.where[entry.id]
                for alias in (entry.name, *entry.aliases):
                    k = key(alias)
                    if not k:
                        self.report(file, line, f"'{entry.id}': alias '{alias}' has no letters or digits")
                        continue
                    if k in owner and owner[k][0] != entry.id:
                        other_id, other_alias, other_file, other_line = owner[k]
                        self.report(file, line, f"alias '{alias}' of '{entry.id}' is also '{other_alias}' of "
                                    f"'{other_id}' ({other_file}:{other_line})")
                    owner.setdefault(k, (entry.id, alias, file, line))

    def check_source_ids(self) -> None:
        """A source's id is what its buttons and links carry: unique, and never a number (`/source 2` is
        the position shown) nor another source's file stem (old links name documents by stem)."""
        owner: dict[str, tuple[str, str, int]] = {}
        stems = {s.stem.casefold(): s.file for s in self.corpus.sources.values()}
        for source, file, line in self.source_ids:
            k = source.id.casefold()
            if source.id != source.stem:
                if source.id.isdigit():
                    self.report(file, line, f"source '{source.file}': id '{source.id}' is a number; "
                                "numbers are positions in /sources (use letters)")
                if k in stems and stems[k] != source.file:
                    self.report(file, line, f"source '{source.file}': id '{source.id}' is the file stem of "
                                f"'{stems[k]}'")
            if k in owner and owner[k][0] != source.file:
                self.report(file, line, f"source '{source.file}': id '{source.id}' already used by "
                            f"'{owner[k][0]}' ({owner[k][1]}:{owner[k][2]})")
            owner.setdefault(k, (source.file, file, line))

    def number_sources(self) -> None:
        ordered = sorted(self.corpus.sources.values(), key=lambda s: (s.published.start, s.file))
        for n, source in enumerate(ordered, 1):
            self.corpus.sources[source.file] = Source(**{**source.__dict__, "number": n})

    def run(self) -> Corpus:
        self.load_seeds()
        self.load_briefs()
        self.check_refs()
        self.check_links()
        self.check_citations()
        self.check_aliases()
        self.check_source_ids()
        if self.todo_lines:
            # "claimant: TODO" is one thing to do, not also "unknown actor id 'TODO'".
            self.problems = [p for p in self.problems
                             if (p.file, p.line) not in self.todo_lines or p.message.startswith("TODO to review")]
        if not self.problems:
            from bot import corpus_rules  # the careful reader's rules need a complete corpus

            problems, warnings = corpus_rules.check(self.corpus, self.where)
            self.problems.extend(problems)
            self.corpus.warnings = sorted(warnings)
        if self.problems:
            raise CorpusError(self.problems)
        self.number_sources()
        return self.corpus


def _at(where: tuple[str, int]) -> str:
    return f"{where[0]}:{where[1]}"


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def closest_passage(quote: str, text: str) -> str:
    """The stretch of the source most like the quote, to show the curator what to fix."""
    alignment = fuzz.partial_ratio_alignment(quote, text, processor=str.casefold)
    if alignment is None:
        return ""
    return text[alignment.dest_start : alignment.dest_end]


def parse_date_value(value: str) -> tuple[date, date, str] | None:
    """(first day, last day, precision) of a brief date value, or None when malformed or impossible."""
    value = value.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return d, d, "day"
        if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            y, mo = int(m[1]), int(m[2])
            return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]), "month"
        if m := re.fullmatch(r"(\d{4})", value):
            y = int(m[1])
            return date(y, 1, 1), date(y, 12, 31), "year"
        if m := re.fullmatch(r"(\d{3})0s", value):
            y = int(m[1]) * 10
            return date(y, 1, 1), date(y + 9, 12, 31), "decade"
    except ValueError:
        return None
    return None


def load_corpus(briefs_dir: Path, seeds_dir: Path, *, skip: frozenset[str] = frozenset(),
                skip_briefs: frozenset[Path] = frozenset()) -> Corpus:
    """Load and validate; raises CorpusError listing every problem. `skip`: seed file names to leave out;
    `skip_briefs`: brief files to leave out."""
    return _Checker(Path(briefs_dir), Path(seeds_dir), frozenset(skip), frozenset(skip_briefs)).run()
