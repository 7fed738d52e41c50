"""The index in other tools' formats: TimelineJS3 JSON, schema.org Claim records (JSON-LD), and CSV.

Shared by `briefbot export …` and the Telegram `/export`. Each format keeps what the bot promises:
a date at its real precision (TimelineJS: month and day omitted; JSON-LD: an ISO 8601 date of reduced
precision; CSV: ACLED-style time-precision codes) and marked when inferred, with how; every claim
attributed to its claimant with the verbatim quote and the source it appeared in; no verdict (so no
`ClaimReview`: briefbot reports who said what, it does not rate it).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable
from typing import Any

from bot.corpus import BriefDate, Claim, Corpus, Event, Source
from bot.dates import effective_span, label, timeline_order
from bot.provenance import Provenance

FORMATS = ("timelinejs", "claims", "csv")
FILE_NAMES = {"timelinejs": "briefbot-timeline.json", "claims": "briefbot-claims.jsonld", "csv": "briefbot.csv"}
URN = "urn:briefbot:"
SCHEMA = "https://schema.org/"
# schema.org types for the actor kinds of the briefs (briefs/SCHEMA.md)
ACTOR_TYPES = {"person": "Person", "body": "Organization", "state": "Country", "outlet": "NewsMediaOrganization",
               "group": "Organization", "organisation": "Organization"}


def inferred_note(d: BriefDate) -> str:
    """'' for a date the source states; else what was inferred and how (the brief's basis)."""
    if d.inferred == "none":
        return ""
    what = "year inferred" if d.inferred == "year" else "date inferred"
    return f"{what}: {' '.join((d.basis or '').split())}".strip()


def date_text(d: BriefDate) -> str:
    """The label the bot shows ('19 September 2023', 'late 1980s'), with '(date inferred)' when it is."""
    note = {"year": " (year inferred)", "full": " (date inferred)"}.get(d.inferred, "")
    return label(d) + note


def iso_date(d: BriefDate) -> str | None:
    """An ISO 8601 date at the brief's precision ('2023-09-19', '2023-09', '2023'); None for a decade or a
    date known only between two bounds (no ISO date says "1980s" or "between October 2023 and February 2024")."""
    if d.precision == "decade" or d.latest:
        return None
    return d.value


# --------------------------------------------------------------------------- TimelineJS3


def _tl_date(d: BriefDate, *, last: bool = False) -> dict[str, Any]:
    """A TimelineJS date: year always, month and day only as far as the source knows them."""
    first, final = effective_span(d) if d.qualifier else (d.start, d.end)
    day = final if last and d.qualifier else first
    out: dict[str, Any] = {"year": day.year}
    if d.precision in ("day", "month"):
        out["month"] = day.month
    if d.precision == "day":
        out["day"] = day.day
    return out


def _sources_html(corpus: Corpus, files: Iterable[str]) -> str:
    parts = []
    for file in dict.fromkeys(files):
        s = corpus.sources[file]
        parts.append(f"{html.escape(s.outlet)}, {html.escape(date_text(s.published))}: {html.escape(s.title)} "
                     f"<code>{html.escape(file)}</code>")
    return "<p>Sources: " + "; ".join(parts) + "</p>"


def timelinejs(corpus: Corpus, prov: Provenance | None = None) -> dict[str, Any]:
    """TimelineJS3's JSON format (https://timeline.knightlab.com/docs/json-format.html): one slide per event."""
    events = []
    for e in sorted(corpus.events.values(), key=timeline_order):
        shown = date_text(e.date) + (f" – {date_text(e.end)}" if e.end else "")
        notes = [n for n in (inferred_note(e.date), inferred_note(e.end) if e.end else "") if n]
        text = f"<p>{html.escape(e.summary)}</p>"
        text += f"<blockquote>{html.escape(' '.join(e.cite[0].quote.split()))}</blockquote>"
        if notes:
            text += "".join(f"<p><i>{html.escape(n)}</i></p>" for n in notes)
        text += _sources_html(corpus, (c.source for c in e.cite))
        slide: dict[str, Any] = {
            "unique_id": e.id,
            "start_date": _tl_date(e.date) | {"display_date": date_text(e.date)},
            "display_date": shown,
            "text": {"headline": html.escape(e.title), "text": text},
        }
        if e.end is not None:
            slide["end_date"] = _tl_date(e.end, last=True) | {"display_date": date_text(e.end)}
        events.append(slide)
    version = f"index {prov.version}, curated as of {prov.curated_text}. " if prov else ""
    title = {"text": {"headline": "briefbot: events in the curated index",
                      "text": f"<p>{html.escape(version)}Each event cites its source documents; the sources are "
                              "partisan, and dates are only as precise as they are.</p>"}}
    return {"title": title, "events": events}


# --------------------------------------------------------------------------- schema.org claims (JSON-LD)


def _urn(kind: str, ident: str) -> str:
    return f"{URN}{kind}:{ident}"


def _source_node(s: Source) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": _urn("source", s.file), "@type": "NewsArticle", "headline": s.title,
                            "identifier": s.file, "description": " ".join(s.perspective.split())}
    if (published := iso_date(s.published)) is not None:
        node["datePublished"] = published
    if s.outlet.lower() != "unknown":
        node["publisher"] = {"@type": "Organization", "name": s.outlet}
    if note := inferred_note(s.published):
        node["description"] += f" Publication {note}"
    return node


def _entity_node(corpus: Corpus, ident: str) -> dict[str, Any]:
    if ident in corpus.actors:
        a = corpus.actors[ident]
        node = {"@id": _urn("actor", ident), "@type": ACTOR_TYPES.get(a.kind, "Thing"), "name": a.name,
                "description": a.role}
        if a.aliases:
            node["alternateName"] = list(a.aliases)
        return node
    if ident in corpus.places:
        p = corpus.places[ident]
        node = {"@id": _urn("place", ident), "@type": "Place", "name": p.name}
        if p.aliases:
            node["alternateName"] = list(p.aliases)
        return node
    e = corpus.events[ident]
    node = {"@id": _urn("event", ident), "@type": "Event", "name": e.title, "description": e.summary}
    if (start := iso_date(e.date)) is not None:
        node["startDate"] = start
    if e.end is not None and (end := iso_date(e.end)) is not None:
        node["endDate"] = end
    return node


def _claim_node(corpus: Corpus, c: Claim) -> dict[str, Any]:
    source = corpus.sources[c.source]
    author = {"@id": _urn("actor", c.claimant)}
    said = corpus.said_when(c)
    when = c.date if said is None else said if isinstance(said, BriefDate) else None
    if when is None:  # only the report is dated: "said on" would claim what the source does not say
        description = f"{corpus.actors[c.claimant].name} said this, as reported by {source.outlet} " \
                      f"({date_text(source.published)}); when it was said is not given."
    else:
        description = f"{corpus.actors[c.claimant].name} said this ({date_text(when)}), as reported by " \
                      f"{source.outlet} ({date_text(source.published)})."
        if note := inferred_note(when):
            description += f" Date {note}"
    node: dict[str, Any] = {
        "@id": _urn("claim", c.id),
        "@type": "Claim",
        "text": c.paraphrase,  # the attributed paraphrase; the verbatim words are the Quotation
        "author": author,
        "appearance": {"@id": _urn("source", c.source)},
        "hasPart": {"@type": "Quotation", "text": c.quote, "spokenByCharacter": author, "creator": author,
                    "isPartOf": {"@id": _urn("source", c.source)}},
        "description": description,
    }
    if when is not None and (created := iso_date(when)) is not None:
        node["dateCreated"] = created  # when it was said (never the report's date passed off as it)
    if (reported := iso_date(source.published)) is not None:
        node["datePublished"] = reported  # when the source reported it
    about = [{"@id": _urn("claim", i)} if i in corpus.claims else {"@id": _entity_id(corpus, i)} for i in c.about]
    if about:
        node["about"] = about
    if c.tags:
        node["keywords"] = list(c.tags)
    if c.disputes:
        node["briefbot:disputes"] = [{"@id": _urn("claim", i)} for i in c.disputes]
    if c.supports:
        node["briefbot:supports"] = [{"@id": _urn("claim", i)} for i in c.supports]
    return node


def _entity_id(corpus: Corpus, ident: str) -> str:
    kind = "actor" if ident in corpus.actors else "place" if ident in corpus.places else "event"
    return _urn(kind, ident)


def claims_jsonld(corpus: Corpus, prov: Provenance | None = None) -> dict[str, Any]:
    """Every claim as a schema.org `Claim` (with its `Quotation`), the actors, places and events they
    are about, and the source documents they appeared in, as one JSON-LD graph."""
    claims = sorted(corpus.claims.values(), key=lambda c: (c.date.start, c.id))
    entities = dict.fromkeys(i for c in claims for i in (c.claimant, *c.about) if i not in corpus.claims)
    graph = [
        *(_source_node(s) for s in corpus.sources_in_order()),
        *(_entity_node(corpus, i) for i in entities),
        *(_claim_node(corpus, c) for c in claims),
    ]
    doc: dict[str, Any] = {"@context": {"@vocab": SCHEMA, "briefbot": f"{URN}vocab:"}, "@graph": graph}
    if prov is not None:
        doc["@id"] = _urn("index", prov.version)
        doc["@type"] = "Dataset"
        doc["name"] = "briefbot claims"
        doc["version"] = prov.version
        doc["dateModified"] = prov.curated_text
    return doc


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "kind", "id", "date", "date_label", "precision", "time_precision", "date_start", "date_end", "date_inferred",
    "date_basis", "end_date", "title", "summary", "claimant", "quote", "actors", "places", "about", "tags",
    "disputes", "supports", "source_files", "source_outlets", "source_published", "index_version",
)
LIST_SEPARATOR = "; "


def time_precision(d: BriefDate) -> int:
    """ACLED's codes: 1 the day is known; 2 a range of days or part of a month; 3 the month or coarser."""
    if d.precision == "day":
        return 2 if d.latest else 1
    if d.precision == "month" and (d.qualifier or d.latest):
        return 2
    return 3


def _date_columns(d: BriefDate) -> dict[str, str]:
    first, last = effective_span(d)
    return {"date": d.value, "date_label": label(d), "precision": d.precision, "time_precision": str(time_precision(d)),
            "date_start": first.isoformat(), "date_end": last.isoformat(), "date_inferred": d.inferred,
            "date_basis": " ".join((d.basis or "").split())}


def _source_columns(corpus: Corpus, files: Iterable[str]) -> dict[str, str]:
    ordered = list(dict.fromkeys(files))
    sources = [corpus.sources[f] for f in ordered]
    return {"source_files": LIST_SEPARATOR.join(ordered),
            "source_outlets": LIST_SEPARATOR.join(s.outlet for s in sources),
            "source_published": LIST_SEPARATOR.join(s.published.value for s in sources)}


def _event_row(corpus: Corpus, e: Event) -> dict[str, str]:
    return {"kind": "event", "id": e.id, **_date_columns(e.date), "end_date": e.end.value if e.end else "",
            "title": e.title, "summary": e.summary, "quote": e.cite[0].quote,
            "actors": LIST_SEPARATOR.join(e.actors), "places": LIST_SEPARATOR.join(e.places),
            "tags": LIST_SEPARATOR.join(e.tags), **_source_columns(corpus, (c.source for c in e.cite))}


def _claim_row(corpus: Corpus, c: Claim) -> dict[str, str]:
    return {"kind": "claim", "id": c.id, **_date_columns(c.date), "title": c.paraphrase, "claimant": c.claimant,
            "quote": c.quote, "about": LIST_SEPARATOR.join(c.about), "tags": LIST_SEPARATOR.join(c.tags),
            "disputes": LIST_SEPARATOR.join(c.disputes), "supports": LIST_SEPARATOR.join(c.supports),
            **_source_columns(corpus, (c.source,))}


def csv_rows(corpus: Corpus, prov: Provenance | None = None) -> list[dict[str, str]]:
    version = prov.version if prov else ""
    rows = [_event_row(corpus, e) for e in sorted(corpus.events.values(), key=timeline_order)]
    rows += [_claim_row(corpus, c) for c in sorted(corpus.claims.values(), key=lambda c: (c.date.start, c.id))]
    return [{column: row.get(column, "") for column in CSV_COLUMNS} | {"index_version": version} for row in rows]


def csv_text(corpus: Corpus, prov: Provenance | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")  # RFC 4180
    writer.writeheader()
    writer.writerows(csv_rows(corpus, prov))
    return out.getvalue()


# --------------------------------------------------------------------------- one entry point


def render(fmt: str, corpus: Corpus, prov: Provenance | None = None) -> str:
    """The export as text (UTF-8 when written)."""
    if fmt == "timelinejs":
        return json.dumps(timelinejs(corpus, prov), ensure_ascii=False, indent=2) + "\n"
    if fmt == "claims":
        return json.dumps(claims_jsonld(corpus, prov), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return csv_text(corpus, prov)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
