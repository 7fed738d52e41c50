"""PostgreSQL storage: the same calls as bot.storage.Storage, for several replicas sharing one database.

Chosen by `BRIEFBOT_DB=postgresql://…`. Driver: psycopg 3 with psycopg_pool (not asyncpg), because
the shared rate limiter (pyrate-limiter's PostgresBucket, bot.limits) is built on psycopg's pool:
one driver, one way to configure TLS and passwords, one set of errors to describe. Its binary wheel
carries libpq, so nothing has to be installed on the host for the client side.

What is different from SQLite, and why:
- Migrations: the same numbered steps (a PostgreSQL spelling of each SQLite step, in
  `PG_MIGRATIONS`), applied inside one transaction under an advisory lock, so when several replicas
  start at once exactly one applies them and the others wait and then find nothing to do. A database
  at a higher version than this code knows is refused, as with SQLite.
- The inbox is shared. Whichever replica stores an update first (INSERT … ON CONFLICT DO NOTHING)
  owns it: it holds a lease (`claimed_by`, `claimed_until`, on the database's clock) that it renews
  while the update is queued or being answered. Telegram's re-delivery to another replica conflicts
  and is dropped. A replica that dies leaves its leases to run out; any other replica then claims the
  rows (SELECT … FOR UPDATE SKIP LOCKED, so two sweepers never take the same row) and answers them.
- A pool of connections, each checked before use, so after a database restart the broken ones are
  replaced; a statement that fails because the connection broke is retried for a few seconds. What
  still fails is reported to the caller: the webhook then answers 503 and Telegram sends the update
  again, so an update is confirmed to Telegram only once it is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
import zlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg_pool import AsyncConnectionPool

from bot.storage import (
    DEFAULTS,
    INBOX_KEEP_DAYS,
    OUTBOX_STATES,
    QUERY_MAX_CHARS,
    Gap,
    LogBatch,
    Sent,
    StorageError,
    _Opener,
    checked_setting,
    normalise_query,
    settings_over_defaults,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# Advisory lock keys: a fixed CRC of a name, the same in every process (hash() is salted per process).
MIGRATE_LOCK = zlib.crc32(b"briefbot:migrate") & 0x7FFFFFFF
POLL_LOCK = zlib.crc32(b"briefbot:poll") & 0x7FFFFFFF
RELOAD_CHANNEL = "briefbot_reload"  # LISTEN/NOTIFY: a corpus reload in one replica reaches the others
RECONNECT_SECONDS = 10.0  # how long one statement keeps retrying over a broken connection

# Step N here does what step N of bot.storage.MIGRATIONS does, spelled for PostgreSQL (a test checks
# both lists have the same length). Append new steps to both; never edit or reorder released ones.
PG_MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE chat_settings (
            chat_id BIGINT NOT NULL,
            key     TEXT   NOT NULL,
            value   TEXT   NOT NULL,
            PRIMARY KEY (chat_id, key)
        )""",
        # No user id, name or phone column: the log cannot leak what it never holds.
        """CREATE TABLE query_log (
            id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            ts         TIMESTAMPTZ      NOT NULL,
            chat_type  TEXT             NOT NULL,
            command    TEXT             NOT NULL,
            query      TEXT             NOT NULL,
            query_norm TEXT             NOT NULL,
            matched    BOOLEAN          NOT NULL,
            best_score DOUBLE PRECISION NOT NULL,
            latency_ms DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX query_log_ts ON query_log (ts)",
        "CREATE INDEX query_log_gaps ON query_log (matched, query_norm, command)",
    ),
    (
        # As in SQLite, plus the lease: which replica answers a pending update, and until when.
        """CREATE TABLE inbox (
            update_id     BIGINT      PRIMARY KEY,
            received_at   TIMESTAMPTZ NOT NULL,
            state         TEXT        NOT NULL CHECK (state IN ('pending', 'done', 'expired', 'poison')),
            attempts      INTEGER     NOT NULL DEFAULT 0,
            payload       TEXT,
            finished_at   TIMESTAMPTZ,
            claimed_by    TEXT,
            claimed_until TIMESTAMPTZ
        )""",
        "CREATE INDEX inbox_state ON inbox (state, received_at)",
        "CREATE INDEX inbox_pending ON inbox (claimed_until) WHERE state = 'pending'",
        """CREATE TABLE counters (
            name  TEXT   PRIMARY KEY,
            value BIGINT NOT NULL
        )""",
    ),
    (
        """CREATE TABLE outbox (
            update_id BIGINT  NOT NULL,
            seq       INTEGER NOT NULL,
            method    TEXT    NOT NULL,
            chat_id   TEXT    NOT NULL,
            state     TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'refused')),
            result    TEXT,
            PRIMARY KEY (update_id, seq)
        )""",
    ),
]


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.split(":", 1)[0].lower() in ("postgresql", "postgres")


def redact_dsn(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def describe_pg_fault(dsn: str, exc: BaseException) -> str:
    """One line for an operator: which server, what is wrong, what to do; no password, no traceback."""
    where = redact_dsn(dsn)
    if isinstance(exc, StorageError):
        return str(exc)
    text = " ".join(str(exc).split())
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return f"{where}: the server refused the user name or password: check BRIEFBOT_DB"
    if "does not exist" in lowered and "database" in lowered:
        return f"{where}: that database does not exist on the server: create it (createdb) or fix BRIEFBOT_DB"
    if isinstance(exc, psycopg.OperationalError | TimeoutError | OSError):
        return (f"cannot reach PostgreSQL at {where} ({text[:160] or type(exc).__name__}): is the server up "
                "and BRIEFBOT_DB right?")
    return f"cannot use {where}: {type(exc).__name__}: {text[:200]}"


def replica_name() -> str:
    """Who holds a lease: host, process and a random part (a restarted container reuses host and pid)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _now() -> datetime:
    return datetime.now(UTC)


class PostgresStorage:
    """Open with `await PostgresStorage.open(dsn)` or `async with PostgresStorage.open(dsn)`."""

    shared = True  # other processes use the same inbox: claim, lease and sweep (see bot.intake)
    in_memory = False

    def __init__(self, pool: AsyncConnectionPool, dsn: str, *, query_log: bool, retention_days: int,
                 claim_seconds: float) -> None:
        self._pool = pool
        self.dsn = dsn
        self.path = redact_dsn(dsn)  # what messages name, as SQLite names its file
        self.query_log = query_log
        self.retention_days = retention_days
        self.claim_seconds = claim_seconds
        self.replica = replica_name()
        self._closed = False
        self._poll_conn: psycopg.AsyncConnection[Any] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._log = LogBatch(self._write_log)

    @classmethod
    def open(cls, dsn: str, *, query_log: bool = True, retention_days: int = 30, claim_seconds: float = 30.0,
             pool_size: int = 10, connect_timeout: float = 10.0) -> _Opener[PostgresStorage]:
        return _Opener(cls._open(dsn, query_log=query_log, retention_days=retention_days,
                                 claim_seconds=claim_seconds, pool_size=pool_size, connect_timeout=connect_timeout))

    @classmethod
    async def _open(cls, dsn: str, *, query_log: bool, retention_days: int, claim_seconds: float, pool_size: int,
                    connect_timeout: float) -> PostgresStorage:
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 1:
            raise ValueError(f"retention_days must be a whole number of days >= 1, not {retention_days!r}")
        if not claim_seconds > 0:
            raise ValueError(f"claim_seconds must be > 0, not {claim_seconds!r}")
        # One direct attempt first: it fails fast and says why (refused, password, no such database),
        # where the pool would retry quietly until its timeout.
        first = await psycopg.AsyncConnection.connect(dsn, connect_timeout=max(1, int(connect_timeout)))
        await first.close()
        # The pool logs each failed reconnect over several lines; ours are one line (and throttled).
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        pool = AsyncConnectionPool(
            dsn, min_size=1, max_size=max(2, pool_size), open=False, name="briefbot",
            kwargs={"autocommit": True, "connect_timeout": max(1, int(connect_timeout)),
                    "application_name": "briefbot"},
            check=AsyncConnectionPool.check_connection,  # a connection broken by a server restart is replaced
            reconnect_timeout=3600.0,
        )
        try:
            await pool.open(wait=True, timeout=connect_timeout)
        except BaseException:
            await pool.close()
            raise
        storage = cls(pool, dsn, query_log=query_log, retention_days=retention_days, claim_seconds=claim_seconds)
        try:
            await storage._migrate()
            await storage.prune()
        except BaseException:
            await pool.close()
            raise
        return storage

    async def _run(self, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]) -> T:
        """Run `work` on a pooled connection; over a broken connection (server restart) try again, briefly."""
        if self._closed:
            raise StorageError("storage is closed")
        deadline = asyncio.get_running_loop().time() + RECONNECT_SECONDS
        delay = 0.1
        while True:
            try:
                async with self._pool.connection() as conn:
                    return await work(conn)
            except (psycopg.OperationalError, psycopg.errors.AdminShutdown) as exc:
                if asyncio.get_running_loop().time() + delay > deadline or self._closed:
                    raise
                log.warning("storage: lost the connection to PostgreSQL (%s); retrying in %.1f s",
                            type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(2.0, delay * 2)

    async def _fetch(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        async def work(conn: psycopg.AsyncConnection[Any]) -> list[tuple[Any, ...]]:
            cur = await conn.execute(sql, params)
            return await cur.fetchall() if cur.description else []

        return await self._run(work)

    async def _execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        async def work(conn: psycopg.AsyncConnection[Any]) -> int:
            cur = await conn.execute(sql, params)
            return cur.rowcount

        return await self._run(work)

    # -- schema ------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        rows = await self._fetch("SELECT to_regclass('briefbot_schema') IS NOT NULL")
        if not rows[0][0]:
            return 0
        rows = await self._fetch("SELECT version FROM briefbot_schema")
        return int(rows[0][0]) if rows else 0

    def _refuse_newer(self, version: int) -> None:
        latest = len(PG_MIGRATIONS)
        if version > latest:
            raise StorageError(
                f"{self.path} has schema version {version}, but this briefbot only knows up to {latest}: "
                "it was written by a newer briefbot. Upgrade briefbot (every replica), or point BRIEFBOT_DB at "
                "another database; refusing to touch it so no data is lost."
            )

    async def _migrate(self) -> None:
        """All pending steps in one transaction under an advisory lock: one replica applies, the others wait."""
        self._refuse_newer(await self.schema_version())
        migrations = PG_MIGRATIONS

        async def work(conn: psycopg.AsyncConnection[Any]) -> None:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
                await conn.execute("CREATE TABLE IF NOT EXISTS briefbot_schema (version INTEGER NOT NULL)")
                cur = await conn.execute("SELECT version FROM briefbot_schema")
                row = await cur.fetchone()
                if row is None:
                    await conn.execute("INSERT INTO briefbot_schema (version) VALUES (0)")
                applied = int(row[0]) if row else 0
                self._refuse_newer(applied)
                for target, statements in enumerate(migrations, start=1):
                    if target <= applied:
                        continue
                    for statement in statements:
                        await conn.execute(statement)  # type: ignore[arg-type]
                    await conn.execute("UPDATE briefbot_schema SET version = %s", (target,))
                    log.info("database schema upgraded to version %d", target)

        async with self._pool.connection() as conn:  # not retried: a half-seen failure must surface
            await work(conn)

    async def close(self) -> None:
        if not self._closed:
            try:
                await self._log.close()
            except Exception as exc:  # the database is gone: say what the log lost, close the rest anyway
                log.error("query log: %d row(s) not written at shutdown (%s)", len(self._log), type(exc).__name__)
            self._closed = True
            if self._listener is not None:
                self._listener.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._listener
            if self._poll_conn is not None:
                await self._poll_conn.close()
            await self._pool.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    # -- reloads reach every replica -----------------------------------------------------------

    async def announce_reload(self) -> None:
        """Tell the other replicas to reload the corpus (this one just did)."""
        await self._execute("SELECT pg_notify(%s, %s)", (RELOAD_CHANNEL, self.replica))

    def listen_reloads(self, reload: Callable[[], None]) -> None:
        """Call `reload` whenever another replica announces one; listens again after a database restart."""
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen(reload), name="briefbot:reloads")

    async def _listen(self, reload: Callable[[], None]) -> None:
        while not self._closed:
            try:
                conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True,
                                                             application_name="briefbot-reloads")
                async with conn:
                    await conn.execute(f"LISTEN {RELOAD_CHANNEL}")
                    async for note in conn.notifies():
                        if note.payload != self.replica:
                            log.info("another replica reloaded the corpus; reloading here too")
                            reload()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._closed:
                    return
                log.warning("storage: lost the reload channel (%s); listening again in 2 s", type(exc).__name__)
                await asyncio.sleep(2.0)

    # -- one poller at a time ------------------------------------------------------------------

    async def try_poll_lock(self) -> bool:
        """Take the session-level advisory lock that only one polling replica may hold (until it exits)."""
        if self._poll_conn is not None and not self._poll_conn.closed:
            return True
        conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True, application_name="briefbot-poller")
        cur = await conn.execute("SELECT pg_try_advisory_lock(%s)", (POLL_LOCK,))
        row = await cur.fetchone()
        if not (row and row[0]):
            await conn.close()
            return False
        self._poll_conn = conn
        return True

    # -- per-chat settings ---------------------------------------------------------------------

    async def get_settings(self, chat_id: int) -> dict[str, str]:
        return settings_over_defaults(
            await self._fetch("SELECT key, value FROM chat_settings WHERE chat_id = %s", (chat_id,)))

    async def set_setting(self, chat_id: int, key: str, value: str) -> None:
        key, value = checked_setting(key, value)
        if value == DEFAULTS.get(key):
            await self._execute("DELETE FROM chat_settings WHERE chat_id = %s AND key = %s", (chat_id, key))
        else:
            await self._execute(
                "INSERT INTO chat_settings (chat_id, key, value) VALUES (%s, %s, %s) "
                "ON CONFLICT (chat_id, key) DO UPDATE SET value = excluded.value", (chat_id, key, value))

    # -- query log -----------------------------------------------------------------------------

    async def log_query(self, *, chat_type: str, command: str, query: str, matched: bool, best_score: float,
                        latency_ms: float, at: datetime | None = None) -> None:
        if not self.query_log:
            return
        query = query[:QUERY_MAX_CHARS]
        moment = at or _now()
        if moment.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        await self._log.add((moment, chat_type, command, query, normalise_query(query), bool(matched),
                             float(best_score), float(latency_ms)))

    async def flush(self) -> None:
        """Write the query-log rows still held in memory (see bot.storage.LogBatch); readers of the log call it."""
        await self._log.flush()

    async def _write_log(self, rows: list[tuple[Any, ...]]) -> None:
        async def insert(conn: psycopg.AsyncConnection[Any]) -> None:
            async with conn.transaction(), conn.cursor() as cur:
                await cur.executemany(
                    "INSERT INTO query_log (ts, chat_type, command, query, query_norm, matched, best_score, "
                    "latency_ms) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
        await self._run(insert)

    async def prune(self, now: datetime | None = None) -> int:
        await self.flush()
        now = now or _now()
        count = await self._execute("DELETE FROM query_log WHERE ts < %s", (now - timedelta(days=self.retention_days),))
        await self._execute("DELETE FROM inbox WHERE state != 'pending' AND received_at < %s",
                            (now - timedelta(days=INBOX_KEEP_DAYS),))
        await self._execute("DELETE FROM outbox o WHERE NOT EXISTS "
                            "(SELECT 1 FROM inbox i WHERE i.update_id = o.update_id AND i.state = 'pending')")
        return max(count, 0)

    async def gaps(self, limit: int = 20, since_days: int | None = None, *, now: datetime | None = None) -> list[Gap]:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, not {limit}")
        await self.flush()
        where = "NOT matched AND query_norm != ''"
        params: list[Any] = []
        if since_days is not None:
            if since_days < 0:
                raise ValueError(f"since_days must be >= 0, not {since_days}")
            where += " AND ts >= %s"
            params.append((now or _now()) - timedelta(days=since_days))
        params.append(limit)
        rows = await self._fetch(
            "SELECT query_norm, command, COUNT(*) AS n, MAX(ts) AS last, MAX(best_score) "
            f"FROM query_log WHERE {where} GROUP BY query_norm, command "
            "ORDER BY n DESC, last DESC, query_norm COLLATE \"C\", command COLLATE \"C\" LIMIT %s", params)
        return [Gap(q, c, int(n), last.astimezone(UTC), float(score)) for q, c, n, last, score in rows]

    async def asked(self, limit: int = 5000, since_days: int | None = None, *,
                    now: datetime | None = None) -> list[tuple[str, str, int]]:
        """(query, command, count) of the answered queries, most frequent first: what users did ask for."""
        await self.flush()
        where = "matched AND query_norm != ''"
        params: list[Any] = []
        if since_days is not None:
            where += " AND ts >= %s"
            params.append((now or _now()) - timedelta(days=since_days))
        params.append(limit)
        rows = await self._fetch(
            f"SELECT query_norm, command, COUNT(*) AS n FROM query_log WHERE {where} GROUP BY query_norm, command "
            "ORDER BY n DESC, query_norm COLLATE \"C\", command COLLATE \"C\" LIMIT %s", params)
        return [(str(q), str(c), int(n)) for q, c, n in rows]

    async def query_log_rows(self, since_days: int = 30, *, now: datetime | None = None
                             ) -> list[tuple[datetime, str, bool, float]]:
        """(time, command, matched, latency in ms) of each logged answer of the last `since_days` days, oldest
        first: what `/stats` summarises (no query text, no one's identity)."""
        await self.flush()
        rows = await self._fetch("SELECT ts, command, matched, latency_ms FROM query_log WHERE ts >= %s ORDER BY ts",
                                 ((now or _now()) - timedelta(days=since_days),))
        return [(ts.astimezone(UTC), str(command), bool(matched), float(latency))
                for ts, command, matched, latency in rows]

    async def stats(self) -> dict[str, Any]:
        await self.flush()
        rows = await self._fetch(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE matched), MIN(ts), "
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FROM query_log")
        total, matched, oldest, p50 = rows[0]
        total, matched = int(total), int(matched)
        return {
            "total_queries": total,
            "matched_queries": matched,
            "matched_share": matched / total if total else None,
            "p50_latency_ms": float(p50) if p50 is not None else None,
            "oldest": oldest.astimezone(UTC) if oldest else None,
            "query_log": self.query_log,
            "retention_days": self.retention_days,
        }

    # -- the shared update inbox ---------------------------------------------------------------

    async def inbox_add(self, updates: Sequence[tuple[int, str | None]], *, at: datetime | None = None) -> list[int]:
        """Store a batch (durable when this returns); return the ids this replica stored first (it owns them)."""
        if not updates:
            return []
        batch = dict(updates)
        ids = list(batch)
        payloads = [batch[i] for i in ids]
        stamp = at or _now()
        rows = await self._fetch(
            "INSERT INTO inbox (update_id, received_at, state, payload, finished_at, claimed_by, claimed_until) "
            "SELECT u.id, %(at)s, CASE WHEN u.p IS NULL THEN 'poison' ELSE 'pending' END, u.p, "
            "       CASE WHEN u.p IS NULL THEN %(at)s END, %(me)s, now() + %(lease)s * interval '1 second' "
            "FROM unnest(%(ids)s::bigint[], %(payloads)s::text[]) AS u(id, p) "
            "ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            {"at": stamp, "me": self.replica, "lease": self.claim_seconds, "ids": ids, "payloads": payloads})
        fresh = {int(r[0]) for r in rows}
        return [i for i in ids if i in fresh]

    async def inbox_finish(self, update_id: int, state: str = "done") -> None:
        if state not in ("done", "expired", "poison"):
            raise ValueError(f"not a final state: {state!r}")
        await self._execute(
            "WITH gone AS (DELETE FROM outbox WHERE update_id = %(id)s) "
            "UPDATE inbox SET state = %(state)s, payload = NULL, finished_at = now(), claimed_by = NULL, "
            "claimed_until = NULL WHERE update_id = %(id)s", {"state": state, "id": update_id})

    async def inbox_retry_later(self, update_id: int) -> None:
        """Not delivered: count it and let the lease run out, so a sweep (here or elsewhere) tries again."""
        await self._execute(
            "UPDATE inbox SET attempts = attempts + 1, claimed_by = NULL, "
            "claimed_until = now() + %s * interval '1 second' WHERE update_id = %s AND state = 'pending'",
            (self.claim_seconds, update_id))

    async def inbox_renew(self, update_ids: Sequence[int]) -> None:
        """Extend this replica's leases on the updates it still has queued or in hand."""
        if update_ids:
            await self._execute(
                "UPDATE inbox SET claimed_until = now() + %s * interval '1 second' "
                "WHERE update_id = ANY(%s) AND state = 'pending' AND claimed_by = %s",
                (self.claim_seconds, list(update_ids), self.replica))

    async def inbox_claim_stale(self, limit: int = 100) -> list[tuple[int, str]]:
        """Pending updates whose lease ran out (their replica died or gave up): take them, oldest first."""
        rows = await self._fetch(
            "UPDATE inbox SET claimed_by = %(me)s, claimed_until = now() + %(lease)s * interval '1 second' "
            "WHERE update_id IN (SELECT update_id FROM inbox WHERE state = 'pending' AND claimed_until < now() "
            "                    ORDER BY update_id LIMIT %(limit)s FOR UPDATE SKIP LOCKED) "
            "RETURNING update_id, payload",
            {"me": self.replica, "lease": self.claim_seconds, "limit": limit})
        return sorted((int(i), str(p)) for i, p in rows)

    async def inbox_recover(self, max_age_seconds: float, *, now: datetime | None = None
                            ) -> tuple[list[tuple[int, str]], int]:
        """Expire what is too old to matter; take only updates nobody holds (live replicas keep theirs)."""
        cutoff = (now or _now()) - timedelta(seconds=max_age_seconds)
        expired = await self._execute(
            "UPDATE inbox SET state = 'expired', payload = NULL, finished_at = now(), claimed_by = NULL, "
            "claimed_until = NULL WHERE state = 'pending' AND received_at < %s", (cutoff,))
        expired = max(expired, 0)
        if expired:
            await self.count("expired", expired)
        rows: list[tuple[int, str]] = []
        while batch := await self.inbox_claim_stale(500):
            rows.extend(batch)
        return rows, expired

    async def outbox_mark(self, update_id: int, seq: int, method: str, chat_id: str, state: str,
                          result: str | None = None) -> None:
        """See bot.storage.Storage.outbox_mark (the same, for every replica to see)."""
        if state not in OUTBOX_STATES:
            raise ValueError(f"not an outbox state: {state!r}")
        await self._execute(
            "INSERT INTO outbox (update_id, seq, method, chat_id, state, result) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (update_id, seq) DO UPDATE SET method = excluded.method, chat_id = excluded.chat_id, "
            "state = excluded.state, result = excluded.result"
            # 'sending' is written beside the request and may land after 'sent': it never undoes it.
            + (" WHERE outbox.state != 'sent'" if state == "sending" else ""),
            (update_id, seq, method, chat_id, state, result))

    async def outbox_log(self, update_id: int) -> dict[int, Sent]:
        rows = await self._fetch("SELECT seq, method, chat_id, state, result FROM outbox WHERE update_id = %s",
                                 (update_id,))
        return {int(seq): Sent(str(m), str(c), str(st), r) for seq, m, c, st, r in rows}

    async def inbox_states(self) -> dict[str, int]:
        return {str(s): int(n) for s, n in await self._fetch("SELECT state, COUNT(*) FROM inbox GROUP BY state")}

    async def count(self, name: str, n: int = 1) -> None:
        await self._execute(
            "INSERT INTO counters (name, value) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value", (name, n))

    async def counters(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in await self._fetch("SELECT name, value FROM counters ORDER BY name")}


__all__ = ["PG_MIGRATIONS", "PostgresStorage", "describe_pg_fault", "is_postgres_url", "redact_dsn"]
