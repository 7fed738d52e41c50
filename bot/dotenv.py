"""`.env` files as docker compose reads them (KEY=value lines, # comments, optional quotes), for
`briefbot run --env-file .env` (what `make run` does): variables already in the environment win."""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path

_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*?)\s*$")


class EnvFileError(ValueError):
    """One line for the user: which file and line, and what is wrong."""


def parse(text: str, name: str = ".env") -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            raise EnvFileError(f"{name}:{number}: expected NAME=value")
        value = m["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()  # an inline comment after an unquoted value
        values[m["key"]] = value
    return values


def load(path: Path, environ: MutableMapping[str, str] | None = None) -> int:
    """Set the file's variables that the environment does not already have; returns how many were set."""
    env = os.environ if environ is None else environ
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EnvFileError(f"{path} not found: `cp .env.example .env` and set TELEGRAM_BOT_TOKEN in it") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvFileError(f"cannot read {path}: {exc}") from None
    added = 0
    for key, value in parse(text, str(path)).items():
        if key not in env:
            env[key] = value
            added += 1
    return added
