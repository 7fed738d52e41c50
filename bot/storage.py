"""Embedded storage: per-chat settings and an anonymous query log, in one SQLite file.

One file so a deployer backs up or deletes a single thing; WAL and a busy timeout so the bot
and `briefbot health` (a second process) can use it at once. The query log exists to show
curators what people ask for and do not find; it deliberately has no column for who asked.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

QUERY_MAX_CHARS = 512
BUSY_TIMEOUT_MS = 5000
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order

# Each step is applied once, in order, inside one transaction; `PRAGMA user_version` is the
# number of steps applied. Append new steps; never edit or reorder released ones.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE chat_settings (
            chat_id INTEGER NOT NULL,
            key     TEXT    NOT NULL,
            value   TEXT    NOT NULL,
            PRIMARY KEY (chat_id, key)
        ) WITHOUT ROWID""",
        # No user id, name or phone column: the log cannot leak what it never holds.
        """CREATE TABLE query_log (
            id         INTEGER PRIMARY KEY,
            ts         TEXT    NOT NULL,
            chat_type  TEXT    NOT NULL,
            command    TEXT    NOT NULL,
            query      TEXT    NOT NULL,
            query_norm TEXT    NOT NULL,
            matched    INTEGER NOT NULL CHECK (matched IN (0, 1)),
            best_score REAL    NOT NULL,
            latency_ms REAL    NOT NULL
        )""",
        "CREATE INDEX query_log_ts ON query_log (ts)",
        "CREATE INDEX query_log_gaps ON query_log (matched, query_norm, command)",
    ),
]

SETTINGS: dict[str, tuple[str, ...]] = {"length": ("auto", "brief", "full")}
DEFAULTS: dict[str, str] = {"length": "auto"}


class StorageError(RuntimeError):
    """The database cannot be used as is (e.g. written by a newer briefbot)."""


@dataclass(frozen=True, slots=True)
class Gap:
    """An unmatched query as curators see it: grouped, counted, most recent sighting."""

    query: str
    command: str
    count: int
    last_seen: datetime
    best_score: float


def normalise_query(text: str) -> str:
    """Casefold and collapse whitespace, so "Elon  Musk" and "elon musk" count as one gap."""
    return " ".join(text.casefold().split())


def wants_full(settings: dict[str, str], chat_type: str) -> bool:
    """Resolve the length setting: "auto" is full only in private chats, to keep groups quiet."""
    length = settings.get("length", DEFAULTS["length"])
    if length == "auto":
        return chat_type == "private"
    return length == "full"


def _ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one (UTC)")
    return moment.astimezone(UTC).strftime(_TS_FORMAT)


def _parse_ts(text: str) -> datetime:
    return datetime.strptime(text, _TS_FORMAT).replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class Storage:
    """The bot's only persistent state. Open with `await Storage.open(...)` or `async with Storage.open(...)`."""

    def __init__(self, db: aiosqlite.Connection, path: Path, *, query_log: bool, retention_days: int) -> None:
        self._db = db
        self.path = path
        self.query_log = query_log
        self.retention_days = retention_days
        self._closed = False

    @classmethod
    def open(cls, path: Path | str, *, query_log: bool = True, retention_days: int = 30) -> _Opener:
        """Awaitable and async context manager, so both usual styles work."""
        return _Opener(cls._open(Path(path), query_log=query_log, retention_days=retention_days))

    @classmethod
    async def _open(cls, path: Path, *, query_log: bool, retention_days: int) -> Storage:
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 1:
            raise ValueError(f"retention_days must be a whole number of days >= 1, not {retention_days!r}")
        path = path.expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: every single statement is its own transaction; multi-step work says BEGIN itself.
        db = await aiosqlite.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        storage = cls(db, path, query_log=query_log, retention_days=retention_days)
        try:
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            async with db.execute("PRAGMA journal_mode = WAL") as cur:
                row = await cur.fetchone()
            if row is None or str(row[0]).lower() != "wal":
                raise StorageError(f"{path}: SQLite refused WAL mode (got {row!r}); put the DB on a local disk")
            await db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a lost last log row is acceptable
            await storage._migrate()
            await storage.prune()
        except BaseException:
            await db.close()
            raise
        return storage

    async def _user_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    def _refuse_newer(self, version: int) -> None:
        latest = len(MIGRATIONS)
        if version > latest:
            raise StorageError(
                f"{self.path} has schema version {version}, but this briefbot only knows up to {latest}: "
                "it was written by a newer briefbot. Upgrade briefbot, or point BRIEFBOT_DB at another file; "
                "refusing to touch it so no data is lost."
            )

    async def _migrate(self) -> None:
        """Apply pending steps; re-checks the version under the write lock so two processes cannot both apply."""
        applied = await self._user_version()
        self._refuse_newer(applied)
        for target, statements in enumerate(MIGRATIONS, start=1):
            if target <= applied:
                continue
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                current = await self._user_version()
                self._refuse_newer(current)
                if current < target:
                    for statement in statements:
                        await self._db.execute(statement)
                    await self._db.execute(f"PRAGMA user_version = {target}")
                await self._db.execute("COMMIT")
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- per-chat settings ---------------------------------------------------------------

    async def get_settings(self, chat_id: int) -> dict[str, str]:
        """Stored values over the defaults, so callers never handle a missing key."""
        settings = dict(DEFAULTS)
        async with self._db.execute("SELECT key, value FROM chat_settings WHERE chat_id = ?", (chat_id,)) as cur:
            async for key, value in cur:
                if key in SETTINGS and value in SETTINGS[key]:  # ignore leftovers of removed options
                    settings[key] = value
        return settings

    async def set_setting(self, chat_id: int, key: str, value: str) -> None:
        """Validate before storing; a value equal to the default deletes the row, so idle chats leave no trace."""
        key = key.strip().casefold()
        value = value.strip().casefold()
        if key not in SETTINGS:
            raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(SETTINGS))}")
        if value not in SETTINGS[key]:
            raise ValueError(f"{key} must be one of {', '.join(SETTINGS[key])}, not {value!r}")
        if value == DEFAULTS.get(key):
            await self._db.execute("DELETE FROM chat_settings WHERE chat_id = ? AND key = ?", (chat_id, key))
        else:
            await self._db.execute(
                "INSERT INTO chat_settings (chat_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (chat_id, key) DO UPDATE SET value = excluded.value",
                (chat_id, key, value),
            )

    # -- query log -------------------------------------------------------------------------

    async def log_query(
        self,
        *,
        chat_type: str,
        command: str,
        query: str,
        matched: bool,
        best_score: float,
        latency_ms: float,
        at: datetime | None = None,
    ) -> None:
        """Record one answered query (no one's identity); a no-op when the deployer turned the log off."""
        if not self.query_log:
            return
        query = query[:QUERY_MAX_CHARS]
        await self._db.execute(
            "INSERT INTO query_log (ts, chat_type, command, query, query_norm, matched, best_score, latency_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _ts(at or _now()),
                chat_type,
                command,
                query,
                normalise_query(query),
                int(bool(matched)),
                float(best_score),
                float(latency_ms),
            ),
        )

    async def prune(self, now: datetime | None = None) -> int:
        """Delete log rows past retention; returns how many, for the bot's log line."""
        cutoff = (now or _now()) - timedelta(days=self.retention_days)
        cur = await self._db.execute("DELETE FROM query_log WHERE ts < ?", (_ts(cutoff),))
        count = cur.rowcount
        await cur.close()
        return max(count, 0)

    async def gaps(self, limit: int = 20, since_days: int | None = None, *, now: datetime | None = None) -> list[Gap]:
        """Most frequent unmatched queries, so curators add what people actually look for.

        Empty queries (a bare command) are left out: they show a usage problem, not a gap in the index.
        """
        if limit < 1:
            raise ValueError(f"limit must be >= 1, not {limit}")
        where = "matched = 0 AND query_norm != ''"
        params: list[Any] = []
        if since_days is not None:
            if since_days < 0:
                raise ValueError(f"since_days must be >= 0, not {since_days}")
            where += " AND ts >= ?"
            params.append(_ts((now or _now()) - timedelta(days=since_days)))
        sql = (
            "SELECT query_norm, command, COUNT(*) AS n, MAX(ts) AS last, MAX(best_score) "
            f"FROM query_log WHERE {where} GROUP BY query_norm, command "
            "ORDER BY n DESC, last DESC, query_norm, command LIMIT ?"
        )
        params.append(limit)
        async with self._db.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [Gap(q, c, int(n), _parse_ts(last), float(score)) for q, c, n, last, score in rows]

    async def stats(self) -> dict[str, Any]:
        """Headline numbers for the admin command, over the retained log."""
        async with self._db.execute("SELECT COUNT(*), COALESCE(SUM(matched), 0), MIN(ts) FROM query_log") as cur:
            row = await cur.fetchone()
        assert row is not None
        total, matched, oldest = int(row[0]), int(row[1]), row[2]
        p50: float | None = None
        if total:
            # Median: the middle row, or the mean of the two middle rows.
            async with self._db.execute(
                "SELECT latency_ms FROM query_log ORDER BY latency_ms LIMIT ? OFFSET ?",
                (2 - total % 2, (total - 1) // 2),
            ) as cur:
                middle = [float(r[0]) for r in await cur.fetchall()]
            p50 = sum(middle) / len(middle)
        return {
            "total_queries": total,
            "matched_queries": matched,
            "matched_share": matched / total if total else None,
            "p50_latency_ms": p50,
            "oldest": _parse_ts(oldest) if oldest else None,
            "query_log": self.query_log,
            "retention_days": self.retention_days,
        }


class _Opener:
    """Lets `Storage.open(...)` be awaited or used directly in `async with`."""

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._storage: Storage | None = None

    def __await__(self) -> Generator[Any, None, Storage]:
        return self._coro.__await__()

    async def __aenter__(self) -> Storage:
        self._storage = await self._coro
        return self._storage

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._storage is not None:
            await self._storage.close()


__all__ = ["DEFAULTS", "MIGRATIONS", "SETTINGS", "Gap", "Storage", "StorageError", "normalise_query", "wants_full"]
