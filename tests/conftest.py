"""Fixtures for the Telegram tests: a fake Bot API server that fails the test on any invalid request."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_bot_api import FakeBotAPI


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
