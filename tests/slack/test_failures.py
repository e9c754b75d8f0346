"""Slack's Web API failing: rate limits and server errors are retried (slack_sdk's retry handlers);
when an answer still cannot be posted the asker gets a clear message; the app stays healthy."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.slack.fake_slack import FakeSlack, SlackUser
from tests.slack.helpers import buttons

INTERNAL = "Något gick fel hos oss. Försök igen om en stund."


def settled(slack: FakeSlack) -> None:
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove"), timeout=20), slack.methods()


def test_a_rate_limited_post_is_retried_after_the_wait_slack_asks_for(
    user: SlackUser, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", 429, error="ratelimited", retry_after=0)
    user.mention("En fråga?")
    settled(slack)
    attempts = slack.posts()
    assert len(attempts) == 2 and attempts[0] == attempts[1], "the same answer, sent again"
    assert "feedback_up" in buttons(attempts[1]["blocks"])


def test_server_errors_are_retried(user: SlackUser, slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", 500, times=2)
    user.mention("En fråga?")
    settled(slack)
    assert len(slack.posts()) == 3 and "blocks" in slack.posts()[2]


def test_an_answer_slack_will_not_take_becomes_a_clear_message(
    user: SlackUser, slack: FakeSlack, client: TestClient
) -> None:
    # Slack still failing after the retries: the asker is told in plain words, in the thread.
    slack.fail("chat.postMessage", 500, times=3)
    asked, _ = user.mention("En fråga?")
    settled(slack)
    note = slack.posts()[-1]
    assert len(slack.posts()) == 4
    assert note["text"] == INTERNAL and note["thread_ts"] == asked["ts"] and "blocks" not in note

    # The app is healthy and the next question is answered.
    assert client.get("/api/health").status_code == 200
    user.mention("Nästa fråga?")
    assert slack.wait_for(lambda: len(slack.posts()) == 5)
    assert "feedback_up" in buttons(slack.posts()[-1]["blocks"])


def test_a_refused_post_is_not_retried_and_becomes_a_clear_message(user: SlackUser, slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", 200, error="invalid_blocks")
    user.mention("En fråga?")
    settled(slack)
    assert [p.get("text") for p in slack.posts()][1] == INTERNAL and len(slack.posts()) == 2


def test_failing_reactions_and_history_do_not_stop_the_answer(user: SlackUser, slack: FakeSlack) -> None:
    slack.fail("reactions.add", 200, error="missing_scope")
    slack.fail("conversations.replies", 503, times=3)
    first, _ = user.mention("En fråga?")
    settled(slack)
    user.mention("En följdfråga?", thread_ts=first["ts"])
    assert slack.wait_for(lambda: len(slack.posts()) == 2, timeout=20)
    assert all("feedback_up" in buttons(p["blocks"]) for p in slack.posts())


def test_a_modal_that_cannot_open_still_thanks_the_user(user: SlackUser, slack: FakeSlack) -> None:
    user.mention("En fråga?")
    settled(slack)
    answer = next(m for m in slack.messages if m.get("bot_id"))
    slack.fail("views.open", 200, error="expired_trigger_id")
    user.click(answer, "feedback_down")
    assert slack.wait_for(lambda: slack.calls_to("response_url"))
    assert slack.calls_to("response_url")[0]["text"] == "Tack för din återkoppling!"
