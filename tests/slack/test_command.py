"""``/fraga``: answered privately through the command's response_url, with a button to share it."""

from __future__ import annotations

from fastapi import FastAPI

from tests.slack.fake_slack import FakeSlack, SlackUser
from tests.slack.helpers import block_text, buttons, reference
from tests.web.helpers import FakeAssistant, answer_events


def test_the_slash_command_is_answered_privately_with_a_share_button(
    app: FastAPI, user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    core.enqueue(*answer_events("Ja, i etapper [1]."))
    response = user.command("Får partnerskapet delas in i etapper?")
    assert response.status_code == 200 and response.text == "", "acked at once, nothing shown yet"
    assert slack.wait_for(lambda: slack.calls_to("response_url"))
    (private,) = slack.calls_to("response_url")
    assert private["response_type"] == "ephemeral"
    assert "Ja, i etapper [1]." in block_text(private["blocks"])
    assert set(buttons(private["blocks"])) >= {"share", "feedback_up", "feedback_down", "escalate"}
    assert slack.posts() == [], "nothing public until it is shared"
    assert core.calls[0].question == "Får partnerskapet delas in i etapper?"
    ids = reference(private["blocks"])
    assert app.state.conversations.conversation(ids["c"])["channel"] == "slack"

    # Shared: posted in the channel through the response_url, and the private copy removed.
    user.click({"blocks": private["blocks"], "channel": "C0PUBLIC"}, "share", ephemeral=True)
    assert slack.wait_for(lambda: len(slack.calls_to("response_url")) == 3)
    shared, removed = slack.calls_to("response_url")[1:]
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    text = block_text(shared["blocks"])
    assert "<@U0ASKER> delade ett svar:" in text and "Ja, i etapper [1]." in text
    assert "share" not in buttons(shared["blocks"]) and "feedback_up" in buttons(shared["blocks"])
    assert removed["delete_original"] is True


def test_an_empty_slash_command_explains_itself(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    user.command("   ")
    assert slack.wait_for(lambda: slack.calls_to("response_url"))
    (said,) = slack.calls_to("response_url")
    assert said["text"].startswith("Skriv frågan efter kommandot") and said["response_type"] == "ephemeral"
    assert core.calls == []


def test_escalating_a_private_answer_links_no_thread(app: FastAPI, user: SlackUser, slack: FakeSlack) -> None:
    user.command("Får partnerskapet delas in i etapper?")
    assert slack.wait_for(lambda: slack.calls_to("response_url"))
    private = slack.calls_to("response_url")[0]
    user.click({"blocks": private["blocks"], "channel": "C0PUBLIC"}, "escalate", ephemeral=True)
    assert slack.wait_for(lambda: slack.posts("C0ADVISORS"))
    assert "chat.getPermalink" not in slack.methods(), "a private message has no permalink"
    assert "Till tråden" not in block_text(slack.posts("C0ADVISORS")[0]["blocks"])
    assert slack.wait_for(lambda: len(slack.calls_to("response_url")) == 2)
    assert (
        slack.calls_to("response_url")[1]["text"]
        == "Frågan är skickad till en rådgivare, som hör av sig till dig."
    )
