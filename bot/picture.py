"""A timeline as a picture: the events of a `/timeline` answer on a time axis, as a PNG for a phone.

Each event is a row: its date and title above, its mark below on the shared time axis. A day-dated
event is a point; a date known only to its month, year or decade (or only between two bounds) is a
light span over the whole period it may fall in; a period with an end is a solid bar. An inferred date
is drawn hollow (points) or hatched with a dashed edge (spans and bars) and says "inferred" in its
label. The colour is the source document (the first one citing it; the small numbered squares before
the label are every source citing it), numbered as `/sources` lists them. Long empty stretches of
time (the late 1980s before a story of the 2020s) are cut out of the axis and marked with a break, so
the recent events are not squeezed into one pixel.

Rendering uses matplotlib's object API with the Agg canvas (no pyplot, no global state), so it can run
in a worker thread; DejaVu Sans ships inside matplotlib's wheel and covers Cyrillic and ə, ğ, ı.
"""

from __future__ import annotations

import calendar
import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.corpus import Corpus, Event
from bot.dates import effective_span, label, timeline_order

# Okabe-Ito: told apart with the common colour-vision deficiencies, and on a phone in daylight.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C6D00", "#000000")
FONT = "DejaVu Sans"
MAX_EVENTS = 30  # more rows than this do not read on a phone; the caller says how many were left out
WIDTH_IN, DPI = 6.4, 150  # 960 px wide; 30 rows stay under the 2560 px Telegram keeps of a photo's long side
LABEL_PT, SMALL_PT, TITLE_PT = 10.5, 8.5, 13.0
WRAP = 62  # characters of a label line at LABEL_PT across the picture
LINE_IN, MARK_IN, GAP_IN = 0.18, 0.15, 0.07
BREAK_SHARE = 0.035  # axis width of a cut-out stretch of time


@dataclass(frozen=True)
class Mark:
    """One event as drawn: what kind of mark, where (days since 1 January of year 1), how it looks."""

    event_id: str
    kind: str  # "point" (a day), "span" (known only to a period), "bar" (a period from - to)
    first: int
    last: int
    inferred: bool
    colour: str
    sources: tuple[int, ...]  # the citing sources' numbers, as `/sources` lists them
    text: str  # "19 September 2023 — Title"


def source_colours(corpus: Corpus) -> dict[str, str]:
    return {s.file: PALETTE[(s.number - 1) % len(PALETTE)] for s in corpus.sources_in_order()}


def marks(events: Sequence[Event], corpus: Corpus, inferred_word: str = "inferred") -> list[Mark]:
    """The rows of the picture, in timeline order."""
    colours = source_colours(corpus)
    out = []
    for e in sorted(events, key=timeline_order):
        first, last = effective_span(e.date)
        if e.end is not None:
            kind, last = "bar", effective_span(e.end)[1]
        elif e.date.precision == "day" and not e.date.latest:
            kind = "point"
        else:
            kind = "span"
        inferred = e.date.inferred != "none" or (e.end is not None and e.end.inferred != "none")
        files = list(dict.fromkeys(c.source for c in e.cite))
        numbers = tuple(sorted(corpus.sources[f].number for f in files))
        first_file = min(files, key=lambda f: corpus.sources[f].number)
        when = label(e.date) + (f" – {label(e.end)}" if e.end else "")
        if inferred:
            when += f" ({inferred_word})"
        out.append(Mark(e.id, kind, first.toordinal(), last.toordinal(), inferred, colours[first_file], numbers,
                        f"{when} — {e.title}"))
    return out


# --------------------------------------------------------------------------- the time axis


@dataclass(frozen=True)
class Axis:
    """Piecewise-linear: clusters of events keep their proportions, long empty stretches between them are cut."""

    clusters: tuple[tuple[int, int, float, float], ...]  # (first day, last day, axis from, axis to)

    def x(self, day: int) -> float:
        for first, last, lo, hi in self.clusters:
            if day <= last:
                if day < first:
                    return lo
                return lo + (hi - lo) * (day - first) / max(1, last - first)
        return self.clusters[-1][3]

    @property
    def breaks(self) -> list[float]:
        """Axis positions of the cut-out stretches."""
        return [(a[3] + b[2]) / 2 for a, b in zip(self.clusters, self.clusters[1:], strict=False)]


def build_axis(spans: Sequence[tuple[int, int]]) -> Axis:
    """Clusters of overlapping or near events; a stretch between clusters is cut when it is longer than
    three years and than the clusters on both sides together. A cluster's width is half for its length of
    time and half for its number of events, so a busy month is not squeezed beside a quiet decade."""
    ordered = sorted(spans)
    total = max(1, max(b for _, b in ordered) - ordered[0][0])
    pad = max(20, total // 80)
    merged: list[list[int]] = []
    for a, b in ordered:
        if merged and a - pad <= merged[-1][1] + pad:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    clusters: list[list[int]] = []
    for a, b in merged:
        if clusters:
            gap = a - clusters[-1][1]
            if gap <= 3 * 365 or gap <= (clusters[-1][1] - clusters[-1][0]) + (b - a):
                clusters[-1][1] = max(clusters[-1][1], b)
                continue
        clusters.append([a, b])
    lengths = [max(b - a, 1) for a, b in clusters]
    counts = [sum(1 for s, _ in ordered if a <= s <= b) for a, b in clusters]
    widths = [0.5 * n / sum(lengths) + 0.5 * c / sum(counts) for n, c in zip(lengths, counts, strict=True)]
    widths = [max(w, 0.08) for w in widths]  # a short, quiet cluster still gets room for its marks
    room = 1.0 - BREAK_SHARE * (len(clusters) - 1)
    out, x = [], 0.0
    for (a, b), w in zip(clusters, widths, strict=True):
        share = room * w / sum(widths)
        margin = max(15, (b - a) // 40)
        out.append((a - margin, b + margin, x, x + share))
        x += share + BREAK_SHARE
    return Axis(tuple(out))


def ticks(axis: Axis, min_gap: float = 0.11) -> list[tuple[float, str]]:
    """Year ticks (every few years on long clusters), or month ticks on clusters shorter than two years."""
    found: list[tuple[float, str]] = []
    for first, last, lo, hi in axis.clusters:
        a, b = date.fromordinal(first), date.fromordinal(last)
        candidates: list[tuple[int, str]] = []
        if (last - first) < 2 * 365:
            step = max(1, round((last - first) / 30 / max(1.0, (hi - lo) / min_gap)))
            y, m = a.year, a.month
            while (y, m) <= (b.year, b.month):
                if (m - 1) % step == 0:
                    text = f"{calendar.month_abbr[m]} {y}" if m == 1 or not candidates else calendar.month_abbr[m]
                    candidates.append((date(y, m, 1).toordinal(), text))
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        else:
            years = b.year - a.year + 1
            step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if years / s <= max(1.0, (hi - lo) / min_gap) + 1)
            candidates = [(date(y, 1, 1).toordinal(), str(y)) for y in range(a.year + 1, b.year + 1) if y % step == 0]
        for day, text in candidates:
            if first <= day <= last:
                x = axis.x(day)
                if not found or x - found[-1][0] >= min_gap:
                    found.append((x, text))
    return found


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class Texts:
    """The picture's words, from wording.yaml (the caller passes them in the chat's language)."""

    title: str
    subtitle: str
    legend_day: str
    legend_span: str
    legend_range: str
    legend_inferred: str
    legend_sources: str
    inferred: str = "inferred"
    outlet_unknown: str = "outlet not named"


def _wrap(text: str, width: int = WRAP, lines: int = 2) -> list[str]:
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1:]), width, placeholder="…")]
    return wrapped


def render_png(events: Sequence[Event], corpus: Corpus, texts: Texts,
               source_label: Callable[[str], str] | None = None) -> bytes:
    """The PNG bytes of the picture (at most MAX_EVENTS events: the caller chooses which)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    rows = marks(list(events)[:MAX_EVENTS], corpus, texts.inferred)
    if not rows:
        raise ValueError("no events to draw")
    axis = build_axis([(m.first, m.last) for m in rows])
    cited = sorted({n for m in rows for n in m.sources})
    by_number = {s.number: s for s in corpus.sources_in_order()}
    colours = source_colours(corpus)

    # Heights in inches, top to bottom: header, rows, axis labels, legend.
    layout = [(_wrap(m.text), m) for m in rows]
    subtitle = textwrap.wrap(texts.subtitle, 100)[:2]  # 8.5 pt: about 100 characters across
    header_in = 0.85 + 0.15 * (len(subtitle) - 1)
    body_in = sum(len(lines) * LINE_IN + MARK_IN + GAP_IN for lines, _ in layout) + 0.1
    legend_lines = 3 + len(cited)
    footer_in = 0.35 + legend_lines * 0.2 + 0.1
    height_in = header_in + body_in + footer_in
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    left_in, right_in = 0.22, 0.22
    ax = fig.add_axes((left_in / WIDTH_IN, footer_in / height_in, 1 - (left_in + right_in) / WIDTH_IN,
                       body_in / height_in))
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(body_in, 0)
    ax.set_axis_off()
    font = {"fontfamily": FONT}

    fig.text(left_in / WIDTH_IN, 1 - 0.1 / height_in, texts.title, fontsize=TITLE_PT, fontweight="bold", va="top",
             **font)
    fig.text(left_in / WIDTH_IN, 1 - 0.36 / height_in, "\n".join(subtitle), fontsize=SMALL_PT, color="#555555",
             va="top", linespacing=1.3, **font)

    # Grid lines at the ticks and the cuts, through every row.
    tick_marks = ticks(axis)
    for x, _ in tick_marks:
        ax.axvline(x, color="#e4e4e4", lw=0.8, zorder=0)
    for x in axis.breaks:
        ax.axvline(x, color="#bbbbbb", lw=0.8, ls=(0, (2, 2)), zorder=0)

    y = 0.05
    for lines, m in layout:
        chip_x = 0.0
        for n in m.sources:  # numbered squares: every source citing the event
            ax.text(chip_x, y, str(n), fontsize=SMALL_PT - 1, color="white", va="top", ha="left", fontweight="bold",
                    bbox={"boxstyle": "square,pad=0.15", "fc": PALETTE[(n - 1) % len(PALETTE)], "ec": "none"}, **font)
            chip_x += 0.032
        for i, line in enumerate(lines):
            ax.text(chip_x + 0.008 if i == 0 else 0.0, y + i * LINE_IN, line, fontsize=LABEL_PT, va="top", ha="left",
                    color="#111111", **font)
        mid = y + len(lines) * LINE_IN + MARK_IN / 2
        x0, x1 = axis.x(m.first), axis.x(m.last)
        edge = {"ls": (0, (3, 2)) if m.inferred else "-", "lw": 1.2}
        if m.kind == "point":
            ax.plot([x0], [mid], marker="o", ms=8, mec=m.colour, mew=2,
                    mfc="white" if m.inferred else m.colour, zorder=3)
        elif m.kind == "bar":
            ax.add_patch(Rectangle((x0, mid - 0.05), max(x1 - x0, 0.004), 0.1, fc=m.colour, ec=m.colour,
                                   hatch="////" if m.inferred else None, alpha=0.9, zorder=2, **edge))
        else:
            ax.add_patch(Rectangle((x0, mid - 0.06), max(x1 - x0, 0.018), 0.12, fc=m.colour, alpha=0.25,
                                   ec=m.colour, hatch="////" if m.inferred else None, zorder=2, **edge))
        y += len(lines) * LINE_IN + MARK_IN + GAP_IN

    # The time axis under the rows, with its cuts marked "≈".
    base = fig.add_axes((left_in / WIDTH_IN, (footer_in - 0.02) / height_in, 1 - (left_in + right_in) / WIDTH_IN,
                         0.01 / height_in))
    base.set_xlim(-0.01, 1.01)
    base.set_yticks([])
    for side in ("left", "right", "top"):
        base.spines[side].set_visible(False)
    base.set_xticks([x for x, _ in tick_marks], [t for _, t in tick_marks], fontsize=SMALL_PT, **font)
    for x in axis.breaks:
        base.text(x, 0.5, "≈", ha="center", va="center", fontsize=LABEL_PT, color="#777777",
                  bbox={"fc": "white", "ec": "none", "pad": 0.5}, **font)

    # The same years above the rows, so a tall picture reads without scrolling to its foot.
    top = fig.add_axes((left_in / WIDTH_IN, 1 - (header_in - 0.02) / height_in,
                        1 - (left_in + right_in) / WIDTH_IN, 0.01 / height_in))
    top.set_xlim(-0.01, 1.01)
    top.set_yticks([])
    for side in ("left", "right", "bottom"):
        top.spines[side].set_visible(False)
    top.xaxis.tick_top()
    top.set_xticks([x for x, _ in tick_marks], [t for _, t in tick_marks], fontsize=SMALL_PT, **font)

    # Legend: what the marks mean, and which colour is which source.
    ly = footer_in - 0.42
    key = fig.add_axes((left_in / WIDTH_IN, 0, 1 - (left_in + right_in) / WIDTH_IN, ly / height_in))
    key.set_xlim(0, 1)
    key.set_ylim(ly, 0)
    key.set_axis_off()
    row = 0.08
    key.plot([0.012], [row + 0.07], marker="o", ms=7, color="#444444")
    key.text(0.035, row, texts.legend_day, fontsize=SMALL_PT, va="top", **font)
    key.add_patch(Rectangle((0.30, row + 0.02), 0.04, 0.1, fc="#444444", alpha=0.22, ec="#444444"))
    key.text(0.35, row, texts.legend_span, fontsize=SMALL_PT, va="top", **font)
    row += 0.2
    key.add_patch(Rectangle((0.0, row + 0.04), 0.025, 0.06, fc="#444444", ec="#444444"))
    key.text(0.035, row, texts.legend_range, fontsize=SMALL_PT, va="top", **font)
    key.plot([0.312], [row + 0.07], marker="o", ms=7, mec="#444444", mfc="white", mew=1.6)
    key.text(0.35, row, texts.legend_inferred, fontsize=SMALL_PT, va="top", **font)
    row += 0.2
    key.text(0.0, row, texts.legend_sources, fontsize=SMALL_PT, va="top", fontweight="bold", **font)
    for n in cited:
        row += 0.2
        source = by_number[n]
        key.add_patch(Rectangle((0.0, row + 0.02), 0.025, 0.11, fc=colours[source.file], ec="none"))
        outlet = source.outlet if source.outlet.lower() != "unknown" else texts.outlet_unknown
        text = source_label(source.file) if source_label else f"[{n}] {outlet}, {label(source.published)}"
        key.text(0.035, row, textwrap.shorten(text, 80, placeholder="…"), fontsize=SMALL_PT, va="top", **font)

    out = io.BytesIO()
    # A lighter PNG compression: twice as quick to write, and Telegram re-encodes photos anyway.
    fig.savefig(out, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 3})
    return out.getvalue()


# --------------------------------------------------------------------------- from a /timeline query


@dataclass(frozen=True)
class Picture:
    png: bytes
    caption: str  # plain text
    events: int
    total: int


def topic_of(query: str) -> str:
    """'/timeline Karabakh page:2' or '/picture Karabakh' -> 'Karabakh'."""
    head, _, rest = query.strip().partition(" ")
    rest = rest if head.startswith("/") else query
    words = [w for w in rest.split() if not w.startswith("page:")]
    return " ".join(words)


def timeline_picture(engine: object, query: str) -> Picture | None:
    """The picture of the events `/timeline <query>` answers with (all pages; the key ones first when
    there are more than MAX_EVENTS), or None when that timeline has no events."""
    from bot.render import plain_text, say
    from bot.views.timeline import importance

    topic = topic_of(query)
    reply = engine.answer(f"/timeline {topic}".strip(), full=True)  # type: ignore[attr-defined]
    # The corpus as the answer's language reads it (bot.translations), when the engine has one.
    views = getattr(engine, "views", None)
    corpus: Corpus = views.corpus if views is not None else engine.corpus  # type: ignore[attr-defined]
    ids = list(getattr(reply, "events", ()))
    if not reply.matched or not ids:
        return None
    events = [corpus.events[i] for i in ids]
    total = len(events)
    if total > MAX_EVENTS:
        events = sorted(events, key=importance)[:MAX_EVENTS]
    prov = getattr(engine, "provenance", None)
    version = prov.version if prov is not None else "-"
    title = say("picture.title", query=topic) if topic else say("picture.title_all")
    if total > MAX_EVENTS:
        more = "picture.caption_more" if topic else "picture.caption_all_more"
        caption = say(more, query=topic, count=len(events), total=total, version=version)
    elif topic:
        caption = say("picture.caption", query=topic, count=total, version=version)
    else:
        caption = say("picture.caption_all", count=total, version=version)
    shown = f"{len(events)}/{total}" if total > len(events) else str(total)
    subtitle = say("picture.subtitle", count=shown, version=version, curated=prov.curated_text if prov else "-")
    texts = Texts(title=plain_text(title), subtitle=plain_text(subtitle),
                  legend_day=plain_text(say("picture.legend_day")), legend_span=plain_text(say("picture.legend_span")),
                  legend_range=plain_text(say("picture.legend_range")),
                  legend_inferred=plain_text(say("picture.legend_inferred")),
                  legend_sources=plain_text(say("picture.legend_sources")),
                  inferred=plain_text(say("picture.inferred_mark")),
                  outlet_unknown=plain_text(say("labels.outlet_unknown")))
    return Picture(render_png(events, corpus, texts), plain_text(caption), len(events), total)
