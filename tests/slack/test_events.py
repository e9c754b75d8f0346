"""HTTP mode: signatures, url_verification, a mention answered once in its thread, redeliveries,
the bot's own and other bots' messages."""

from __future__ import annotations

import json
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.slack.conftest import ADVISORS, SECRET, with_slack
from tests.slack.fake_slack import BOT_ID, BOT_USER, FakeSlack, SlackUser
from tests.slack.helpers import block_text, buttons, reference
from tests.web.helpers import FakeAssistant, answer_events, citation
from web.main import create_app

CHANNEL = "C0PUBLIC"


def test_a_mention_is_answered_once_in_its_thread_with_its_sources(
    app: FastAPI, user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    core.enqueue(*answer_events("Partnerskapet får **delas in** i etapper [1].", [citation(1, page=4)]))
    asked, response = user.mention("När får partnerskapet delas in i etapper?")
    assert response.status_code == 200
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove"))

    assert [c.question for c in core.calls] == ["När får partnerskapet delas in i etapper?"]
    (post,) = slack.posts()
    assert post["channel"] == CHANNEL and post["thread_ts"] == asked["ts"]
    assert post["unfurl_links"] is False
    text = block_text(post["blocks"])
    assert "Partnerskapet får *delas in* i etapper [1]." in text  # Markdown bold became mrkdwn
    assert "[1] <https://example.org/lou|Lag om offentlig upphandling> · LOU 6 kap. 31 § · s. 4" in text
    assert set(buttons(post["blocks"])) == {"feedback_up", "feedback_down", "escalate", "open_web"}

    # 👀 on the question while working, taken away when the answer is there.
    assert slack.methods() == ["reactions.add", "chat.postMessage", "reactions.remove"]
    assert slack.calls_to("reactions.add")[0] == {
        "channel": CHANNEL,
        "timestamp": asked["ts"],
        "name": "eyes",
    }

    # Stored in the same records as the web chat, as a Slack conversation.
    ids = reference(post["blocks"])
    conversation = app.state.conversations.conversation(ids["c"])
    assert conversation["channel"] == "slack"
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    assert conversation["messages"][1]["id"] == ids["m"]
    assert conversation["messages"][1]["citations"][0]["page"] == 4
    # And counted for the operators' metrics under its channel.
    counted = app.state.metrics.registry.get_sample_value(
        "advisor_answers_total", {"channel": "slack", "mode": "llm", "outcome": "answered"}
    )
    assert counted == 1.0


@pytest.mark.parametrize(
    "case",
    ["bad signature", "stale timestamp", "signed with another secret", "no signature"],
)
def test_a_request_that_is_not_from_slack_gets_401_and_no_work(
    case: str, app: FastAPI, client: TestClient, user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    message = slack.add_message(CHANNEL, f"<@{BOT_USER}> En fråga?")
    body = user.event_body({**message, "type": "app_mention"})
    if case == "bad signature":
        response = user.send(body, "application/json", signature="v0=" + "0" * 64)
    elif case == "stale timestamp":  # correctly signed, but six minutes old: a replay
        response = user.send(body, "application/json", timestamp=int(time.time()) - 6 * 60)
    elif case == "signed with another secret":
        response = SlackUser(client, slack, SECRET[::-1]).send(body, "application/json")
    else:
        response = client.post("/slack/events", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    slack.wait_quiet(quiet=0.3)
    assert slack.calls == [] and core.calls == []
    assert app.state.conversations is None or app.state.conversations.question_log() == []


def test_url_verification_echoes_the_challenge(user: SlackUser, slack: FakeSlack) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"})
    response = user.send(body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}


def test_a_retried_delivery_gets_no_second_answer(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    message = slack.add_message(CHANNEL, f"<@{BOT_USER}> En fråga?")
    event = {**message, "type": "app_mention"}
    assert user.event(event, event_id="Ev0FIRST").status_code == 200
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove"))
    # Slack thought the first delivery timed out and sends it again with the retry header.
    assert user.event(event, event_id="Ev0FIRST", retry=1).status_code == 200
    slack.wait_quiet()
    assert len(slack.posts()) == 1 and len(core.calls) == 1


def test_a_delivery_with_the_retry_header_is_never_answered(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    # Whatever it carries: a retry means the first delivery reached some worker, which answers it.
    message = slack.add_message(CHANNEL, f"<@{BOT_USER}> En annan fråga?")
    assert user.event({**message, "type": "app_mention"}, retry=2).status_code == 200
    slack.wait_quiet()
    assert slack.posts() == [] and core.calls == []


def test_an_event_id_seen_before_is_not_answered_again(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    first = slack.add_message(CHANNEL, f"<@{BOT_USER}> En fråga?")
    assert user.event({**first, "type": "app_mention"}, event_id="Ev0SAME").status_code == 200
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove"))
    # A redelivery without the header (Socket Mode reconnecting, another worker): only the id tells.
    again = slack.add_message(CHANNEL, f"<@{BOT_USER}> En fråga?")
    assert user.event({**again, "type": "app_mention"}, event_id="Ev0SAME").status_code == 200
    slack.wait_quiet()
    assert len(slack.posts()) == 1 and len(core.calls) == 1


def test_a_mention_delivered_as_app_mention_and_as_message_is_answered_once(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    message, _ = user.mention("En fråga?")
    user.message_event(message)  # message.channels carries the same message with the mention
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove"))
    slack.wait_quiet()
    assert len(slack.posts()) == 1 and len(core.calls) == 1


def test_the_same_message_delivered_twice_is_answered_once(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    # Two deliveries of one message under two event ids (another worker, a lost ack): one answer.
    message = slack.add_message("D0DIRECT", "Hur fungerar innovationspartnerskap?")
    user.message_event(message, channel_type="im")
    user.message_event(message, channel_type="im")
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove"))
    slack.wait_quiet()
    assert len(slack.posts()) == 1 and len(core.calls) == 1


@pytest.mark.parametrize(
    "author",
    [
        {"user": BOT_USER, "bot_id": BOT_ID},  # the bot's own message
        {"user": "U0OTHERBOT", "bot_id": "B0OTHER"},  # another bot
        {"user": "U0OTHERBOT", "bot_id": "B0OTHER", "subtype": "bot_message"},
        {"user": "U0ASKER", "subtype": "message_changed"},  # an edit is no new question
    ],
    ids=["own", "other bot", "bot_message", "edit"],
)
def test_own_and_other_bots_messages_are_ignored(
    author: dict[str, str], user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    direct = slack.add_message("D0DIRECT", "Hur fungerar innovationspartnerskap?", **author)
    assert user.message_event(direct, channel_type="im").status_code == 200
    if "bot_id" in author:  # a bot that mentions us (an edit arrives as a message event only)
        mention = slack.add_message(CHANNEL, f"<@{BOT_USER}> En fråga?", **author)
        assert user.event({**mention, "type": "app_mention"}).status_code == 200
    slack.wait_quiet()
    assert slack.posts() == [] and core.calls == []


def test_slack_is_off_without_its_token_and_secret(settings: Settings, slack: FakeSlack) -> None:
    off = with_slack(settings, slack, slack_bot_token=None)
    with TestClient(create_app(off)) as client:
        client.app.state.assistant = FakeAssistant()  # type: ignore[attr-defined]
        assert client.post("/slack/events", content=b"{}").status_code in (404, 405)
        assert client.get("/api/health").json()["slack"] is False


def test_health_says_slack_is_on(client: TestClient) -> None:
    assert client.get("/api/health").json()["slack"] is True


def test_the_escalation_channel_is_the_configured_one(slack_settings: Settings) -> None:
    assert slack_settings.slack_escalation_channel == ADVISORS
