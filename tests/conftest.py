"""Fixtures for the Telegram tests: a fake Bot API server that fails the test on any invalid request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.config import Config
from bot.core import Engine
from bot.telegram_app import ALLOWED_UPDATES, build_application
from tests.fake_bot_api import TOKEN, FakeBotAPI, start_polling, start_webhook, stop_app

ROOT = Path(__file__).resolve().parent.parent
ADMIN_ID = 4242


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API; every request the bot makes must be one Telegram would accept."""
    api = FakeBotAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
    assert not api.violations, "the bot sent requests Telegram would refuse:\n" + "\n".join(api.violations)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(ROOT / "briefs", ROOT / "seeds")


StartBot = Callable[..., Awaitable[Application]]


@pytest.fixture
async def start_bot(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start the real Application against the fake server (polling, or webhook with `webhook_port`)."""
    apps: list[Application] = []

    async def start(engine: Any, *, webhook_port: int | None = None, secret: str = "s3cret_T0ken",
                    **overrides: Any) -> Application:
        settings: dict[str, Any] = {"token": TOKEN, "api_url": f"http://127.0.0.1:{fake_api.port}",
                                    "db_path": tmp_path / "briefbot.sqlite3", "admins": frozenset({ADMIN_ID}),
                                    "request_timeout": 3.0} | overrides
        app = build_application(Config(**settings), engine)  # storage=None: opens db_path like production
        apps.append(app)
        if webhook_port is None:
            await start_polling(app, allowed_updates=ALLOWED_UPDATES)
        else:
            await start_webhook(app, port=webhook_port, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        return app

    yield start
    for app in reversed(apps):
        await stop_app(app)


# -- PostgreSQL: a real server (`.ci/run` starts one; locally: `bash .ci/postgres.sh up`) ----------------


def _pg_server() -> str | None:
    """The DSN of a reachable server, from PG_TEST_DSN; None when there is none (CI must have one)."""
    import os

    dsn = os.environ.get("PG_TEST_DSN", "").strip()
    if not dsn:
        return None
    import psycopg

    try:
        psycopg.connect(dsn, connect_timeout=3, autocommit=True).close()
    except psycopg.Error:
        return None
    return dsn


@pytest.fixture(scope="session")
def pg_server() -> str:
    """Skips (with the reason) when no server is reachable, except under CI, where it is a failure."""
    import os

    dsn = _pg_server()
    if dsn is None:
        reason = ("no PostgreSQL server: set PG_TEST_DSN=postgresql://… (e.g. from `bash .ci/postgres.sh up`); "
                  "`.ci/run` starts one")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return dsn


@pytest.fixture
def pg_dsn(pg_server: str) -> Any:
    """A new, empty database on the test server for one test; dropped afterwards."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"briefbot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(pg_server)._replace(path=f"/{name}"))
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
