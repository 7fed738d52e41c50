"""One answer in every script: any alias of an actor or place (Aliyev, Əliyev, Алиев; Karabakh,
Qarabağ, Карабах; Stepanakert, Khankendi) opens the same entry and lists the same events."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds")


def _event_lines(engine: Engine, topic: str) -> list[str]:
    """The event lines of every page of a full timeline, as a reader sees them."""
    lines: list[str] = []
    page = 1
    while True:
        reply = engine.answer(f"/timeline {topic} page:{page}", full=True)
        if not reply.matched:
            return lines
        lines += [line for line in reply.html.split("\n") if line.startswith("• ")]
        if not any(b.data.endswith(f"page:{page + 1}") for row in reply.buttons for b in row):
            return lines
        page += 1


def _entities(engine: Engine) -> list[tuple[str, str, tuple[str, ...]]]:
    c = engine.corpus
    return [("actor", a.id, (a.name, *a.aliases)) for a in c.actors.values()] + \
           [("place", p.id, (p.name, *p.aliases)) for p in c.places.values()]


def _as_typed_without_azerbaijani_letters(names: tuple[str, ...]) -> tuple[str, ...]:
    """How most people type Azerbaijani on a Latin keyboard: ə as e ("Eli Kerimli", "Eliyev")."""
    return tuple(n.replace("ə", "e").replace("Ə", "E") for n in names if "ə" in n.lower())


def test_every_alias_opens_its_own_entry(engine: Engine) -> None:
    wrong = []
    for kind, entry_id, names in _entities(engine):
        if kind == "place" and (stands := engine.views.stands_in(entry_id)):
            kind, entry_id = "actor", stands  # a capital the sources never name opens its state
        for alias in (*names, *_as_typed_without_azerbaijani_letters(names)):
            reply = engine.answer(f"who is {alias}?")
            if reply.share_payload != f"{kind[0]}_{entry_id}":
                wrong.append(f"{alias!r} -> {reply.share_payload} (expected {kind}:{entry_id})")
    assert not wrong, "\n".join(wrong)


def test_every_alias_lists_the_same_events(engine: Engine) -> None:
    differ = []
    for _kind, entry_id, names in _entities(engine):
        expected = _event_lines(engine, names[0])
        for alias in names[1:]:
            if _event_lines(engine, alias) != expected:
                differ.append(f"{alias!r} lists other events than {names[0]!r} ({entry_id})")
    assert not differ, "\n".join(differ)


def test_a_timeline_in_three_scripts_is_one_timeline(engine: Engine) -> None:
    karabakh = _event_lines(engine, "Karabakh")
    assert karabakh and karabakh == _event_lines(engine, "Qarabağ") == _event_lines(engine, "Карабах")
    assert _event_lines(engine, "Stepanakert") == _event_lines(engine, "Khankendi") == _event_lines(engine, "Ханкенди")
