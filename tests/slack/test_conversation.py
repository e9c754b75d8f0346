"""One scripted conversation end to end, with the real core (over the LLM stub) and every call Slack
receives asserted: mention → answer in the thread → follow-up → 👎 with a comment → escalation →
resolved. Message text never reaches the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from records import SlackStore
from tests.slack.conftest import ADVISORS, PUBLIC_URL, SECRET, with_slack
from tests.slack.fake_slack import BOT_USER, FakeSlack, SlackUser
from tests.slack.helpers import block_text, buttons, reference
from tests.support.llm_stub import LLMStub
from tests.web.helpers import stubbed_settings
from web.main import create_app

CHANNEL = "C0PUBLIC"
QUESTION = "Hur går en förfrågan om information till?"
FOLLOW_UP = "Ska alla leverantörer få samma information?"
COMMENT = "Jag ville veta hur lång tid det tar"


@pytest.fixture
def llm() -> Iterator[LLMStub]:
    with LLMStub() as stub:
        yield stub


@pytest.fixture
def core_settings(settings: Settings, llm: LLMStub, docs: Path, slack: FakeSlack) -> Settings:
    configured = stubbed_settings(settings, llm)
    report = sync([docs], ChunkStore(configured))
    assert report.ok, report.failed
    return with_slack(configured, slack)


def test_a_whole_conversation_in_slack(
    core_settings: Settings, slack: FakeSlack, llm: LLMStub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = create_app(core_settings)  # the real core: retrieval, the evidence gate, the LLM over HTTP
    with TestClient(app) as client:
        user = SlackUser(client, slack, SECRET)

        # 1. A mention in a channel: 👀, one cited answer in the message's thread, 👀 gone.
        llm.enqueue("Publicera en förfrågan om information och dokumentera dialogen [1].")
        asked, response = user.mention(QUESTION)
        assert response.status_code == 200
        assert slack.wait_for(lambda: len(slack.calls_to("reactions.remove")) == 1)
        assert slack.methods() == ["reactions.add", "chat.postMessage", "reactions.remove"]
        answer = slack.messages[-1]
        assert (answer["channel"], answer["thread_ts"]) == (CHANNEL, asked["ts"])
        text = block_text(answer["blocks"])
        assert "Publicera en förfrågan om information och dokumentera dialogen [1]." in text
        assert "[1] Tidig dialog med marknaden · Hur en förfrågan om information (RFI) går till" in text
        ids = reference(answer["blocks"])
        assert buttons(answer["blocks"])["open_web"]["url"] == f"{PUBLIC_URL}/c/{ids['c']}"

        # 2. A follow-up in the thread: the thread is read, the model is given it as history.
        llm.enqueue("Ja, alla leverantörer ska få samma information samtidigt [1].")
        follow, _ = user.mention(FOLLOW_UP, thread_ts=asked["ts"])
        assert slack.wait_for(lambda: len(slack.calls_to("reactions.remove")) == 2)
        assert slack.methods()[3:] == [
            "reactions.add",
            "conversations.replies",
            "chat.postMessage",
            "reactions.remove",
        ]
        assert slack.calls_to("conversations.replies")[0]["ts"] == asked["ts"]
        roles = [m["role"] for m in llm.chat_requests[-1]["messages"]]
        assert roles[-3:] == ["user", "assistant", "user"], "the first exchange went to the model as history"
        second = slack.messages[-1]
        assert second["thread_ts"] == asked["ts"]
        assert reference(second["blocks"])["c"] == ids["c"], "one conversation for the whole thread"

        # 3. 👎 on the second answer, with a comment in the modal.
        user.click(second, "feedback_down")
        assert slack.wait_for(lambda: slack.calls_to("views.open"))
        modal = slack.calls_to("views.open")[0]["view"]
        user.submit_view(modal, {"comment": {"text": {"type": "plain_text_input", "value": COMMENT}}})
        second_id = reference(second["blocks"])["m"]
        assert slack.wait_for(
            lambda: (
                [
                    (f["message_id"], f["rating"], f["comment"])
                    for f in app.state.conversations.feedback(ids["c"])
                ]
                == [(second_id, "down", COMMENT)]
            )
        )

        # 4. "Fråga en rådgivare": posted to the advisors' channel with a link to the thread.
        user.click(second, "escalate")
        assert slack.wait_for(lambda: slack.calls_to("response_url"))
        handoff = next(m for m in slack.messages if m["channel"] == ADVISORS)
        assert FOLLOW_UP in block_text(handoff["blocks"])

        # 5. An advisor resolves it: the post is updated, the asker's thread is told.
        user.click(handoff, "escalation_resolve", user="U0ADVISOR")
        assert slack.wait_for(lambda: len(slack.posts(CHANNEL)) == 3)
        assert slack.methods()[7:] == [
            "views.open",
            "chat.getPermalink",
            "chat.postMessage",
            "response_url",
            "chat.update",
            "chat.postMessage",
        ]
        assert slack.posts(CHANNEL)[2]["thread_ts"] == asked["ts"]
        (escalation,) = SlackStore(app.state.conversations.engine).escalations()
        assert (escalation.status, escalation.message_id, escalation.resolved_by) == (
            "resolved",
            second_id,
            "U0ADVISOR",
        )

        # Every call carried the bot token; the records hold one Slack conversation of two exchanges.
        stored = app.state.conversations.conversation(ids["c"])
        assert stored["channel"] == "slack" and len(stored["messages"]) == 4
        assert [e["question"] for e in app.state.conversations.question_log()] == [FOLLOW_UP, QUESTION]
    assert all(
        c.headers.get("authorization") == "Bearer xoxb-test-token"
        for c in slack.calls
        if c.method != "response_url"
    )
    assert follow["thread_ts"] == asked["ts"] and BOT_USER in asked["text"]

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "slack answer:" in logged, "answers are logged, by ids"
    for words in (QUESTION, FOLLOW_UP, COMMENT, "Publicera en förfrågan"):
        assert words not in logged, f"message text in the log: {words!r}"
