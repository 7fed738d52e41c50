"""Embedded storage: per-chat settings, an anonymous query log and the update inbox, in one SQLite file.

One file so a deployer backs up or deletes a single thing; WAL and a busy timeout so the bot
and `briefbot health` (a second process) can use it at once. The query log exists to show
curators what people ask for and do not find; it deliberately has no column for who asked.

The inbox is what makes "nothing lost" true: every update is written here before it is
confirmed to Telegram and marked done once it has been answered, so a crash (even kill -9)
leaves the unanswered ones to be answered at the next start. It holds an update's content only
while the update is unanswered; finished rows keep just the id (to drop Telegram's re-deliveries)
and are deleted after two days. `UpdateInbox` is the interface another backend implements.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

QUERY_MAX_CHARS = 512
LOG_ROWS_PER_INSERT = 100  # 800 parameters, under the oldest SQLite's limit of 999
BUSY_TIMEOUT_MS = 5000
_T = TypeVar("_T")
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
    (
        # One row per update Telegram sent. `payload` (the update as JSON, personal data) is kept
        # only while state = 'pending'; finished rows keep the id so a re-delivery is recognised.
        """CREATE TABLE inbox (
            update_id   INTEGER PRIMARY KEY,
            received_at TEXT    NOT NULL,
            state       TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'expired', 'poison')),
            attempts    INTEGER NOT NULL DEFAULT 0,
            payload     TEXT,
            finished_at TEXT
        )""",
        "CREATE INDEX inbox_state ON inbox (state, received_at)",
        # Operator-facing totals that outlive the rows they count (expired, poison, send failures, ...).
        """CREATE TABLE counters (
            name  TEXT    PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID""",
    ),
    (
        # The replies of an unfinished update, one row per message it sends (in order), marked 'sending'
        # as the call leaves and 'sent' (with the message's id, date and chat) after it: when the update
        # is answered again (after a crash, or by another replica), what was sent is not sent twice.
        # Deleted with the update's content when it is finished.
        """CREATE TABLE outbox (
            update_id INTEGER NOT NULL,
            seq       INTEGER NOT NULL,
            method    TEXT    NOT NULL,
            chat_id   TEXT    NOT NULL,
            state     TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'refused')),
            result    TEXT,
            PRIMARY KEY (update_id, seq)
        ) WITHOUT ROWID""",
    ),
]
INBOX_KEEP_DAYS = 2  # Telegram re-delivers an update for at most 24 hours

SETTINGS: dict[str, tuple[str, ...]] = {"length": ("auto", "brief", "full"), "language": ("auto", "en", "ru", "az")}
DEFAULTS: dict[str, str] = {"length": "auto"}  # language: "auto" when unset (bot.telegram_app)



def settings_over_defaults(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Stored (key, value) rows over the defaults; leftovers of removed options are ignored."""
    settings = dict(DEFAULTS)
    for key, value in rows:
        if key in SETTINGS and value in SETTINGS[key]:
            settings[key] = value
    return settings


def checked_setting(key: str, value: str) -> tuple[str, str]:
    """The setting as stored (folded), or ValueError naming what is allowed."""
    key = key.strip().casefold()
    value = value.strip().casefold()
    if key not in SETTINGS:
        raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(SETTINGS))}")
    if value not in SETTINGS[key]:
        raise ValueError(f"{key} must be one of {', '.join(SETTINGS[key])}, not {value!r}")
    return key, value


OUTBOX_STATES = ("sending", "sent", "refused")


@dataclass(frozen=True)
class Sent:
    """One message an unfinished update sent, or was sending, as the outbox recorded it."""

    method: str
    chat_id: str
    state: str  # 'sending': the call may or may not have reached Telegram; 'sent': it did; 'refused': 4xx
    result: str | None  # once 'sent': the message's id, date and chat (JSON), as Telegram answered


class StorageError(RuntimeError):
    """The database cannot be used as is (e.g. written by a newer briefbot)."""


class UpdateInbox(Protocol):
    """The durable inbox as the Telegram adapter uses it; a PostgreSQL backend implements the same calls."""

    async def inbox_add(self, updates: Sequence[tuple[int, str | None]]) -> list[int]:
        """Store updates (id, JSON; None = unreadable, stored as 'poison'); return the ids not seen before."""
        ...

    async def inbox_finish(self, update_id: int, state: str = "done") -> None: ...

    async def inbox_retry_later(self, update_id: int) -> None: ...

    async def inbox_recover(self, max_age_seconds: float) -> tuple[list[tuple[int, str]], int]:
        """Unfinished updates younger than the age, oldest first, and how many older ones were expired."""
        ...

    async def count(self, name: str, n: int = 1) -> None: ...

    async def counters(self) -> dict[str, int]: ...

    async def outbox_mark(self, update_id: int, seq: int, method: str, chat_id: str, state: str,
                          result: str | None = None) -> None:
        """Record the `seq`-th message of an update: 'sending' before the call, 'sent'/'refused' after."""
        ...

    async def outbox_log(self, update_id: int) -> dict[int, Sent]:
        """What an unfinished update sent (or was sending) so far, by position."""
        ...


def sqlite_path(target: str) -> Path:
    """`sqlite:///data/x.db` (relative) or `sqlite:////abs/x.db` (absolute), as SQLAlchemy spells them."""
    rest = target.removeprefix("sqlite://")
    if not rest.startswith("/"):
        raise ValueError(f"not a sqlite:/// URL: {target!r}")
    return Path(rest[1:] or "data/briefbot.sqlite3")


def describe_fault(path: Path | str, exc: BaseException) -> str:
    """One line for an operator: which file, what is wrong with it, what to do. Never a traceback."""
    if isinstance(exc, StorageError):
        return str(exc)
    if str(path).split(":", 1)[0].lower() in ("postgresql", "postgres"):
        from bot.pgstore import describe_pg_fault

        return describe_pg_fault(str(path), exc)
    path = Path(path)
    text = str(exc).lower()
    code = getattr(exc, "sqlite_errorname", "") or ""
    folder = path.parent if str(path.parent) else Path(".")
    if "not a database" in text or "malformed" in text or code in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
        return (f"{path} is not a readable SQLite database (corrupt, or another kind of file): move it aside "
                "and restart to get a new one (it holds only chat settings, the query log and unanswered updates)")
    if "disk is full" in text or code == "SQLITE_FULL" or getattr(exc, "errno", None) == errno.ENOSPC:
        return f"the disk holding {path} is full: free some space there, or point BRIEFBOT_DB at another disk"
    if "readonly" in text or "read-only" in text or "unable to open" in text or isinstance(exc, PermissionError):
        if path.exists() and not os.access(path, os.R_OK):
            return (f"{path} cannot be read by this user (uid {os.getuid()}): fix its permissions "
                    f"(e.g. chown {os.getuid()} {path}), or point BRIEFBOT_DB elsewhere")
        return (f"cannot write {path}: the folder {folder} (or the file) is read-only for this user "
                f"(uid {os.getuid()}): make it writable, or point BRIEFBOT_DB at a writable folder")
    return f"cannot use {path}: {type(exc).__name__}: {str(exc)[:200]}"


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


class LogBatch:
    """Query-log rows written together: at `rows` rows, or `seconds` after the first unwritten one, and
    on `flush` (every reader of the log flushes first, and closing the storage does, so nothing is lost
    on a clean shutdown and what /stats or /gaps shows includes the last answers). One INSERT per answer
    was a database round trip per update (8-16% of the bot's throughput).

    A failed write keeps its rows (at most `keep`) for the next one; the failure reaches the caller whose
    row filled the batch, or is logged (at most once a minute) when the timer wrote it.
    """

    def __init__(self, write: Callable[[list[tuple[Any, ...]]], Awaitable[None]], *, rows: int = 100,
                 seconds: float = 0.5, keep: int = 10_000) -> None:
        self._write = write
        self.rows, self.seconds, self.keep = rows, seconds, keep
        self._pending: list[tuple[Any, ...]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._timed: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._warned = float("-inf")
        self.closed = False

    def __len__(self) -> int:
        return len(self._pending)

    async def add(self, row: tuple[Any, ...]) -> None:
        if self.closed:
            raise StorageError("storage is closed")
        self._pending.append(row)
        if len(self._pending) >= self.rows:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.seconds, self._due)

    def _due(self) -> None:
        self._timer = None
        self._timed = asyncio.get_running_loop().create_task(self._flush_logged())

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception as exc:
            now = time.monotonic()
            if now - self._warned >= 60.0:
                self._warned = now
                log.warning("could not write %d query-log row(s) (%s); kept for the next try", len(self._pending),
                            type(exc).__name__)

    async def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            rows, self._pending = self._pending, []
            if not rows:
                return
            try:
                await self._write(rows)
            except BaseException:
                self._pending[:0] = rows[-self.keep:]
                del self._pending[self.keep:]
                raise

    async def close(self) -> None:
        """Write what is left (a failure propagates: the caller says the log lost rows)."""
        self.closed = True
        await self.flush()
        if self._timed is not None and not self._timed.done():
            await self._timed


Statement = tuple[str, tuple[Any, ...]]


def _commit_together(conn: sqlite3.Connection, groups: list[tuple[Statement, ...]]) -> list[BaseException | None]:
    """In aiosqlite's thread: every group in one transaction; if that fails, each group in its own, so one
    caller's fault (a full disk, a constraint) is that caller's alone. Returns each group's outcome."""
    def one_transaction(statements: Iterable[Statement]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                conn.execute(sql, params)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite ends it itself on some errors (a full disk)
                conn.execute("ROLLBACK")
            raise

    try:
        one_transaction(statement for group in groups for statement in group)
        return [None] * len(groups)
    except sqlite3.Error:
        if len(groups) == 1:
            raise
    outcomes: list[BaseException | None] = []
    for group in groups:
        try:
            one_transaction(group)
            outcomes.append(None)
        except sqlite3.Error as exc:
            outcomes.append(exc)
    return outcomes


class GroupCommit:
    """The small writes of concurrent handlers (outbox marks, inbox finishes, counters), committed together.

    Each caller still waits until its own write is committed, so what the caller does next happens after
    the write is durable, exactly as with one commit per statement: a kill -9 loses nothing more and sends
    nothing more twice. What changes is the cost: the writes waiting while one batch is committed go in the
    next one, in one transaction and one trip to aiosqlite's thread (a statement each was four round trips
    and four commits per answered update, a third of the bot's time spent waiting on the thread).

    A caller cancelled while waiting does not cancel its write (as a statement already handed to SQLite's
    thread is not cancelled either). Relies on aiosqlite's `Connection._execute` (what all its public
    methods use to run a function in its thread) to run a batch in one trip.
    """

    def __init__(self, db: aiosqlite.Connection, lock: asyncio.Lock) -> None:
        self._db = db
        self._lock = lock  # the storage's explicit-transaction lock: BEGIN ... COMMIT never interleave
        self._queue: list[tuple[tuple[Statement, ...], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, *statements: Statement) -> None:
        """Commit `statements` (atomically, in order) with whatever else is waiting; return once committed."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.append((statements, done))
        if self._writer is None:
            self._writer = loop.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        batch: list[tuple[tuple[Statement, ...], asyncio.Future[None]]] = []
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    async with self._lock:
                        outcomes = await self._db._execute(_commit_together, self._db._conn, [s for s, _ in batch])
                except Exception as exc:  # the connection is closed, or the one group failed
                    outcomes = [exc] * len(batch)
                for (_, done), outcome in zip(batch, outcomes, strict=True):
                    if done.done():
                        continue
                    if outcome is None:
                        done.set_result(None)
                    else:
                        done.set_exception(outcome)
                batch = []
        finally:
            self._writer = None
            for _, done in batch + self._queue:  # cancelled (the loop is going away): nobody waits forever
                if not done.done():
                    done.set_exception(StorageError("storage stopped before this write was committed"))
            self._queue = []

    async def close(self) -> None:
        """Wait for the writes already queued."""
        while self._writer is not None:
            await asyncio.shield(self._writer)


class SettingsReads:
    """The chat settings of concurrent updates read together: one query, one trip to aiosqlite's thread, for
    every chat asked about while the previous read ran (a burst of new chats was a trip each)."""

    CHUNK = 500  # chat ids per query, under SQLite's limit on parameters

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._waiting: dict[int, list[asyncio.Future[list[tuple[str, str]]]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def rows(self, chat_id: int) -> list[tuple[str, str]]:
        """The chat's stored (key, value) rows."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[tuple[str, str]]] = loop.create_future()
        self._waiting.setdefault(chat_id, []).append(done)
        if self._reader is None:
            self._reader = loop.create_task(self._read())
        return await done

    async def _read(self) -> None:
        batch: dict[int, list[asyncio.Future[list[tuple[str, str]]]]] = {}
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                ids = list(batch)
                found: dict[int, list[tuple[str, str]]] = {}
                try:
                    for start in range(0, len(ids), self.CHUNK):
                        chunk = ids[start:start + self.CHUNK]
                        for chat_id, key, value in await self._db.execute_fetchall(
                                f"SELECT chat_id, key, value FROM chat_settings WHERE chat_id IN "
                                f"({','.join('?' * len(chunk))})", chunk):
                            found.setdefault(int(chat_id), []).append((str(key), str(value)))
                except Exception as exc:
                    for waiting in batch.values():
                        for done in waiting:
                            if not done.done():
                                done.set_exception(exc)
                    batch = {}
                    continue
                for chat_id, waiting in batch.items():
                    for done in waiting:
                        if not done.done():
                            done.set_result(found.get(chat_id, []))
                batch = {}
        finally:
            self._reader = None
            for waiting in [*batch.values(), *self._waiting.values()]:
                for done in waiting:
                    if not done.done():
                        done.set_exception(StorageError("storage stopped before this read was answered"))
            self._waiting = {}


class Storage:
    """The bot's only persistent state. Open with `await Storage.open(...)` or `async with Storage.open(...)`."""

    def __init__(self, db: aiosqlite.Connection, path: Path, *, query_log: bool, retention_days: int) -> None:
        self._db = db
        self.path = path
        self.query_log = query_log
        self.retention_days = retention_days
        self._closed = False
        self._tx = asyncio.Lock()  # one explicit transaction at a time on this connection
        self.in_memory = str(path) == ":memory:"
        self._log = LogBatch(self._write_log)
        self._writes = GroupCommit(db, self._tx)
        self._settings = SettingsReads(db)

    @classmethod
    def open(cls, path: Path | str, *, query_log: bool = True, retention_days: int = 30, **shared: Any) -> Any:
        """Awaitable and async context manager, so both usual styles work.

        `path` is what BRIEFBOT_DB holds: a file path or `sqlite:///path` opens this SQLite storage; a
        `postgresql://` URL opens bot.pgstore.PostgresStorage (same calls; `shared` are its options,
        e.g. claim_seconds, pool_size), which several replicas can share.
        """
        target = str(path)
        if target.split(":", 1)[0].lower() in ("postgresql", "postgres"):
            from bot.pgstore import PostgresStorage

            return PostgresStorage.open(target, query_log=query_log, retention_days=retention_days, **shared)
        if target.startswith("sqlite://"):
            path = sqlite_path(target)
        return _Opener(cls._open(Path(path), query_log=query_log, retention_days=retention_days))

    @classmethod
    def open_in_memory(cls, *, query_log: bool = False, retention_days: int = 30) -> _Opener[Storage]:
        """The degraded mode's storage: the same interface, gone when the process ends."""
        return _Opener(cls._open(Path(":memory:"), query_log=query_log, retention_days=retention_days))

    @classmethod
    async def _open(cls, path: Path, *, query_log: bool, retention_days: int) -> Storage:
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 1:
            raise ValueError(f"retention_days must be a whole number of days >= 1, not {retention_days!r}")
        memory = str(path) == ":memory:"
        if not memory:
            path = path.expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: every single statement is its own transaction; multi-step work says BEGIN itself.
        connection = aiosqlite.connect(str(path) if memory else path, timeout=BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None)
        try:
            db = await connection
        except BaseException:
            # aiosqlite's worker thread still has to post its own shutdown to this event loop; if the loop
            # closes first (we exit right after this error) it dies with "RuntimeError: Event loop is closed".
            await asyncio.to_thread(connection._thread.join, 5.0)
            raise
        storage = cls(db, path, query_log=query_log, retention_days=retention_days)
        try:
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not memory:
                async with db.execute("PRAGMA journal_mode = WAL") as cur:
                    row = await cur.fetchone()
                if row is None or str(row[0]).lower() != "wal":
                    raise StorageError(f"{path}: SQLite refused WAL mode (got {row!r}); put the DB on a local disk")
            # Safe with WAL: a commit survives a killed process; only a power cut may lose the last ones.
            await db.execute("PRAGMA synchronous = NORMAL")
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

            async def step(target: int = target, statements: tuple[str, ...] = statements) -> None:
                current = await self._user_version()
                self._refuse_newer(current)
                if current < target:
                    for statement in statements:
                        await self._db.execute(statement)
                    await self._db.execute(f"PRAGMA user_version = {target}")

            await self._transaction(step)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                await self._log.close()
            except Exception as exc:  # a full disk, a removed file: say what the log lost, close anyway
                log.error("query log: %d row(s) not written at shutdown (%s: %s)", len(self._log),
                          type(exc).__name__, exc)
            finally:
                with contextlib.suppress(Exception):
                    await self._writes.close()
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
        return settings_over_defaults(await self._settings.rows(chat_id))

    async def set_setting(self, chat_id: int, key: str, value: str) -> None:
        """Validate before storing; a value equal to the default deletes the row, so idle chats leave no trace."""
        key, value = checked_setting(key, value)
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
        await self._log.add((
            _ts(at or _now()),
            chat_type,
            command,
            query,
            normalise_query(query),
            int(bool(matched)),
            float(best_score),
            float(latency_ms),
        ))

    async def flush(self) -> None:
        """Write the query-log rows still held in memory (see LogBatch); readers of the log call it."""
        await self._log.flush()

    async def _write_log(self, rows: list[tuple[Any, ...]]) -> None:
        """With the other small writes (GroupCommit): one trip to SQLite's thread instead of three under the
        transaction lock (BEGIN, the rows, COMMIT) while every update waiting to be marked done waited; and
        100 rows per INSERT statement rather than one statement run 100 times."""
        statements = []
        for start in range(0, len(rows), LOG_ROWS_PER_INSERT):
            chunk = rows[start:start + LOG_ROWS_PER_INSERT]
            statements.append((
                "INSERT INTO query_log (ts, chat_type, command, query, query_norm, matched, best_score, latency_ms) "
                "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
                tuple(value for row in chunk for value in row)))
        await self._writes.write(*statements)

    async def _transaction(self, work: Callable[[], Awaitable[_T]]) -> _T:
        """Run `work` between BEGIN IMMEDIATE and COMMIT, one transaction at a time on this connection.

        Shielded from cancellation: aiosqlite runs each statement in its own thread, so a cancelled await
        does not stop the statement. A stop arriving while COMMIT was queued used to roll back a transaction
        that had just committed ("cannot rollback - no transaction is active"), swallowing the cancellation
        and holding the shutdown until its time-out. Now the transaction always ends (commit or rollback)
        and the caller still sees its cancellation."""
        async def run() -> _T:
            async with self._tx:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    result = await work()
                    await self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:  # SQLite ends it itself on some errors (a full disk)
                        await self._db.execute("ROLLBACK")
                    raise
                return result

        return await asyncio.shield(run())

    async def prune(self, now: datetime | None = None) -> int:
        """Delete log rows past retention; returns how many, for the bot's log line."""
        await self.flush()
        cutoff = (now or _now()) - timedelta(days=self.retention_days)
        cur = await self._db.execute("DELETE FROM query_log WHERE ts < ?", (_ts(cutoff),))
        count = cur.rowcount
        await cur.close()
        inbox_cutoff = _ts((now or _now()) - timedelta(days=INBOX_KEEP_DAYS))
        await self._db.execute("DELETE FROM inbox WHERE state != 'pending' AND received_at < ?", (inbox_cutoff,))
        await self._db.execute("DELETE FROM outbox WHERE update_id NOT IN "
                               "(SELECT update_id FROM inbox WHERE state = 'pending')")
        return max(count, 0)

    # -- the update inbox --------------------------------------------------------------------

    async def inbox_add(self, updates: Sequence[tuple[int, str | None]], *, at: datetime | None = None) -> list[int]:
        """Store a batch in one transaction (durable when this returns); return the ids that are new.

        A payload of None marks an update nobody can read (it is recorded as 'poison', without content).
        """
        if not updates:
            return []
        ids = [update_id for update_id, _ in updates]
        stamp = _ts(at or _now())

        async def insert() -> list[int]:
            marks = ",".join("?" * len(ids))
            async with self._db.execute(f"SELECT update_id FROM inbox WHERE update_id IN ({marks})", ids) as cur:
                seen = {int(row[0]) for row in await cur.fetchall()}
            fresh = [(i, p) for i, p in dict(updates).items() if i not in seen]
            await self._db.executemany(
                "INSERT INTO inbox (update_id, received_at, state, payload, finished_at) VALUES (?, ?, ?, ?, ?)",
                [(i, stamp, "pending" if p is not None else "poison", p, None if p is not None else stamp)
                 for i, p in fresh],
            )
            return [i for i, _ in fresh]

        return await self._transaction(insert)

    async def inbox_finish(self, update_id: int, state: str = "done") -> None:
        """Answered (or given up on): forget the content, keep the id for de-duplication."""
        if state not in ("done", "expired", "poison"):
            raise ValueError(f"not a final state: {state!r}")
        await self._writes.write(
            ("UPDATE inbox SET state = ?, payload = NULL, finished_at = ? WHERE update_id = ?",
             (state, _ts(_now()), update_id)),
            ("DELETE FROM outbox WHERE update_id = ?", (update_id,)))

    async def inbox_retry_later(self, update_id: int) -> None:
        """The reply could not be delivered: the update stays unfinished, for the next start."""
        await self._writes.write(("UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", (update_id,)))

    async def inbox_recover(self, max_age_seconds: float, *, now: datetime | None = None
                            ) -> tuple[list[tuple[int, str]], int]:
        """Unfinished updates from an earlier run, oldest first; older than the age: expired (and counted)."""
        cutoff = _ts((now or _now()) - timedelta(seconds=max_age_seconds))
        async with self._tx:
            cur = await self._db.execute(
                "UPDATE inbox SET state = 'expired', payload = NULL, finished_at = ? "
                "WHERE state = 'pending' AND received_at < ?", (_ts(now or _now()), cutoff))
            expired = max(cur.rowcount, 0)
            await cur.close()
        if expired:
            await self.count("expired", expired)
        async with self._db.execute(
                "SELECT update_id, payload FROM inbox WHERE state = 'pending' ORDER BY update_id") as cur:
            rows = [(int(i), str(p)) for i, p in await cur.fetchall()]
        return rows, expired

    async def outbox_mark(self, update_id: int, seq: int, method: str, chat_id: str, state: str,
                          result: str | None = None) -> None:
        """One message of an unfinished update: 'sending' as the Bot API call leaves, 'sent' (with its receipt)
        or 'refused' (Telegram said no: nothing was sent) after it."""
        if state not in OUTBOX_STATES:
            raise ValueError(f"not an outbox state: {state!r}")
        await self._writes.write((
            "INSERT INTO outbox (update_id, seq, method, chat_id, state, result) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (update_id, seq) DO UPDATE SET method = excluded.method, chat_id = excluded.chat_id, "
            "state = excluded.state, result = excluded.result"
            # 'sending' is written beside the request and may land after 'sent': it never undoes it.
            + (" WHERE outbox.state != 'sent'" if state == "sending" else ""),
            (update_id, seq, method, chat_id, state, result)))

    async def outbox_log(self, update_id: int) -> dict[int, Sent]:
        async with self._db.execute("SELECT seq, method, chat_id, state, result FROM outbox WHERE update_id = ?",
                                    (update_id,)) as cur:
            return {int(seq): Sent(str(m), str(c), str(st), r) for seq, m, c, st, r in await cur.fetchall()}

    async def inbox_states(self) -> dict[str, int]:
        async with self._db.execute("SELECT state, COUNT(*) FROM inbox GROUP BY state") as cur:
            return {str(state): int(n) for state, n in await cur.fetchall()}

    async def count(self, name: str, n: int = 1) -> None:
        await self._writes.write((
            "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + ?",
            (name, n, n)))

    async def counters(self) -> dict[str, int]:
        async with self._db.execute("SELECT name, value FROM counters ORDER BY name") as cur:
            return {str(name): int(value) for name, value in await cur.fetchall()}

    async def gaps(self, limit: int = 20, since_days: int | None = None, *, now: datetime | None = None) -> list[Gap]:
        """Most frequent unmatched queries, so curators add what people actually look for.

        Empty queries (a bare command) are left out: they show a usage problem, not a gap in the index.
        """
        await self.flush()
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

    async def asked(self, limit: int = 5000, since_days: int | None = None, *,
                    now: datetime | None = None) -> list[tuple[str, str, int]]:
        """(query, command, count) of the answered queries, most frequent first: what users did ask for."""
        await self.flush()
        where = "matched = 1 AND query_norm != ''"
        params: list[Any] = []
        if since_days is not None:
            where += " AND ts >= ?"
            params.append(_ts((now or _now()) - timedelta(days=since_days)))
        sql = (f"SELECT query_norm, command, COUNT(*) AS n FROM query_log WHERE {where} "
               "GROUP BY query_norm, command ORDER BY n DESC, query_norm, command LIMIT ?")
        params.append(limit)
        async with self._db.execute(sql, params) as cur:
            return [(str(q), str(c), int(n)) for q, c, n in await cur.fetchall()]

    async def query_log_rows(self, since_days: int = 30, *, now: datetime | None = None
                             ) -> list[tuple[datetime, str, bool, float]]:
        """(time, command, matched, latency in ms) of each logged answer of the last `since_days` days, oldest
        first: what `/stats` summarises (no query text, no one's identity)."""
        await self.flush()
        cutoff = _ts((now or _now()) - timedelta(days=since_days))
        async with self._db.execute("SELECT ts, command, matched, latency_ms FROM query_log WHERE ts >= ? "
                                    "ORDER BY ts", (cutoff,)) as cur:
            rows = await cur.fetchall()
        return [(_parse_ts(ts), str(command), bool(matched), float(latency)) for ts, command, matched, latency in rows]

    async def stats(self) -> dict[str, Any]:
        """Headline numbers for the admin command, over the retained log."""
        await self.flush()
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


class _Closable(Protocol):
    async def close(self) -> None: ...


_S = TypeVar("_S", bound=_Closable)


class _Opener(Generic[_S]):
    """Lets `Storage.open(...)` (or `PostgresStorage.open(...)`) be awaited or used in `async with`."""

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._storage: _S | None = None

    def __await__(self) -> Generator[Any, None, _S]:
        return self._coro.__await__()

    async def __aenter__(self) -> _S:
        self._storage = await self._coro
        return self._storage

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._storage is not None:
            await self._storage.close()


__all__ = ["DEFAULTS", "MIGRATIONS", "SETTINGS", "Gap", "LogBatch", "Storage", "StorageError", "UpdateInbox",
           "describe_fault", "normalise_query", "sqlite_path", "wants_full"]
