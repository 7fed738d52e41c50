"""What an entry type is: a kind of entry that renders itself and describes itself in a list.

Like rules-bot's `entrytypes`: `ActorView`, `PlaceView`, `EventView`, `ClaimView` and `SourceView`
subclass `EntryView` and register under their kind in `ENTRY_TYPES` (kind -> view); `Views` makes one
of each, so `views.entries["claim"]` renders any claim.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from bot.render import Builder
from bot.views.base import Button, Views

E = TypeVar("E")

ENTRY_TYPES: dict[str, type[EntryView[Any]]] = {}


def entry_type(cls: type[EntryView[E]]) -> type[EntryView[E]]:
    """Registers an entry type under its kind (`ENTRY_TYPES["actor"]` is `ActorView`)."""
    ENTRY_TYPES[cls.kind] = cls
    return cls


class EntryView(Generic[E]):
    """One kind of entry: how it renders itself as a reply (brief or full) and how it is listed
    (a title and a description, for buttons, inline results and "did you mean")."""

    kind: ClassVar[str]
    cites_buttons: ClassVar[bool] = True  # a row of source buttons under the reply

    def __init__(self, views: Views) -> None:
        self.views = views
        self.corpus = views.corpus

    def get(self, entry_id: str) -> E:
        raise NotImplementedError

    def blocks(self, b: Builder, entry: E, full: bool, typed: str | None) -> None:
        """The reply's blocks; `typed` is what the user wrote, when it names the entry in another spelling."""
        raise NotImplementedError

    def buttons(self, entry: E) -> list[tuple[Button, ...]]:
        """Rows of follow-ups of this kind, above the source buttons."""
        return []

    def labels(self, entry: E) -> tuple[str, str]:
        """(title, description) for a list of entries."""
        raise NotImplementedError
