"""Slack test fixtures: the fake Slack Web API, the app configured for it, and signed requests.

The root conftest already isolates every test (data dir in tmp_path, no secrets, fresh settings).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.settings import Settings
from tests.slack.fake_slack import FakeSlack, SlackUser
from tests.web.helpers import FakeAssistant
from web.main import create_app

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADVISORS = "C0ADVISORS"
PUBLIC_URL = "https://advisor.example.se"
# The bot's Web API client reads these; on a machine with a proxy, 127.0.0.1 must still be reached directly.
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def with_slack(settings: Settings, slack: FakeSlack, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": SecretStr("xoxb-test-token"),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": slack.url,
        "slack_escalation_channel": ADVISORS,
        "public_url": PUBLIC_URL,
    }
    values.update(overrides)
    return settings.model_copy(update=values)


@pytest.fixture
def slack_settings(settings: Settings, slack: FakeSlack) -> Settings:
    return with_slack(settings, slack)


@pytest.fixture
def core() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def app(slack_settings: Settings, core: FakeAssistant) -> FastAPI:
    """The app with Slack on and the scripted fake core; the records store is real (SQLite)."""
    application = create_app(slack_settings)
    application.state.assistant = core
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def user(client: TestClient, slack: FakeSlack) -> SlackUser:
    return SlackUser(client, slack, SECRET)
