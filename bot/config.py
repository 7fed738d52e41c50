"""Deployment settings, read once from the environment (twelve-factor style, so containers need no files).

Every problem is a `ConfigError` with a one-line message naming the variable, so `briefbot run`
can print it and exit 2 instead of showing a traceback. The token never appears in a message
or in `repr(Config)`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parent.parent
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line, fit for the user."""


@dataclass(frozen=True)
class Config:
    token: str = field(repr=False)
    api_url: str | None = None  # a self-hosted Bot API server, e.g. http://localhost:8081
    webhook_url: str | None = None  # public HTTPS URL; set = webhook mode, unset = long polling
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    db_path: Path = Path("data/briefbot.sqlite3")
    query_log: bool = True
    log_retention_days: int = 30
    admins: frozenset[int] = frozenset()
    briefs_dir: Path = PROJECT / "briefs"
    seeds_dir: Path = PROJECT / "seeds"
    log_level: str = "INFO"
    request_timeout: float = 10.0  # seconds for each Bot API call (connect, read, write)
    flood_burst: int = 5  # replies a chat gets at once before the flood notice
    flood_refill_seconds: float = 3.0  # one more reply allowed per this many seconds
    flood_edit_burst: int = 12  # button taps that turn a page in place have their own, larger budget
    flood_edit_refill_seconds: float = 0.5
    inbox_max_age_seconds: float = 600.0  # unfinished updates younger than this are answered after a restart
    send_retries: int = 4  # retries of a Bot API call after a network error (backoff 0.5, 1, 2, 4 s)
    drain_seconds: float = 8.0  # on SIGTERM: time given to replies in flight; the rest stay in the inbox
    health_max_silence: float = 180.0  # `briefbot health --bot` fails after this long without a Bot API round trip
    heartbeat_file: Path | None = None  # where the bot records its last round trip (default: in the temp dir)
    db_degraded_ok: bool = False  # run without the DB (in memory) when it cannot be used, instead of exit 2
    log_private: bool = False  # log update contents (names, ids, text) at DEBUG; off: ids and kinds only
    webhook_max_bytes: int = 1 << 20  # larger webhook bodies get 413 (Telegram's updates are far smaller)
    # Several replicas (BRIEFBOT_DB=postgresql://…): see README "Running several replicas".
    db_url: str | None = field(default=None, repr=False)  # PostgreSQL DSN (may hold a password); None = SQLite
    db_pool_size: int = 10  # connections per replica
    claim_seconds: float = 30.0  # a dead replica's claimed updates are answered by the others after this
    set_webhook: bool | None = None  # register the webhook at start-up; None: yes with SQLite, no with PostgreSQL
    rate_per_second: float = 27.0  # messages per second for the whole bot (Telegram: 30), in any 1 s window
    rate_group_per_minute: int = 19  # messages per minute to one group (Telegram: 20), in any 60 s window
    rate_shared: bool | None = None  # share the limits through the database; None: yes with PostgreSQL
    rate_group_window_seconds: float = 60.0  # Telegram's group window; shorter only in tests

    @property
    def base_url(self) -> str | None:
        """PTB's base_url for a self-hosted server: the URL up to and including '/bot'."""
        if not self.api_url:
            return None
        root = self.api_url.rstrip("/")
        return root if root.endswith("/bot") else root + "/bot"

    @property
    def base_file_url(self) -> str | None:
        if not self.base_url:
            return None
        return self.base_url.removesuffix("/bot") + "/file/bot"

    @property
    def heartbeat_path(self) -> Path:
        return self.heartbeat_file or heartbeat_path_for(self.db_url or self.db_path)

    @property
    def db_target(self) -> Path | str:
        """What `Storage.open` takes: the PostgreSQL DSN, or the SQLite file."""
        return self.db_url or self.db_path

    @property
    def registers_webhook(self) -> bool:
        """Whether `run` calls setWebhook itself; with several replicas one deploy step does (`set-webhook`)."""
        return self.set_webhook if self.set_webhook is not None else self.db_url is None

    @property
    def webhook_path(self) -> str:
        """The path the webhook server listens on: the path of the public URL (a proxy forwards it as is)."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Config:
        """Read the BRIEFBOT_* and TELEGRAM_* variables; `overrides` (e.g. briefs_dir from the CLI) win."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("TELEGRAM_BOT_TOKEN")
        if token is None and (token_file := get("TELEGRAM_BOT_TOKEN_FILE")):
            try:
                token = Path(token_file).read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                raise ConfigError(f"TELEGRAM_BOT_TOKEN_FILE: cannot read {token_file}: {exc.strerror}") from None
            if token is None:
                raise ConfigError(f"TELEGRAM_BOT_TOKEN_FILE: {token_file} is empty")
        if token is None:
            raise ConfigError("no bot token: set TELEGRAM_BOT_TOKEN (or TELEGRAM_BOT_TOKEN_FILE) from @BotFather")
        if not _TOKEN_RE.match(token):
            raise ConfigError("the bot token is malformed (expected <digits>:<secret> as @BotFather gives it)")

        api_url = get("TELEGRAM_API_URL")
        if api_url and urlsplit(api_url).scheme not in ("http", "https"):
            raise ConfigError(f"TELEGRAM_API_URL must be an http(s) URL, not {api_url!r}")
        webhook_url = get("BRIEFBOT_WEBHOOK_URL")
        if webhook_url and urlsplit(webhook_url).scheme not in ("http", "https"):
            raise ConfigError(f"BRIEFBOT_WEBHOOK_URL must be an https URL, not {webhook_url!r}")
        secret = get("BRIEFBOT_WEBHOOK_SECRET")
        if secret is not None and not _SECRET_RE.match(secret):
            raise ConfigError("BRIEFBOT_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and - only")

        db = get("BRIEFBOT_DB") or "data/briefbot.sqlite3"
        db_url: str | None = None
        if db.split(":", 1)[0].lower() in ("postgresql", "postgres"):
            db_url, db = db, "data/briefbot.sqlite3"
        elif db.startswith("sqlite:"):
            if not db.startswith("sqlite:///"):
                raise ConfigError("BRIEFBOT_DB: a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path")
            db = db.removeprefix("sqlite:///") or "data/briefbot.sqlite3"
        elif "://" in db:
            raise ConfigError("BRIEFBOT_DB must be a file path, sqlite:///path or postgresql://…, "
                              f"not a {db.split(':', 1)[0]}: URL")
        if db_url and webhook_url and secret is None:
            raise ConfigError("BRIEFBOT_WEBHOOK_SECRET must be set when replicas share PostgreSQL in webhook mode "
                              "(every replica must check the same secret)")

        values: dict[str, object] = {
            "token": token,
            "api_url": api_url,
            "webhook_url": webhook_url,
            "webhook_listen": get("BRIEFBOT_WEBHOOK_LISTEN") or "0.0.0.0",
            "webhook_port": _int(get("BRIEFBOT_WEBHOOK_PORT"), "BRIEFBOT_WEBHOOK_PORT", 8443, 1, 65535),
            "webhook_secret": secret,
            "db_path": Path(db).expanduser(),
            "db_url": db_url,
            "db_pool_size": _int(get("BRIEFBOT_DB_POOL_SIZE"), "BRIEFBOT_DB_POOL_SIZE", 10, 2, 200),
            "claim_seconds": _float(get("BRIEFBOT_CLAIM_SECONDS"), "BRIEFBOT_CLAIM_SECONDS", 30.0, 1, 3600),
            "set_webhook": None if get("BRIEFBOT_SET_WEBHOOK") is None
            else _bool(get("BRIEFBOT_SET_WEBHOOK"), "BRIEFBOT_SET_WEBHOOK", True),
            "rate_per_second": _float(get("BRIEFBOT_RATE_PER_SECOND"), "BRIEFBOT_RATE_PER_SECOND", 27.0, 0.1, 1000),
            "rate_group_per_minute": _int(get("BRIEFBOT_RATE_GROUP_PER_MINUTE"), "BRIEFBOT_RATE_GROUP_PER_MINUTE",
                                          19, 1, 10000),
            "rate_shared": None if get("BRIEFBOT_RATE_SHARED") is None
            else _bool(get("BRIEFBOT_RATE_SHARED"), "BRIEFBOT_RATE_SHARED", True),
            "query_log": _bool(get("BRIEFBOT_QUERY_LOG"), "BRIEFBOT_QUERY_LOG", True),
            "log_retention_days": _int(get("BRIEFBOT_LOG_RETENTION_DAYS"), "BRIEFBOT_LOG_RETENTION_DAYS", 30, 1, 36500),
            "admins": _ids(get("BRIEFBOT_ADMINS")),
            "briefs_dir": Path(get("BRIEFBOT_BRIEFS") or PROJECT / "briefs"),
            "seeds_dir": Path(get("BRIEFBOT_SEEDS") or PROJECT / "seeds"),
            "log_level": (get("BRIEFBOT_LOG_LEVEL") or "INFO").upper(),
            "flood_burst": _int(get("BRIEFBOT_FLOOD_BURST"), "BRIEFBOT_FLOOD_BURST", 5, 1, 1000),
            "flood_refill_seconds": _float(get("BRIEFBOT_FLOOD_REFILL_SECONDS"), "BRIEFBOT_FLOOD_REFILL_SECONDS",
                                           3.0, 0.01, 3600),
            "flood_edit_burst": _int(get("BRIEFBOT_FLOOD_EDIT_BURST"), "BRIEFBOT_FLOOD_EDIT_BURST", 12, 1, 1000),
            "flood_edit_refill_seconds": _float(get("BRIEFBOT_FLOOD_EDIT_REFILL_SECONDS"),
                                                "BRIEFBOT_FLOOD_EDIT_REFILL_SECONDS", 0.5, 0.01, 3600),
            "inbox_max_age_seconds": _float(get("BRIEFBOT_INBOX_MAX_AGE_SECONDS"), "BRIEFBOT_INBOX_MAX_AGE_SECONDS",
                                            600.0, 0, 86400),
            "send_retries": _int(get("BRIEFBOT_SEND_RETRIES"), "BRIEFBOT_SEND_RETRIES", 4, 0, 10),
            "drain_seconds": _float(get("BRIEFBOT_DRAIN_SECONDS"), "BRIEFBOT_DRAIN_SECONDS", 8.0, 0, 600),
            "health_max_silence": _float(get("BRIEFBOT_HEALTH_MAX_SILENCE"), "BRIEFBOT_HEALTH_MAX_SILENCE",
                                         180.0, 1, 86400),
            "heartbeat_file": Path(hb) if (hb := get("BRIEFBOT_HEARTBEAT_FILE")) else None,
            "db_degraded_ok": _bool(get("BRIEFBOT_DB_DEGRADED_OK"), "BRIEFBOT_DB_DEGRADED_OK", False),
            "log_private": _bool(get("BRIEFBOT_LOG_PRIVATE"), "BRIEFBOT_LOG_PRIVATE", False),
            "webhook_max_bytes": _int(get("BRIEFBOT_WEBHOOK_MAX_BYTES"), "BRIEFBOT_WEBHOOK_MAX_BYTES", 1 << 20,
                                      1024, 1 << 30),
        }
        if values["log_level"] not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError("BRIEFBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _int(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _float(raw: str | None, name: str, default: float, low: float, high: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, not {value:g}")
    return value


def heartbeat_path_for(db_path: Path | str) -> Path:
    """The bot and `briefbot health` agree on this without a setting: one file per database, in the temp
    dir (writable even when the database folder is not, so a degraded bot still reports it is alive)."""
    where = str(db_path) if "://" in str(db_path) else str(Path(db_path).expanduser().resolve())
    key = hashlib.sha256(where.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"briefbot-{key}.alive"


def _bool(raw: str | None, name: str, default: bool) -> bool:
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ConfigError(f"{name} must be on or off, not {raw!r}")


def _ids(raw: str | None) -> frozenset[int]:
    if raw is None:
        return frozenset()
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d{1,20}", part):
            raise ConfigError(f"BRIEFBOT_ADMINS must be comma-separated numeric user ids, not {part!r}")
        ids.add(int(part))
    return frozenset(ids)
