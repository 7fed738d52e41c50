"""The timeline picture draws what the timeline says (precision, inference, sources) in any script, and
answers name the index version they came from."""

from __future__ import annotations

import io
import logging
import shutil
import warnings
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from bot.core import Engine
from bot.picture import PALETTE, Texts, build_axis, marks, render_png, timeline_picture
from bot.provenance import index_version

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds", embedder=None)


def test_marks_follow_each_dates_precision_inference_and_sources(engine: Engine) -> None:
    corpus = engine.corpus
    reply = engine.answer("/timeline Karabakh", full=True)
    rows = {m.event_id: m for m in marks([corpus.events[i] for i in reply.events], corpus)}
    assert set(rows) == set(reply.events)
    for event_id, m in rows.items():
        e = corpus.events[event_id]
        if e.end is not None:
            assert m.kind == "bar" and m.last > m.first
        elif e.date.precision == "day" and not e.date.latest:
            assert m.kind == "point" and m.first == m.last
        else:
            assert m.kind == "span" and m.last > m.first  # the whole period it may fall in
        assert m.inferred == (e.date.inferred != "none" or (e.end is not None and e.end.inferred != "none"))
        assert ("(inferred)" in m.text) == m.inferred
        numbers = {corpus.sources[c.source].number for c in e.cite}
        assert set(m.sources) == numbers
        assert m.colour == PALETTE[(min(numbers) - 1) % len(PALETTE)]
    assert {m.kind for m in rows.values()} == {"point", "span", "bar"}


def test_long_empty_stretches_are_cut_from_the_axis() -> None:
    day = 730_000  # about 2000
    axis = build_axis([(day - 12_000, day - 11_000), (day, day + 1), (day + 30, day + 300)])
    assert len(axis.clusters) == 2 and len(axis.breaks) == 1
    xs = [axis.x(d) for d in (day - 12_000, day - 11_000, day, day + 300)]
    assert xs == sorted(xs) and xs[0] >= 0.0 and xs[-1] <= 1.0
    # The recent cluster, one year with three events, is not squeezed beside the older one.
    assert xs[3] - xs[2] > 0.3


def test_the_picture_renders_cyrillic_and_azerbaijani_letters_without_missing_glyphs(
        engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    corpus = engine.corpus
    events = [replace(e, title=title) for e, title in zip(
        list(corpus.events.values())[:3], ("Гафарова выступила в Милли Меджлисе", "Qarabağ: İlham Əliyev çıxış etdi",
                                          "ğ ı ə ö ü ç ş — Ğ I Ə Ö Ü Ç Ş"), strict=False)]
    texts = Texts("Хронология: Qarabağ", "3 события · indeks", "точный день", "только месяц", "период",
                  "выведенная дата", "Цвет = источник:", "вывод")
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        png = render_png(events, corpus, texts)
    missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    missing += [r.getMessage() for r in caplog.records if "missing" in r.getMessage().lower()]
    assert missing == []
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 900


def test_timeline_picture_is_none_without_events(engine: Engine) -> None:
    assert timeline_picture(engine, "/picture the Earth is flat") is None
    picture = timeline_picture(engine, "/timeline PACE page:2")
    assert picture is not None and picture.events == picture.total == len(engine.answer("/timeline PACE").events)


def test_answers_name_the_index_version_and_a_changed_brief_changes_it(engine: Engine, tmp_path: Path) -> None:
    prov = engine.provenance
    assert prov is not None and len(prov.version) == 10 and prov.curated is not None
    about = engine.answer("/about").html
    assert prov.version in about and prov.curated.isoformat() in about
    full = engine.answer("/actor aliev", full=True).html
    assert f"Index {prov.version}, curated as of {prov.curated.isoformat()}" in full
    assert prov.version not in engine.answer("/actor aliev", full=False).html  # group replies stay short
    briefs, seeds = tmp_path / "briefs", tmp_path / "seeds"
    shutil.copytree(ROOT / "briefs", briefs)
    shutil.copytree(ROOT / "seeds", seeds)
    assert index_version(briefs, seeds) == prov.version  # content, not location
    actors = briefs / "actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8") + "\n# a curator's note\n", encoding="utf-8")
    assert index_version(briefs, seeds) != prov.version


def test_the_picture_command_writes_the_png_or_says_why_not(engine: Engine, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    monkeypatch.setenv("BRIEFBOT_EMBEDDER", "none")
    target = tmp_path / "pace.png"
    assert main(["picture", "PACE", "-o", str(target)]) == 0
    assert Image.open(target).format == "PNG"
    assert f"{len(engine.answer('/timeline PACE').events)} events" in capsys.readouterr().err
    assert main(["picture", "the", "Earth", "is", "flat", "-o", str(tmp_path / "x.png")]) == 1
    assert "no events to draw" in capsys.readouterr().err and not (tmp_path / "x.png").exists()
