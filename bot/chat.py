"""`briefbot chat`: a console on the same core as the bot, for trying queries without a token."""

from __future__ import annotations

import contextlib
import sys

from bot import i18n
from bot.core import Engine, Reply


def _print(reply: Reply) -> None:
    from bot.cli import as_text

    print(as_text(reply.html))
    for row in reply.buttons:
        print("  " + "   ".join(f"[{b.text} → {b.data}]" for b in row))
    print()


def run_chat(engine: Engine, *, full: bool = True, lang: str | None = None) -> int:
    """Read commands until EOF or /quit; readline gives history and line editing where available.
    `/language ru|az|en|auto` picks the reply language, as in Telegram; "auto" (the default unless
    `lang` is given) answers in the language each message is written in, else English."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (history and editing for input())
    interactive = sys.stdin.isatty()
    if interactive:
        print("briefbot console: type /help, /actor aliev, /timeline PACE, /language ru … (/quit or Ctrl-D to leave)\n")
    chosen = i18n.normalize(lang)
    while True:
        try:
            line = input("> " if interactive else "")
        except EOFError:
            return 0
        if line.strip() in ("/quit", "/exit"):
            return 0
        head, _, arg = line.strip().partition(" ")
        if head == "/language":
            arg = arg.strip().lower()
            if arg == "auto":
                chosen = None
                print(i18n.phrase("language.changed_auto", i18n.DEFAULT) + "\n")
                continue
            if picked := i18n.normalize(arg) or i18n.from_name(arg):
                chosen = picked
                print(i18n.phrase("language.changed", picked) + "\n")
                continue
            name = i18n.NAMES[chosen] if chosen else i18n.phrase("language.auto")
            print(i18n.phrase("language.current", chosen).format(name=name) + " /language auto|en|ru|az\n")
            continue
        _print(engine.answer(line, full=full, lang=chosen or i18n.written_in(line) or i18n.DEFAULT))
