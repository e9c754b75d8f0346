"""The answers under way when the app stops are finished, not dropped."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.slack.conftest import SECRET
from tests.slack.fake_slack import FakeSlack, SlackUser
from tests.web.helpers import FakeAssistant, Pause, answer_events


def test_shutdown_waits_for_the_answers_under_way(
    app: FastAPI, slack: FakeSlack, core: FakeAssistant
) -> None:
    core.enqueue(Pause(1.0), *answer_events())
    with TestClient(app) as client:
        SlackUser(client, slack, SECRET).mention("En fråga?")
        assert slack.wait_for(lambda: slack.calls_to("reactions.add")), "the answer has begun"
        assert slack.posts() == []
    # The lifespan has ended: the answer was finished and posted first.
    assert len(slack.posts()) == 1
    assert slack.calls_to("reactions.remove")
    assert not app.state.slack.tasks
