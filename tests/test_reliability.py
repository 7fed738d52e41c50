"""Faults a user or operator would notice, survived: the real Application against the fake Bot API
with faults injected (resets, stalls, a revoked token, unreadable updates, hostile webhook bodies,
a full disk), and real SQLite. Each test fails on the bot before the durable inbox (issue #8)."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Config, ConfigError
from bot.core import Engine
from bot.hygiene import clean
from bot.storage import Storage
from bot.telegram_app import briefbot_of
from tests.conftest import ADMIN_ID, ROOT, StartBot
from tests.fake_bot_api import TOKEN, FakeBotAPI, settle

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
SORRY = "Sorry, something went wrong; please try again."
FLOOD = "Too many requests here; I'll answer again in a few seconds."


def inbox(db: Path) -> dict[int, str]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT update_id, state FROM inbox").fetchall())
    finally:
        con.close()


def counters(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT name, value FROM counters").fetchall())
    finally:
        con.close()


def replied_chats(api: FakeBotAPI) -> list[int]:
    return [c.params["chat_id"] for c in api.calls_of("sendMessage")]


# -- the inbox: stored before confirmed, done after answered, re-answered after a restart ------------


async def test_every_update_is_recorded_in_the_inbox_and_marked_done_once_answered(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, tmp_path: Path) -> None:
    app = await start_bot(engine)
    pushed = [fake_api.push_message("/help", user=fake_api.user(9000 + i, f"U{i}")) for i in range(5)]
    await settle(app, fake_api)
    stored = inbox(tmp_path / "briefbot.sqlite3")
    assert {u["update_id"]: "done" for u in pushed}.items() <= stored.items()
    # (That they are stored *before* being confirmed is what tests/test_process.py's kill -9 test shows.)


async def test_unfinished_updates_are_answered_after_a_restart_and_old_ones_expire(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, tmp_path: Path) -> None:
    db = tmp_path / "briefbot.sqlite3"
    young = {"update_id": 77, "message": fake_api.message("/actor aliev", user=fake_api.user(7701, "Young"))}
    old = {"update_id": 76, "message": fake_api.message("/actor aliev", user=fake_api.user(7601, "Old"))}
    async with Storage.open(db) as storage:  # what a crashed run leaves behind
        await storage.inbox_add([(76, json.dumps(old))], at=datetime.now(UTC) - timedelta(minutes=30))
        await storage.inbox_add([(77, json.dumps(young))], at=datetime.now(UTC) - timedelta(minutes=2))
    app = await start_bot(engine)
    (reply,) = await fake_api.wait_for("sendMessage")
    await settle(app, fake_api)
    assert reply.params["chat_id"] == 7701 and "Ilham Aliyev" in reply.plain
    assert replied_chats(fake_api) == [7701]  # the 30-minute-old question is not answered out of the blue
    assert inbox(db) == {76: "expired", 77: "done"}
    assert counters(db)["expired"] == 1


async def test_a_redelivered_update_is_answered_once(fake_api: FakeBotAPI, start_bot: StartBot,
                                                     engine: Engine) -> None:
    app = await start_bot(engine)
    update = fake_api.push_message("/help")
    await fake_api.wait_for("sendMessage")
    fake_api.push(dict(update))  # Telegram sends it again (its confirmation was lost)
    await settle(app, fake_api)
    assert len(fake_api.calls_of("sendMessage")) == 1


async def test_the_inbox_keeps_no_personal_data_once_answered(fake_api: FakeBotAPI, start_bot: StartBot,
                                                              engine: Engine, tmp_path: Path) -> None:
    app = await start_bot(engine)
    await fake_api.wait_for("getUpdates")
    update = fake_api.push_message("/actor aliev", user=fake_api.user(5150, "Zelda", username="zelda_private"))
    await settle(app, fake_api)
    assert inbox(tmp_path / "briefbot.sqlite3") == {update["update_id"]: "done"}  # the id, for de-duplication
    dump = "\n".join(sqlite3.connect(tmp_path / "briefbot.sqlite3").iterdump())
    assert "zelda_private" not in dump and "Zelda" not in dump


# -- sends: retried on resets, failures counted and left unfinished -----------------------------------


async def test_connection_resets_during_send_lose_no_reply(fake_api: FakeBotAPI, start_bot: StartBot,
                                                           engine: Engine) -> None:
    app = await start_bot(engine, flood_burst=20)
    fake_api.reset_next("sendMessage", times=10)
    users = [fake_api.user(6100 + i, f"R{i}") for i in range(10)]
    for user in users:
        fake_api.push_message("/help", user=user)
    await fake_api.wait_for("sendMessage", count=10, timeout=20)
    await settle(app, fake_api)
    assert sorted(set(replied_chats(fake_api))) == [u["id"] for u in users]
    assert len(fake_api.calls_of("sendMessage", ok=None, where=lambda c: c.status == 0)) == 10  # all 10 reset


async def test_a_reply_not_delivered_after_the_last_retry_is_logged_counted_and_kept(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    app = await start_bot(engine, send_retries=2)
    fake_api.reset_next("sendMessage", times=3)
    update = fake_api.push_message("/help")
    await asyncio.sleep(0.2)
    await settle(app, fake_api, timeout=10)
    assert fake_api.calls_of("sendMessage") == []
    assert f"update {update['update_id']}: reply not delivered" in caplog.text
    briefbot = briefbot_of(app)
    assert (await briefbot.storage.counters())["send_failures"] == 1  # type: ignore[union-attr]
    assert inbox(tmp_path / "briefbot.sqlite3")[update["update_id"]] == "pending"  # answered at the next start
    fake_api.push_message("/help", user=fake_api.user(6200, "Next"))  # and the bot goes on
    await fake_api.wait_for("sendMessage")


# -- unreadable updates --------------------------------------------------------------------------------


async def test_a_poison_update_is_skipped_once_and_later_updates_are_answered(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    app = await start_bot(engine)
    await fake_api.wait_for("getUpdates")
    poison = fake_api.push_poison("no-date")
    fake_api.push_message("/help", user=fake_api.user(7300, "After"))
    (reply,) = await fake_api.wait_for("sendMessage", where=lambda c: c.params["chat_id"] == 7300)
    assert "How to ask" in reply.plain
    polls = len(fake_api.calls_of("getUpdates"))
    await asyncio.sleep(1.0)
    await settle(app, fake_api)
    assert len(fake_api.calls_of("getUpdates")) - polls <= 3  # long polls, not a hot loop
    mentions = [r for r in caplog.records if str(poison["update_id"]) in r.getMessage()]
    assert len(mentions) == 1 and mentions[0].levelno == logging.WARNING
    assert "Traceback" not in caplog.text and not any(r.levelno >= logging.CRITICAL for r in caplog.records)
    assert inbox(tmp_path / "briefbot.sqlite3")[poison["update_id"]] == "poison"


# -- storage that fails while running ------------------------------------------------------------------


async def test_a_full_disk_while_running_costs_no_answer_and_logs_once_a_minute(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    app = await start_bot(engine, flood_burst=20)
    storage = briefbot_of(app).storage
    db = storage._db  # type: ignore[union-attr]
    async with db.execute("PRAGMA page_count") as cur:
        (pages,) = await cur.fetchone()  # type: ignore[misc]
    await db.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: SQLite says "disk full"
    fillers = ("INSERT INTO counters (name, value) VALUES (?, 0)",
               "INSERT INTO inbox (update_id, received_at, state, payload) VALUES (-length(?), '', 'done', NULL)",
               "INSERT INTO query_log (ts, chat_type, command, query, query_norm, matched, best_score, latency_ms) "
               "VALUES ('', '', '', ?, '', 0, 0, 0)")
    for n, filler in enumerate(fillers):  # use up the free space left in each table's last page
        with pytest.raises(sqlite3.OperationalError, match="full"):
            for i in range(10_000):
                await db.execute(filler, (f"filler {i:06d} " + "x" * (200 if n != 1 else i),))
    for i in range(6):
        fake_api.push_message(f"/actor qqqzz{i}xx", user=fake_api.user(8100 + i, f"F{i}"))
    await fake_api.wait_for("sendMessage", count=6)
    await settle(app, fake_api)
    warnings = [r for r in caplog.records if r.name == "bot.intake" or "storage" in r.getMessage()]
    storage_lines = [r for r in warnings if "storage:" in r.getMessage()]
    assert len(storage_lines) == 1, [r.getMessage() for r in warnings]
    assert "full" in storage_lines[0].getMessage()


# -- logs ------------------------------------------------------------------------------------------------


async def test_debug_logs_hold_no_secret_no_update_contents_and_no_stack(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    class Exploding:
        bot_username = ""

        def answer(self, message: str, *, full: bool = False) -> object:
            if "boom" in message:
                raise RuntimeError("exploded on " + message)
            return engine.answer(message, full=full)

        def inline(self, query: str, limit: int = 20) -> list[object]:
            return engine.inline(query, limit)

    port = _free_port()
    app = await start_bot(Exploding(), webhook_port=port, secret="hook_SECRET_value_42")
    user = fake_api.user(9191, "Konstantin", username="konstantin_k", last_name="Privatov")
    await fake_api.wait_for("setWebhook")
    update = fake_api.push_message("/actor secretive words", user=user)
    await fake_api.wait_for("sendMessage")
    fake_api.push_message("/claim boom", user=user)
    (sorry,) = await fake_api.wait_for("sendMessage", since=fake_api.mark() - 1, where=lambda c: c.plain == SORRY)
    await settle(app, fake_api)
    text = caplog.text
    assert "hook_SECRET_value_42" not in text and TOKEN.partition(":")[2] not in text
    for private in ("Konstantin", "konstantin_k", "Privatov", "secretive words", "9191"):
        assert private not in text, private
    assert f"update {update['update_id']}: private /actor" in text  # what is logged instead
    assert "Traceback" not in text and 'File "' not in text and str(ROOT) not in text
    assert "update" in text and "RuntimeError" in text and "bot/" not in sorry.plain


def test_private_logging_is_an_explicit_choice() -> None:
    assert Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}).log_private is False
    assert Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_LOG_PRIVATE": "1"}).log_private is True


# -- hostile input --------------------------------------------------------------------------------------


async def test_lone_surrogates_and_control_characters_are_neither_fatal_nor_echoed(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    await start_bot(engine, flood_burst=20)
    for text in ("/timeline \udff4orridor", "/actor qq\x00zz\x07\x1b[31mred", "/actor \u202eqqzzxx\u2066"):
        mark = fake_api.mark()
        fake_api.push_message(text)
        (reply,) = await fake_api.wait_for("sendMessage", since=mark)
        assert reply.plain != SORRY, text
        for bad in ("\udff4", "\x00", "\x07", "\x1b", "\u202e", "\u2066"):
            assert bad not in reply.params["text"], (text, reply.plain)


async def test_webhook_refuses_non_json_and_oversized_bodies_with_4xx_and_goes_on(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    port = _free_port()
    await start_bot(engine, webhook_port=port, webhook_max_bytes=64 * 1024)
    await fake_api.wait_for("setWebhook")
    assert await fake_api.post_raw(b"this is not json") == 400  # 4xx: Telegram stops retrying it
    assert await fake_api.post_raw(b"[1, 2]") == 400
    assert await fake_api.post_raw(b'{"update_id": 5, "message": {"x": "' + b"y" * 5_000_000 + b'"}}') == 413
    from tests.test_telegram_e2e import ask

    _, reply = await ask(fake_api, "/actor aliev")
    assert "Ilham Aliyev" in reply.plain and fake_api.deliveries[-1][1] == 200


async def test_an_ampersand_in_a_query_is_shown_once_escaped(fake_api: FakeBotAPI, start_bot: StartBot,
                                                             engine: Engine) -> None:
    await start_bot(engine)
    from tests.test_telegram_e2e import ask

    _, reply = await ask(fake_api, "/timeline PACE & 1850")
    assert "&amp;" not in reply.plain


# -- flood control ----------------------------------------------------------------------------------------


async def test_paging_a_timeline_tap_after_tap_is_never_called_a_flood(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine) -> None:
    app = await start_bot(engine)
    from tests.test_telegram_e2e import ask

    _, shown = await ask(fake_api, "/timeline")
    for _ in range(8):  # as fast as the bot answers: faster than anyone reads
        pager = [b for b in shown.buttons if b.get("callback_data", "").startswith("/timeline")]
        turn = next((b for b in pager if b["text"].startswith("Later")), pager[0])
        mark = fake_api.mark()
        fake_api.push_callback_query(turn["callback_data"], shown.result)
        (shown,) = await fake_api.wait_for("editMessageText", since=mark)
        await fake_api.wait_for("answerCallbackQuery", since=mark)
    await settle(app, fake_api)
    notices = fake_api.calls_of("answerCallbackQuery", where=lambda c: c.params.get("text") == FLOOD)
    assert notices == [] and len(fake_api.calls_of("editMessageText")) == 8
    # New messages keep the tight budget: a burst of commands still gets its one notice.
    for _ in range(7):
        fake_api.push_message("/help")
    await settle(app, fake_api)
    assert [c.plain for c in fake_api.calls_of("sendMessage")].count(FLOOD) == 1


def test_flood_budgets_come_from_the_environment() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_FLOOD_BURST": "8", "BRIEFBOT_FLOOD_REFILL_SECONDS": "2",
           "BRIEFBOT_FLOOD_EDIT_BURST": "30", "BRIEFBOT_FLOOD_EDIT_REFILL_SECONDS": "0.25"}
    config = Config.from_env(env)
    assert (config.flood_burst, config.flood_refill_seconds, config.flood_edit_burst,
            config.flood_edit_refill_seconds) == (8, 2.0, 30, 0.25)
    with pytest.raises(ConfigError, match="BRIEFBOT_FLOOD_EDIT_BURST"):
        Config.from_env(env | {"BRIEFBOT_FLOOD_EDIT_BURST": "lots"})


# -- reloads -----------------------------------------------------------------------------------------------


async def test_admin_reload_swaps_in_a_changed_corpus_and_refuses_a_broken_one(
        fake_api: FakeBotAPI, start_bot: StartBot, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    briefs, seeds = _copy_mini(tmp_path)
    await start_bot(Engine.load(briefs, seeds), briefs_dir=briefs, seeds_dir=seeds)
    from tests.test_telegram_e2e import ask

    admin, someone = fake_api.user(ADMIN_ID, "Admin"), fake_api.user(1234, "Someone")
    _, before = await ask(fake_api, "/actor roe", user=someone)
    assert "Speaker of the Assembly" in before.plain
    alpha = briefs / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("role: Speaker of the Assembly", "role: Chair of the Assembly"))
    _, refused = await ask(fake_api, "/reload", user=someone)
    assert "administrators" in refused.plain
    _, done = await ask(fake_api, "/reload", user=admin)
    assert done.plain.startswith("Corpus reloaded")
    _, after = await ask(fake_api, "/actor roe", user=someone)
    assert "Chair of the Assembly" in after.plain

    alpha.write_text(alpha.read_text().replace("id: roe\n", "id: Bad Id\n"))
    _, broken = await ask(fake_api, "/reload", user=admin)
    assert broken.plain.startswith("Reload refused") and "alpha.yaml" not in broken.plain  # no paths in chats
    assert any("alpha.yaml:" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    _, still = await ask(fake_api, "/actor roe", user=someone)
    assert "Chair of the Assembly" in still.plain  # the last good corpus keeps answering


# -- health ----------------------------------------------------------------------------------------------------


async def test_health_fails_once_the_bot_has_had_no_round_trip_for_too_long(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, tmp_path: Path) -> None:
    db = tmp_path / "briefbot.sqlite3"
    await start_bot(engine)
    await fake_api.wait_for("getUpdates")
    env = {"BRIEFBOT_DB": str(db), "PATH": "/usr/bin:/bin"}
    healthy = await _health(env, "--bot", "--max-silence", "3")
    assert healthy.returncode == 0, healthy.stderr
    fake_api.delay_next("getUpdates", 30, times=5)  # Telegram stops answering
    await asyncio.sleep(6.0)
    stale = await _health(env, "--bot", "--max-silence", "3")
    assert stale.returncode == 1 and "no successful Bot API round trip" in stale.stderr
    assert len(stale.stderr.strip().splitlines()) == 1


async def _health(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot", "health", *args],
                                   capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def _copy_mini(tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", tmp_path / "corpus")
    return tmp_path / "corpus" / "briefs", tmp_path / "corpus" / "seeds"


def _free_port() -> int:
    from tests.test_telegram_e2e import free_port

    return free_port()


# -- the pieces behind the above ---------------------------------------------------------------------------


@given(st.text())
def test_clean_text_is_encodable_safe_and_stable(text: str) -> None:
    cleaned = clean(text)
    cleaned.encode("utf-8")  # no lone surrogate left
    assert not any(ch in cleaned for ch in "\x00\x07\x1b\r\u202e\u2066\u200f")
    assert clean(cleaned) == cleaned
    assert clean("Алиев 👨‍👩‍👧 Əliyev\tx\ny") == "Алиев 👨‍👩‍👧 Əliyev\tx\ny"  # what people type is kept


async def test_inbox_keeps_order_drops_duplicates_and_forgets_content_when_done(tmp_path: Path) -> None:
    db = tmp_path / "inbox.sqlite3"
    async with Storage.open(db) as storage:
        assert await storage.inbox_add([(3, '{"n": 3}'), (1, '{"n": 1}'), (2, None)]) == [3, 1, 2]
        assert await storage.inbox_add([(1, '{"n": 1}'), (4, '{"n": 4}')]) == [4]  # 1 is a re-delivery
        await storage.inbox_finish(3)
        rows, expired = await storage.inbox_recover(600)
        assert rows == [(1, '{"n": 1}'), (4, '{"n": 4}')] and expired == 0  # oldest first; poison (2) skipped
    con = sqlite3.connect(db)
    assert con.execute("SELECT payload FROM inbox WHERE update_id IN (2, 3)").fetchall() == [(None,), (None,)]
    con.close()


async def test_a_token_revoked_in_webhook_mode_is_noticed_without_traffic(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    app = await start_bot(engine, webhook_port=_free_port(), health_max_silence=15.0)  # getMe every 5 s
    await fake_api.wait_for("setWebhook")
    fake_api.revoke_token()
    from bot.telegram_app import intake_of

    assert await asyncio.wait_for(intake_of(app).fatal, 10) == 2  # `run` exits 2 on this
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "rejected the bot token" in errors[0].getMessage()
