"""The buttons under an answer: 👍/👎 stored like the web chat's feedback, the 👎 comment modal, the
hand-off to an advisor (posted, recorded, taken, resolved), and the link to the web chat."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.settings import Settings
from records import SlackStore
from tests.slack.conftest import ADVISORS, SECRET, with_slack
from tests.slack.fake_slack import FakeSlack, SlackUser
from tests.slack.helpers import block_text, buttons, reference
from tests.web.helpers import FakeAssistant, answer_events, citation
from web.main import create_app

QUESTION = "Får ett innovationspartnerskap delas in i etapper?"


def answered(user: SlackUser, slack: FakeSlack) -> dict[str, Any]:
    """Ask in a channel and return the answer as Slack stores it (with its ts and blocks)."""
    user.mention(QUESTION)
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove"))
    return next(m for m in slack.messages if m.get("bot_id"))


def responses(slack: FakeSlack, count: int = 1) -> list[dict[str, Any]]:
    assert slack.wait_for(lambda: len(slack.calls_to("response_url")) >= count), slack.methods()
    return slack.calls_to("response_url")


def test_thumbs_up_is_stored_like_web_feedback(
    app: FastAPI, client: TestClient, user: SlackUser, slack: FakeSlack
) -> None:
    answer = answered(user, slack)
    ids = reference(answer["blocks"])
    assert user.click(answer, "feedback_up").status_code == 200
    (thanks,) = responses(slack)
    assert thanks == {
        "text": "Tack för din återkoppling!",
        "response_type": "ephemeral",
        "replace_original": False,
    }
    (feedback,) = app.state.conversations.feedback(ids["c"])
    assert (feedback["message_id"], feedback["rating"], feedback["comment"]) == (ids["m"], "up", None)
    # The web chat's own API shows it on the same message.
    stored = client.get(f"/api/conversations/{ids['c']}").json()
    assert app.state.conversations.conversation(ids["c"])["channel"] == "slack"
    assert stored["messages"][1]["feedback"] == {"rating": "up", "comment": None}


def test_thumbs_down_opens_the_comment_modal_and_stores_the_comment(
    app: FastAPI, client: TestClient, user: SlackUser, slack: FakeSlack
) -> None:
    answer = answered(user, slack)
    ids = reference(answer["blocks"])
    user.click(answer, "feedback_down")
    assert slack.wait_for(lambda: slack.calls_to("views.open"))
    (opened,) = slack.calls_to("views.open")
    assert opened["trigger_id"].startswith("trigger-")
    modal = opened["view"]
    assert modal["callback_id"] == "feedback_comment"
    assert app.state.conversations.feedback(ids["c"])[0]["rating"] == "down", (
        "the 👎 counts before any comment"
    )

    response = user.submit_view(
        modal, {"comment": {"text": {"type": "plain_text_input", "value": " Saknar beloppen "}}}
    )
    assert response.status_code == 200 and response.text == "", "an empty ack closes the modal"
    assert slack.wait_for(
        lambda: app.state.conversations.feedback(ids["c"])[0]["comment"] == "Saknar beloppen"
    )
    stored = client.get(f"/api/conversations/{ids['c']}").json()
    assert stored["messages"][1]["feedback"] == {"rating": "down", "comment": "Saknar beloppen"}


def test_feedback_on_an_answer_that_is_gone_says_so(app: FastAPI, user: SlackUser, slack: FakeSlack) -> None:
    answer = answered(user, slack)
    for block in answer["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == "feedback_up":
                element["value"] = element["value"].replace(reference(answer["blocks"])["m"], "0" * 32)
    user.click(answer, "feedback_up")
    (said,) = responses(slack)
    assert said["text"] == "Svaret finns inte längre. Ställ frågan igen."


def test_asking_an_advisor_posts_the_question_answer_and_sources_and_records_it(
    app: FastAPI, user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    core.enqueue(*answer_events("Ja, i etapper [1].", [citation(1)]))
    answer = answered(user, slack)
    ids = reference(answer["blocks"])
    user.click(answer, "escalate", user="U0ASKER")
    (confirmation,) = responses(slack)
    assert confirmation["text"].startswith("Frågan är skickad till en rådgivare.")

    (handoff,) = slack.posts(ADVISORS)
    text = block_text(handoff["blocks"])
    assert QUESTION in text and "Ja, i etapper [1]." in text
    assert "[1] <https://example.org/lou|Lag om offentlig upphandling> · LOU 6 kap. 31 §" in text
    permalink = f"https://test.slack.com/archives/C0PUBLIC/p{answer['ts'].replace('.', '')}"
    assert "<@U0ASKER>" in text and permalink in text
    assert set(buttons(handoff["blocks"])) == {"escalation_take", "escalation_resolve"}

    (escalation,) = SlackStore(app.state.conversations.engine).escalations()
    assert (escalation.conversation_id, escalation.message_id) == (ids["c"], ids["m"])
    assert (escalation.status, escalation.requested_by, escalation.thread_link) == (
        "open",
        "U0ASKER",
        permalink,
    )
    assert escalation.posted_channel == ADVISORS and escalation.posted_ts is not None


def test_an_advisor_takes_and_resolves_the_question(app: FastAPI, user: SlackUser, slack: FakeSlack) -> None:
    answer = answered(user, slack)
    user.click(answer, "escalate")
    responses(slack)
    handoff = next(m for m in slack.messages if m["channel"] == ADVISORS)

    user.click(handoff, "escalation_take", user="U0ADVISOR")
    assert slack.wait_for(lambda: slack.calls_to("chat.update"))
    taken = slack.calls_to("chat.update")[0]
    assert (taken["channel"], taken["ts"]) == (ADVISORS, handoff["ts"])
    assert "<@U0ADVISOR> har tagit frågan." in block_text(taken["blocks"])
    assert set(buttons(taken["blocks"])) == {"escalation_resolve"}

    handoff = next(m for m in slack.messages if m["channel"] == ADVISORS)  # as updated
    user.click(handoff, "escalation_resolve", user="U0ADVISOR")
    assert slack.wait_for(lambda: len(slack.calls_to("chat.update")) == 2)
    resolved = slack.calls_to("chat.update")[1]
    assert "✅ Löst av <@U0ADVISOR>." in block_text(resolved["blocks"]) and buttons(resolved["blocks"]) == {}
    assert slack.wait_for(lambda: len(slack.posts("C0PUBLIC")) == 2)
    note = slack.posts("C0PUBLIC")[1]
    assert note["thread_ts"] == answer["thread_ts"]
    assert note["text"] == "En rådgivare (<@U0ADVISOR>) har markerat frågan som löst."

    (escalation,) = SlackStore(app.state.conversations.engine).escalations()
    assert (escalation.status, escalation.taken_by, escalation.resolved_by) == (
        "resolved",
        "U0ADVISOR",
        "U0ADVISOR",
    )


def test_without_an_escalation_channel_the_asker_is_told_whom_to_contact(
    settings: Settings, slack: FakeSlack, core: FakeAssistant
) -> None:
    app = create_app(with_slack(settings, slack, slack_escalation_channel=None))
    app.state.assistant = core
    with TestClient(app) as client:
        user = SlackUser(client, slack, SECRET)
        answer = answered(user, slack)
        user.click(answer, "escalate")
        (said,) = responses(slack)
        assert said["text"].startswith("Ingen rådgivarkanal är inställd ännu.")
        assert len(slack.posts()) == 1
        assert SlackStore(app.state.conversations.engine).escalations() == []


def test_the_web_link_button_is_acknowledged(user: SlackUser, slack: FakeSlack) -> None:
    answer = answered(user, slack)
    assert user.click(answer, "open_web").status_code == 200


def test_a_button_of_an_older_version_is_acked_and_its_payload_not_logged(
    user: SlackUser, slack: FakeSlack, caplog: Any
) -> None:
    caplog.set_level("INFO")
    answer = answered(user, slack)
    old = {
        **answer,
        "blocks": [
            {
                "type": "actions",
                "block_id": "x",
                "elements": [
                    {"type": "button", "action_id": "retired_button", "value": "Hemlig fråga om avtalet"}
                ],
            }
        ],
    }
    assert user.click(old, "retired_button").status_code == 200
    assert "Hemlig fråga" not in caplog.text and QUESTION not in caplog.text
