"""Views: each kind of entry renders itself (brief, full, inline); the engine only chooses entries.

Importing the package registers every entry type in `ENTRY_TYPES` (kind -> view), so `Views`
can render any kind.
"""

from bot.views import actor, claim, event, place, source  # noqa: F401  (registers the entry types)
from bot.views.base import (
    ECHO_LIMIT,
    KIND_LETTER,
    LETTER_KIND,
    MAX_CALLBACK,
    PAYLOAD_RE,
    Button,
    InlineItem,
    Reply,
    Views,
    button,
    decode_query,
    encode_query,
    payload,
    short,
)
from bot.views.entry import ENTRY_TYPES, EntryView

__all__ = [
    "ECHO_LIMIT", "ENTRY_TYPES", "KIND_LETTER", "LETTER_KIND", "MAX_CALLBACK", "PAYLOAD_RE", "Button",
    "EntryView", "InlineItem", "Reply", "Views", "button", "decode_query", "encode_query", "payload", "short",
]
