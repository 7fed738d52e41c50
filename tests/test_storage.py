"""Storage on real engines: what a deployer (upgrades keep data, a newer DB is never touched), a chat
(settings stick) and a curator (gaps are grouped and ranked) rely on. Every test that is not about
SQLite's file itself runs twice: on a SQLite file and on a fresh PostgreSQL database (`db_path` is
then a postgresql:// URL; the same `Storage.open` call opens either)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import pgstore
from bot import storage as storage_mod
from bot.storage import MIGRATIONS, Gap, Storage, StorageError, normalise_query, wants_full

NOW = datetime.now(UTC)
Target = Path | str  # a SQLite file, or a PostgreSQL URL


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "briefbot.sqlite3"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_path(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    if request.param == "sqlite":
        return tmp_path / "data" / "briefbot.sqlite3"
    return request.getfixturevalue("pg_dsn")


def is_pg(target: Target) -> bool:
    return isinstance(target, str)


def raw(path: Target, sql: str, params: tuple = ()) -> list[tuple]:
    """Read with the engine's plain client (sqlite3, psycopg), as an operator inspecting it would."""
    if is_pg(path):
        import psycopg

        with psycopg.connect(str(path), autocommit=True) as con:
            cur = con.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def version(path: Target) -> int:
    sql = "SELECT version FROM briefbot_schema" if is_pg(path) else "PRAGMA user_version"
    return int(raw(path, sql)[0][0])


def set_version(path: Target, n: int) -> None:
    raw(path, f"UPDATE briefbot_schema SET version = {n}" if is_pg(path) else f"PRAGMA user_version = {n}")


async def log(s: Storage, query: str, *, command: str = "actor", matched: bool = False, **kw) -> None:
    args = {"chat_type": "group", "best_score": 0.0, "latency_ms": 5.0} | kw
    await s.log_query(command=command, query=query, matched=matched, **args)


# -- schema and migrations -----------------------------------------------------------------


async def test_fresh_file_is_created_with_parent_dirs_and_current_schema(sqlite_path: Path) -> None:
    assert not sqlite_path.parent.exists()
    async with Storage.open(sqlite_path) as s:
        await s.set_setting(1, "length", "brief")
    assert sqlite_path.is_file()
    assert raw(sqlite_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]


def test_both_engines_have_the_same_migration_steps() -> None:
    # Step N of one is step N of the other, so a version number means the same schema on both.
    assert len(pgstore.PG_MIGRATIONS) == len(MIGRATIONS)


async def test_sqlite_url_opens_the_same_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    async with Storage.open("sqlite:///data/x.sqlite3") as s:
        await s.set_setting(1, "length", "brief")
    async with Storage.open(tmp_path / "data" / "x.sqlite3") as s:
        assert await s.get_settings(1) == {"length": "brief"}
    async with Storage.open(f"sqlite:///{tmp_path}/data/x.sqlite3") as s:
        assert await s.get_settings(1) == {"length": "brief"}


async def test_reopening_is_idempotent_and_keeps_data(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        await s.set_setting(7, "length", "full")
        await log(s, "aliev")
    # Migration 1 uses plain CREATE TABLE: re-applying it would raise here.
    for _ in range(2):
        async with Storage.open(db_path) as s:
            assert await s.get_settings(7) == {"length": "full"}
            assert [g.query for g in await s.gaps()] == ["aliev"]
    assert version(db_path) == len(MIGRATIONS)


def _migrations(target: Target) -> tuple[object, str]:
    return (pgstore, "PG_MIGRATIONS") if is_pg(target) else (storage_mod, "MIGRATIONS")


async def test_upgrade_applies_only_pending_steps_and_keeps_data(db_path: Target, monkeypatch) -> None:
    async with Storage.open(db_path) as s:
        await log(s, "aliev")
    module, name = _migrations(db_path)
    newer = [*getattr(module, name), ("CREATE TABLE curator_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL)",)]
    monkeypatch.setattr(module, name, newer)
    async with Storage.open(db_path) as s:
        assert [g.query for g in await s.gaps()] == ["aliev"]
    assert version(db_path) == len(newer)
    assert raw(db_path, "SELECT COUNT(*) FROM curator_notes") == [(0,)]


async def test_failed_migration_leaves_the_db_at_the_previous_version(db_path: Target, monkeypatch) -> None:
    async with Storage.open(db_path):
        pass
    module, name = _migrations(db_path)
    broken = [*getattr(module, name), ("CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL")]
    monkeypatch.setattr(module, name, broken)
    import psycopg

    with pytest.raises((sqlite3.OperationalError, psycopg.errors.SyntaxError)):
        await Storage.open(db_path)
    assert version(db_path) == len(MIGRATIONS)
    tables = ("SELECT table_name FROM information_schema.tables WHERE table_name = 'half_done'" if is_pg(db_path)
              else "SELECT name FROM sqlite_master WHERE name = 'half_done'")
    assert raw(db_path, tables) == []


async def test_db_from_a_newer_version_is_refused_and_left_untouched(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        await log(s, "aliev", at=NOW - timedelta(days=400))  # would be pruned if open got that far
    future = len(MIGRATIONS) + 5
    set_version(db_path, future)
    with pytest.raises(StorageError, match=rf"schema version {future}.*newer briefbot"):
        await Storage.open(db_path)
    assert version(db_path) == future
    assert raw(db_path, "SELECT COUNT(*) FROM query_log") == [(1,)]


async def test_wal_mode_is_on(sqlite_path: Path) -> None:
    async with Storage.open(sqlite_path):
        assert raw(sqlite_path, "PRAGMA journal_mode") == [("wal",)]


@pytest.mark.parametrize("days", [0, -1, 1.5, True])
async def test_nonsense_retention_is_rejected(db_path: Target, days) -> None:
    with pytest.raises(ValueError, match="retention_days"):
        await Storage.open(db_path, retention_days=days)


async def test_await_style_and_use_after_close_fails_loudly(db_path: Target) -> None:
    s = await Storage.open(db_path)
    await log(s, "aliev")
    await s.close()
    await s.close()  # closing twice is harmless (shutdown paths overlap)
    with pytest.raises((ValueError, StorageError)):
        await log(s, "after close")
    assert raw(db_path, "SELECT query FROM query_log") == [("aliev",)]


# -- settings ----------------------------------------------------------------------------------


async def test_settings_default_round_trip_and_are_per_chat(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        assert await s.get_settings(-100123) == {"length": "auto"}
        await s.set_setting(-100123, "length", "brief")
        await s.set_setting(42, "length", " Full ")
        assert await s.get_settings(-100123) == {"length": "brief"}
        assert await s.get_settings(42) == {"length": "full"}
        assert await s.get_settings(43) == {"length": "auto"}
        await s.set_setting(-100123, "length", "full")  # overwrite, not a second row
        assert await s.get_settings(-100123) == {"length": "full"}
    async with Storage.open(db_path) as s:
        assert await s.get_settings(-100123) == {"length": "full"}


async def test_back_to_default_leaves_no_row_for_that_chat(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        await s.set_setting(42, "length", "brief")
        await s.set_setting(42, "length", "auto")
        assert await s.get_settings(42) == {"length": "auto"}
    assert raw(db_path, "SELECT COUNT(*) FROM chat_settings") == [(0,)]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("colour", "blue", "unknown setting 'colour'"), ("length", "medium", "length must be one of auto, brief, full")],
)
async def test_invalid_settings_are_rejected_and_nothing_changes(db_path: Target, key, value, message) -> None:
    async with Storage.open(db_path) as s:
        await s.set_setting(5, "length", "brief")
        with pytest.raises(ValueError, match=message):
            await s.set_setting(5, key, value)
        assert await s.get_settings(5) == {"length": "brief"}


@pytest.mark.parametrize(
    ("length", "chat_type", "full"),
    [
        ("auto", "private", True),
        ("auto", "group", False),
        ("auto", "supergroup", False),
        ("brief", "private", False),
        ("full", "group", True),
    ],
)
def test_length_setting_resolves_per_chat_type(length: str, chat_type: str, full: bool) -> None:
    assert wants_full({"length": length}, chat_type) is full


# -- query log ----------------------------------------------------------------------------------


async def test_query_log_has_no_column_that_could_identify_a_person(db_path: Target) -> None:
    async with Storage.open(db_path):
        pass
    columns = ({row[0] for row in raw(db_path, "SELECT column_name FROM information_schema.columns "
                                               "WHERE table_name = 'query_log'")} if is_pg(db_path)
               else {row[1] for row in raw(db_path, "PRAGMA table_info(query_log)")})
    # Adding a column here needs a privacy review, not just a test update.
    assert columns == {"id", "ts", "chat_type", "command", "query", "query_norm", "matched", "best_score", "latency_ms"}


async def test_query_log_records_what_was_asked(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        await s.log_query(
            chat_type="private", command="actor", query="Aliev", matched=True, best_score=0.93, latency_ms=12.5
        )
        await s.log_query(
            chat_type="group", command="topic", query="x" * 2000, matched=False, best_score=0.1, latency_ms=3.0
        )
    columns = "ts, chat_type, command, query, matched, best_score, latency_ms"
    rows = raw(db_path, f"SELECT {columns} FROM query_log ORDER BY id")
    (ts1, *first), (_, *second) = rows
    assert first == ["private", "actor", "Aliev", 1, 0.93, 12.5]
    assert second[:2] == ["group", "topic"] and second[2] == "x" * 512 and second[3:] == [0, 0.1, 3.0]
    logged = ts1 if is_pg(db_path) else datetime.strptime(ts1, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(logged - datetime.now(UTC)) < timedelta(minutes=1)  # UTC, not local time


async def test_every_query_is_logged_across_batches_and_a_clean_shutdown(db_path: Target) -> None:
    # Written in batches (LogBatch): 250 rows are two full batches and half of one left in memory at close.
    async with Storage.open(db_path) as s:
        for i in range(250):
            await log(s, f"query {i}", matched=i % 2 == 0)
    rows = raw(db_path, "SELECT query FROM query_log ORDER BY id")
    assert [q for (q,) in rows] == [f"query {i}" for i in range(250)]  # all of them, in the order asked
    async with Storage.open(db_path) as s:
        assert (await s.stats())["total_queries"] == 250


async def test_logged_queries_reach_the_database_within_a_second_and_readers_see_them_at_once(
        db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        await log(s, "gafarova", matched=True)
        await log(s, "qqqzz")
        # /stats and /gaps of the same bot include the answers just given
        assert (await s.stats())["total_queries"] == 2
        assert [g.query for g in await s.gaps()] == ["qqqzz"]
        await log(s, "karabakh")
        await asyncio.sleep(1.0)  # no flush, no close: an operator's sqlite3/psql sees it anyway
        assert raw(db_path, "SELECT COUNT(*) FROM query_log") == [(3,)]


async def test_a_failed_batch_keeps_its_rows_for_the_next_write() -> None:
    written: list[tuple] = []
    failures = [RuntimeError("database is locked")]

    async def write(rows: list[tuple]) -> None:
        if failures:
            raise failures.pop()
        written.extend(rows)

    batch = storage_mod.LogBatch(write, rows=3, seconds=60.0)
    await batch.add(("a",))
    await batch.add(("b",))
    with pytest.raises(RuntimeError):
        await batch.add(("c",))  # the batch is full and its write fails: the caller hears of it
    await batch.add(("d",))
    await batch.close()
    assert written == [("a",), ("b",), ("c",), ("d",)]
    with pytest.raises(StorageError):
        await batch.add(("e",))  # closed: loudly, not silently dropped


async def test_query_log_off_stores_nothing(db_path: Target) -> None:
    async with Storage.open(db_path, query_log=False) as s:
        for q in ("aliev", "aliev", "putin"):
            await log(s, q)
        assert await s.gaps() == []
        assert (await s.stats())["total_queries"] == 0
    assert raw(db_path, "SELECT COUNT(*) FROM query_log") == [(0,)]


async def test_prune_drops_only_rows_past_retention(db_path: Target) -> None:
    async with Storage.open(db_path, retention_days=30) as s:
        for age in (40, 31, 29, 0):
            await log(s, f"q{age}", at=NOW - timedelta(days=age))
        assert await s.prune(now=NOW) == 2
        assert await s.prune(now=NOW) == 0
        assert sorted(g.query for g in await s.gaps()) == ["q0", "q29"]


async def test_open_prunes_with_the_configured_retention(db_path: Target) -> None:
    async with Storage.open(db_path, retention_days=30) as s:
        for age in (10, 0):
            await log(s, f"q{age}", at=datetime.now(UTC) - timedelta(days=age))
    async with Storage.open(db_path, retention_days=7) as s:
        assert [g.query for g in await s.gaps()] == ["q0"]


# -- gaps and stats -------------------------------------------------------------------------------


async def test_gaps_group_spelling_variants_and_rank_by_frequency(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        for i, q in enumerate(["Elon Musk", "elon  musk", "ELON\tMUSK ", " Elon Musk"]):
            await log(s, q, best_score=0.2 + i / 10, at=NOW - timedelta(hours=10 - i))
        for q in ["aliev", "Aliev"]:
            await log(s, q, best_score=0.4, at=NOW - timedelta(hours=1))
        baku = timezone(timedelta(hours=4))
        await log(s, "aliev", command="topic", best_score=0.3, at=NOW.astimezone(baku))  # its own gap; stored as UTC
        for _ in range(9):
            await log(s, "putin", matched=True, best_score=0.99)  # answered: not a gap
        await log(s, "   ", command="actor")  # a bare command is not a gap in the index
        gaps = await s.gaps()
    assert gaps == [
        Gap("elon musk", "actor", 4, NOW - timedelta(hours=7), 0.5),
        Gap("aliev", "actor", 2, NOW - timedelta(hours=1), 0.4),
        Gap("aliev", "topic", 1, NOW, 0.3),
    ]


async def test_gaps_honour_limit_and_window(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        for _ in range(3):
            await log(s, "old", at=NOW - timedelta(days=20))
        for _ in range(2):
            await log(s, "recent", at=NOW - timedelta(days=2))
        await log(s, "new", at=NOW)
        assert [g.query for g in await s.gaps(limit=2)] == ["old", "recent"]
        assert [g.query for g in await s.gaps(since_days=7, now=NOW)] == ["recent", "new"]
        assert [(g.query, g.count) for g in await s.gaps(since_days=1, now=NOW)] == [("new", 1)]
        with pytest.raises(ValueError):
            await s.gaps(limit=0)


async def test_gaps_group_unicode_case_variants(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        for q in ["Straße", "STRASSE", "strasse"]:
            await log(s, q)
        assert [(g.query, g.count) for g in await s.gaps()] == [("strasse", 3)]


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Zs", "Cc"]), min_size=1), min_size=1))
def test_normalising_ignores_how_words_are_spaced(words: list[str]) -> None:
    assert normalise_query(" ".join(words)) == normalise_query("\t  ".join(words) + " \n")
    assert normalise_query(normalise_query(" ".join(words))) == normalise_query(" ".join(words))


async def test_stats_report_volume_matched_share_and_median_latency(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        empty = await s.stats()
        assert (empty["total_queries"], empty["matched_share"], empty["p50_latency_ms"]) == (0, None, None)
        for latency, matched in [(40.0, True), (10.0, True), (30.0, False), (20.0, True)]:
            await log(s, "q", matched=matched, latency_ms=latency)
        stats = await s.stats()
        assert stats["total_queries"] == 4
        assert stats["matched_share"] == pytest.approx(0.75)
        assert stats["p50_latency_ms"] == pytest.approx(25.0)
        await log(s, "q", matched=False, latency_ms=1000.0)
        assert (await s.stats())["p50_latency_ms"] == pytest.approx(30.0)


# -- concurrency ----------------------------------------------------------------------------------


async def test_200_concurrent_writers_lose_nothing(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        await asyncio.gather(*(log(s, f"query {i}") for i in range(200)))
        assert (await s.stats())["total_queries"] == 200
        assert len(await s.gaps(limit=1000)) == 200
    assert raw(db_path, "SELECT COUNT(DISTINCT query) FROM query_log") == [(200,)]


async def test_two_processes_sharing_the_file_lose_nothing(db_path: Target) -> None:
    # The bot and `briefbot health` hold separate connections; the busy timeout makes them wait, not fail.
    async def open_and_close() -> None:
        async with Storage.open(db_path):  # a third process migrating and pruning meanwhile
            pass

    async with Storage.open(db_path) as a, Storage.open(db_path) as b:
        await asyncio.gather(
            *(log(a, f"a{i}") for i in range(100)),
            *(log(b, f"b{i}") for i in range(100)),
            *(b.set_setting(i, "length", "brief") for i in range(50)),
            open_and_close(),
        )
    assert raw(db_path, "SELECT COUNT(*) FROM query_log") == [(200,)]
    assert raw(db_path, "SELECT COUNT(*) FROM chat_settings") == [(50,)]


async def test_a_writer_holding_the_lock_briefly_makes_others_wait_not_fail(sqlite_path: Path) -> None:
    # E.g. a backup or `sqlite3` shell mid-transaction: the bot's write must queue behind it, not be lost.
    db_path = sqlite_path
    async with Storage.open(db_path) as s:
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO chat_settings VALUES (1, 'length', 'full')")
        asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
        await log(s, "aliev")
        await s.flush()  # the query log is written in batches: here is the write that has to wait
        other.close()
        assert (await s.stats())["total_queries"] == 1
        assert await s.get_settings(1) == {"length": "full"}


def test_postgresql_storage_offers_every_call_sqlite_storage_does() -> None:
    # A call added to one engine only would work in tests on SQLite and fail in a replica.
    public = {n for n in dir(Storage) if not n.startswith("_")} - {"open_in_memory"}
    assert public <= {n for n in dir(pgstore.PostgresStorage) if not n.startswith("_")}


async def test_asked_counts_answered_queries_and_the_log_rows_keep_no_text(db_path: Target) -> None:
    async with Storage.open(db_path) as s:
        for q in ("Aliev", "aliev", "putin"):
            await log(s, q, matched=True, at=NOW - timedelta(days=1))
        await log(s, "old", matched=True, at=NOW - timedelta(days=20))
        await log(s, "missing", matched=False, latency_ms=7.0, at=NOW)
        assert await s.asked() == [("aliev", "actor", 2), ("old", "actor", 1), ("putin", "actor", 1)]
        assert await s.asked(since_days=7, now=NOW) == [("aliev", "actor", 2), ("putin", "actor", 1)]
        rows = await s.query_log_rows(7, now=NOW)
    assert [(command, matched) for _, command, matched, _ in rows] == [("actor", True)] * 3 + [("actor", False)]
    assert rows[-1][3] == 7.0 and all(t.tzinfo is not None for t, *_ in rows)


async def test_the_outbox_keeps_each_reply_of_an_unfinished_update_until_it_is_finished(db_path: Target) -> None:
    async with Storage.open(db_path) as storage:
        await storage.inbox_add([(5, '{"n": 5}'), (6, '{"n": 6}')])
        await storage.outbox_mark(5, 0, "sendMessage", "42", "sending")
        await storage.outbox_mark(5, 0, "sendMessage", "42", "sent", '{"message_id": 9}')
        await storage.outbox_mark(5, 0, "sendMessage", "42", "sending")  # late (written beside the call): ignored
        await storage.outbox_mark(5, 1, "sendDocument", "42", "sending")
        await storage.outbox_mark(6, 0, "sendMessage", "43", "refused")
        log = await storage.outbox_log(5)
        assert [(seq, s.method, s.state, s.result) for seq, s in sorted(log.items())] == [
            (0, "sendMessage", "sent", '{"message_id": 9}'), (1, "sendDocument", "sending", None)]
        await storage.inbox_finish(5)
        assert await storage.outbox_log(5) == {}
        assert (await storage.outbox_log(6))[0].state == "refused"  # another update's record is untouched


async def test_forty_updates_at_once_each_read_their_own_chat_and_keep_their_own_records(db_path: Target) -> None:
    """A burst handled concurrently (on SQLite its writes are committed together and its chats' settings read
    in one query): every chat gets its own settings, every reply receipt lands on its own update, finished
    updates lose theirs, unfinished ones keep them, and no counter step is lost."""
    ids = list(range(100, 140))
    async with Storage.open(db_path) as storage:
        await storage.inbox_add([(i, f'{{"n": {i}}}') for i in ids])
        for i in ids[::3]:
            await storage.set_setting(i, "length", "brief")
        for i in ids[1::3]:
            await storage.set_setting(i, "language", "ru")

        async def handle(i: int) -> tuple[dict[str, str], dict[int, object]]:
            settings = await storage.get_settings(i)
            await asyncio.gather(storage.outbox_mark(i, 0, "sendMessage", str(i), "sending"),
                                 storage.outbox_mark(i, 0, "sendMessage", str(i), "sent", f'{{"message_id": {i}}}'))
            receipts = await storage.outbox_log(i)
            if i % 2:
                await storage.inbox_finish(i)
            await storage.count("answered")
            return settings, receipts  # type: ignore[return-value]

        handled = await asyncio.gather(*(handle(i) for i in ids))
        for i, (settings, receipts) in zip(ids, handled, strict=True):
            want = {"length": "brief"} if i in ids[::3] else {"length": "auto"}
            if i in ids[1::3]:
                want["language"] = "ru"
            assert settings == want, i
            assert {seq: (r.chat_id, r.state, r.result) for seq, r in receipts.items()} == {  # type: ignore[attr-defined]
                0: (str(i), "sent", f'{{"message_id": {i}}}')}
        assert (await storage.counters())["answered"] == len(ids)
    states = dict(raw(db_path, "SELECT update_id, state FROM inbox"))
    assert {i: states[i] for i in ids} == {i: "done" if i % 2 else "pending" for i in ids}
    kept = raw(db_path, "SELECT update_id, state, result FROM outbox ORDER BY update_id")
    assert kept == [(i, "sent", f'{{"message_id": {i}}}') for i in ids if not i % 2]


async def test_a_stop_arriving_at_any_point_of_an_inbox_write_is_a_stop_and_leaves_the_store_usable(
        db_path: Target) -> None:
    """SIGTERM cancels the poller wherever it is; the write either happened whole or not at all, the
    poller sees its cancellation (not a storage fault that hides it and stalls the shutdown), and the
    next write works."""
    async with Storage.open(db_path) as storage:
        outcomes: set[str] = set()
        for steps in range(40):
            update_id = 1000 + steps
            task = asyncio.create_task(storage.inbox_add([(update_id, '{"n": 1}')]))
            for _ in range(steps):
                await asyncio.sleep(0)
            task.cancel()
            try:
                await task
                outcomes.add("finished")
            except asyncio.CancelledError:
                outcomes.add("cancelled")
            # whatever happened, the store takes the next write and the update is stored once at most
            assert await storage.inbox_add([(update_id, '{"n": 1}')]) in ([], [update_id])
            assert await storage.inbox_add([(update_id, '{"n": 1}')]) == []
        assert "cancelled" in outcomes
        states = await storage.inbox_states()
        assert states.get("pending") == 40
