"""Readers' and operators' tools through the real python-telegram-bot stack against the fake Bot API:
the timeline picture (button and /picture), /export, /stats and error notices to the admins."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.core import Engine
from bot.telegram_app import briefbot_of
from tests.conftest import ADMIN_ID, StartBot
from tests.fake_bot_api import FakeBotAPI, settle
from tests.test_telegram_e2e import SORRY, ask

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


def picture_button(reply: Any) -> dict[str, Any] | None:
    return next((b for b in reply.buttons if b.get("callback_data", "").startswith("/picture")), None)


async def test_a_private_timeline_offers_a_picture_of_the_same_events(fake_api: FakeBotAPI, start_bot: StartBot,
                                                                      engine: Engine) -> None:
    app = await start_bot(engine)
    _, timeline = await ask(fake_api, "/timeline Karabakh")
    button = picture_button(timeline)
    assert button is not None and button["text"].endswith("Picture")
    mark = fake_api.mark()
    fake_api.push_callback_query(button["callback_data"], timeline.result)
    (photo,) = await fake_api.wait_for("sendPhoto", since=mark, timeout=20)
    await fake_api.wait_for("answerCallbackQuery", since=mark)
    chat_id = timeline.result["chat"]["id"]
    kind, _, png = fake_api.files[(chat_id, photo.result["message_id"])]
    image = Image.open(io.BytesIO(png))
    assert (kind, image.format) == ("photo", "PNG")
    assert image.width >= 900 and image.height <= 10_000 - image.width  # Telegram's photo limits
    reply = engine.answer("/timeline Karabakh", full=True)
    assert f"{len(reply.events)} events" in photo.params["caption"]  # every event of the timeline, all pages
    assert engine.provenance is not None and engine.provenance.version in photo.params["caption"]
    # Tapped again (or asked with /picture in other words), the cached picture goes out unchanged.
    mark = fake_api.mark()
    fake_api.push_message("/picture  karabakh")
    (second,) = await fake_api.wait_for("sendPhoto", since=mark, timeout=20)
    assert fake_api.files[(chat_id, second.result["message_id"])][2] == png
    assert len(briefbot_of(app).readers._pictures) == 1


async def test_groups_get_the_picture_on_request_threaded_under_it(fake_api: FakeBotAPI, start_bot: StartBot,
                                                                   engine: Engine) -> None:
    await start_bot(engine)
    group = fake_api.group_chat()
    _, timeline = await ask(fake_api, "/timeline PACE", chat=group)
    assert picture_button(timeline) is None  # no extra button in a group's brief reply
    mark = fake_api.mark()
    asked = fake_api.push_message("/picture PACE", chat=group)["message"]
    (photo,) = await fake_api.wait_for("sendPhoto", since=mark, timeout=20)
    assert photo.params["reply_parameters"]["message_id"] == asked["message_id"]
    mark = fake_api.mark()
    _, nothing = await ask(fake_api, "/picture the Earth is flat", chat=group)
    assert "No events to draw" in nothing.plain
    assert fake_api.calls_of("sendPhoto", since=mark) == []


async def test_export_sends_the_three_files_in_a_private_chat(fake_api: FakeBotAPI, start_bot: StartBot,
                                                              engine: Engine) -> None:
    await start_bot(engine)
    mark = fake_api.mark()
    _, summary = await ask(fake_api, "/export")
    assert engine.provenance is not None and engine.provenance.version in summary.plain
    documents = await fake_api.wait_for("sendDocument", since=mark, count=3, timeout=20)
    chat_id = summary.result["chat"]["id"]
    files = {fake_api.files[(chat_id, d.result["message_id"])][1]: fake_api.files[(chat_id, d.result["message_id"])][2]
             for d in documents}
    assert set(files) == {"briefbot-timeline.json", "briefbot-claims.jsonld", "briefbot.csv"}
    assert len(json.loads(files["briefbot-timeline.json"])["events"]) == len(engine.corpus.events)
    graph = json.loads(files["briefbot-claims.jsonld"])["@graph"]
    assert sum(1 for n in graph if n["@type"] == "Claim") == len(engine.corpus.claims)
    rows = list(csv.DictReader(io.StringIO(files["briefbot.csv"].decode(), newline="")))
    assert len(rows) == len(engine.corpus.events) + len(engine.corpus.claims)


async def test_stats_for_admins_from_the_query_log(fake_api: FakeBotAPI, start_bot: StartBot,
                                                   engine: Engine) -> None:
    app = await start_bot(engine, flood_burst=20)
    for text in ("/actor aliev", "/actor aliev", "/timeline PACE", "/claim qqqzzz xxyy"):
        await ask(fake_api, text)
    _, refused = await ask(fake_api, "/stats")
    assert refused.plain == "This command is for the bot's administrators."
    await settle(app, fake_api)  # every answer logged
    _, stats = await ask(fake_api, "/stats", user=fake_api.user(ADMIN_ID, "Admin"))
    text = stats.plain
    assert "Matched: 75% of 4" in text
    assert "/actor: 2" in text and "/timeline: 1" in text
    assert "p50" in text and "p99" in text
    assert "qqqzzz" not in text  # numbers, not what people asked


async def test_errors_reach_the_admins_rate_limited_without_details(fake_api: FakeBotAPI, start_bot: StartBot,
                                                                    engine: Engine) -> None:
    class Exploding:
        def answer(self, message: str, *, full: bool = False) -> Any:
            if "boom" in message:
                raise RuntimeError("secret user words " + message)
            return engine.answer(message, full=full)

        def inline(self, query: str, limit: int = 20) -> list[Any]:
            return engine.inline(query, limit)

    await start_bot(Exploding())
    admin = fake_api.user(ADMIN_ID, "Admin")
    await ask(fake_api, "/help", user=admin)  # the admin's private chat exists
    mark = fake_api.mark()
    _, sorry = await ask(fake_api, "/actor boom one")
    assert sorry.plain == SORRY
    (notice,) = await fake_api.wait_for("sendMessage", since=mark,
                                        where=lambda c: c.params["chat_id"] == ADMIN_ID)
    assert "RuntimeError" in notice.plain and "(at bot/" in notice.plain  # what and where, for the log
    assert "secret user words" not in notice.plain and "boom" not in notice.plain and "Traceback" not in notice.plain
    mark = fake_api.mark()
    _, sorry = await ask(fake_api, "/actor boom two")
    assert sorry.plain == SORRY
    _, help_reply = await ask(fake_api, "/help", user=admin)
    assert [c for c in fake_api.calls_of("sendMessage", since=mark) if c.params["chat_id"] == ADMIN_ID] == [help_reply]


async def test_a_reload_draws_a_new_picture_and_a_refused_one_reaches_the_admins(
        fake_api: FakeBotAPI, start_bot: StartBot, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", tmp_path / "corpus")
    briefs, seeds = tmp_path / "corpus" / "briefs", tmp_path / "corpus" / "seeds"
    app = await start_bot(Engine.load(briefs, seeds, embedder=None), briefs_dir=briefs, seeds_dir=seeds)
    bot = briefbot_of(app)
    admin = fake_api.user(ADMIN_ID, "Admin")
    await ask(fake_api, "/help", user=admin)  # the admin's private chat exists
    first = await bot.readers.picture("")
    old_version = bot.engine.provenance.version
    alpha = briefs / "alpha.yaml"
    alpha.write_text(alpha.read_text() + "\n# curated again\n")
    assert (await bot.readers.reload_and_tell())[0]
    assert bot.engine.provenance.version != old_version
    second = await bot.readers.picture("")
    assert second is not first and old_version not in second.caption  # drawn afresh for the new index
    mark = fake_api.mark()
    alpha.write_text(alpha.read_text().replace("id: roe\n", "id: Bad Id\n"))
    bot.schedule_reload()  # what SIGHUP does
    (notice,) = await fake_api.wait_for("sendMessage", since=mark, where=lambda c: c.params["chat_id"] == ADMIN_ID)
    assert "reload was refused" in notice.plain and "alpha.yaml" not in notice.plain


async def test_answers_do_not_wait_behind_a_picture_being_drawn(fake_api: FakeBotAPI, start_bot: StartBot,
                                                                engine: Engine) -> None:
    await start_bot(engine)
    mark = fake_api.mark()
    fake_api.push_message("/picture")  # the whole timeline: about a second of drawing
    other = fake_api.group_chat()
    _, answer = await ask(fake_api, "/actor aliev", chat=other)
    (photo,) = await fake_api.wait_for("sendPhoto", since=mark, timeout=20)
    assert "Ilham Aliyev" in answer.plain
    assert answer.at < photo.at  # answered while the picture was still being drawn
