"""Socket Mode: with an app token the app connects out to Slack when it starts (no public address),
answers events that arrive over the WebSocket, and never answers Slack's retries twice."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.settings import Settings
from tests.slack.conftest import SECRET, with_slack
from tests.slack.fake_slack import BOT_USER, FakeSlack, SlackUser
from tests.slack.fake_socket import FakeSocketMode
from tests.web.helpers import FakeAssistant
from web.main import create_app


@pytest.fixture
def socket_mode(slack: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as fake:
        slack.socket_url = fake.url
        yield fake


def envelope(
    user: SlackUser, event: dict, envelope_id: str, retry: int = 0, event_id: str | None = None
) -> dict:
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
        "payload": json.loads(user.event_body(event, event_id)),
    }


def test_socket_mode_answers_over_the_websocket_and_skips_retries(
    settings: Settings, slack: FakeSlack, socket_mode: FakeSocketMode
) -> None:
    core = FakeAssistant()
    app = create_app(with_slack(settings, slack, slack_app_token=SecretStr("xapp-test")))
    app.state.assistant = core
    with TestClient(app) as client:
        assert socket_mode.connected(), slack.methods()
        assert slack.calls_to("apps.connections.open")
        user = SlackUser(client, slack, SECRET)

        message = slack.add_message("C0PUBLIC", f"<@{BOT_USER}> En fråga?")
        socket_mode.send(envelope(user, {**message, "type": "app_mention"}, "env-1", event_id="Ev0SOCKET"))
        assert slack.wait_for(lambda: slack.calls_to("reactions.remove"))
        assert {"envelope_id": "env-1"} in socket_mode.acks
        (post,) = slack.posts()
        assert post["thread_ts"] == message["ts"]

        # Slack's retry over the socket carries retry_attempt; Bolt turns it into X-Slack-Retry-Num.
        other = slack.add_message("C0PUBLIC", f"<@{BOT_USER}> En annan fråga?")
        socket_mode.send(envelope(user, {**other, "type": "app_mention"}, "env-2", retry=1))
        assert slack.wait_for(lambda: {"envelope_id": "env-2"} in socket_mode.acks)
        slack.wait_quiet()
        assert len(slack.posts()) == 1 and len(core.calls) == 1
        assert client.get("/api/health").json()["slack"] is True


def test_the_app_starts_while_slack_cannot_be_reached(settings: Settings, slack: FakeSlack) -> None:
    # No socket endpoint: apps.connections.open fails, the client keeps trying in the background.
    app = create_app(with_slack(settings, slack, slack_app_token=SecretStr("xapp-test")))
    app.state.assistant = FakeAssistant()
    with TestClient(app) as client:
        assert client.get("/api/health").status_code == 200
        assert slack.wait_for(lambda: slack.calls_to("apps.connections.open"))
