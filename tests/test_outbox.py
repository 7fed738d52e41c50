"""The outbox: an update answered a second time (after a crash or a failed send; on PostgreSQL, by the
replica that took over a dead one's lease) does not send again what its chat already has."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from bot.core import Engine
from bot.telegram_app import stop_app
from tests.conftest import StartBot
from tests.fake_bot_api import FakeBotAPI, settle

FILES = {"briefbot-timeline.json", "briefbot-claims.jsonld", "briefbot.csv"}


async def test_an_export_cut_off_halfway_is_completed_without_repeating_what_arrived(
        fake_api: FakeBotAPI, start_bot: StartBot, engine: Engine, tmp_path: Path) -> None:
    user = fake_api.user(8100, "Exporter")
    fake_api.delay_next("sendDocument", 0)  # the first file goes through ...
    fake_api.reset_next("sendDocument", times=2)  # ... the second never reaches Telegram, nor does its retry
    app = await start_bot(engine, send_retries=1)
    fake_api.push_message("/export", user=user)
    await settle(app, fake_api, timeout=20)
    assert len(fake_api.calls_of("sendMessage")) == 1 and len(fake_api.calls_of("sendDocument")) == 1
    await stop_app(app)  # the update stays unfinished: the next start answers it again

    app = await start_bot(engine)
    await fake_api.wait_for("sendDocument", count=3, timeout=20)
    await settle(app, fake_api, timeout=20)
    texts = fake_api.calls_of("sendMessage")
    files = Counter(c.result["document"]["file_name"] for c in fake_api.calls_of("sendDocument"))
    assert len(texts) == 1, [c.plain[:60] for c in texts]  # the summary is not sent a second time
    assert files == Counter(FILES), files  # each file once: the first not again, the others now
    con = sqlite3.connect(tmp_path / "briefbot.sqlite3")
    counted = dict(con.execute("SELECT name, value FROM counters").fetchall())
    outbox = con.execute("SELECT COUNT(*) FROM outbox").fetchone()
    con.close()
    # The second file's first try was 'sending' with no answer: it may have arrived, so it is counted.
    assert counted.get("resent_unconfirmed") == 1 and counted.get("send_failures") == 1
    assert outbox == (0,)  # finished: the record of the replies (personal data) is gone with the update
