"""`briefbot chat`: a console on the same core as the bot, for trying queries without a token."""

from __future__ import annotations

import contextlib
import sys

from bot.core import Engine, Reply


def _print(reply: Reply) -> None:
    from bot.cli import as_text

    print(as_text(reply.html))
    for row in reply.buttons:
        print("  " + "   ".join(f"[{b.text} → {b.data}]" for b in row))
    print()


def run_chat(engine: Engine, *, full: bool = True) -> int:
    """Read commands until EOF or /quit; readline gives history and line editing where available."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (history and editing for input())
    interactive = sys.stdin.isatty()
    if interactive:
        print("briefbot console: type /help, /actor aliev, /timeline PACE … (/quit or Ctrl-D to leave)\n")
    while True:
        try:
            line = input("> " if interactive else "")
        except EOFError:
            return 0
        if line.strip() in ("/quit", "/exit"):
            return 0
        _print(engine.answer(line, full=full))
