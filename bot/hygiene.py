"""Input hygiene: what a message may carry that no answer should see or echo.

Telegram delivers whatever a client sent, and JSON can carry lone UTF-16 surrogates (which no
encoder accepts), NUL and other control characters (which terminals and logs interpret), and
bidirectional overrides (which make an echoed query read differently from what was typed).
`clean` removes them before a message reaches the engine, so nothing downstream has to care.
Tabs and line breaks stay (they separate words); zero-width joiners stay (emoji and Persian need them).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 and C1 controls except tab, line feed, carriage return
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides and isolates
    "\ud800-\udfff"  # surrogates: in a Python str from JSON, only lone halves are left
    "\ufff9-\ufffb\ufffe\uffff"  # interlinear annotation controls and non-characters
    "]"
)


def clean(text: str) -> str:
    """`text` without unsafe characters; carriage returns become line feeds."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
