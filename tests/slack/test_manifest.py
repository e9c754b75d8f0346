"""The app manifest in the repository matches what the bot does: scopes, events, the command, URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.slack.fake_slack import FakeSlack, SlackUser
from web.slack import EVENTS_PATH
from web.slack.bot import COMMAND

MANIFEST = Path(__file__).resolve().parents[2] / "slack-manifest.yaml"
SCOPES = {
    "app_mentions:read",
    "chat:write",
    "chat:write.public",
    "commands",
    "im:history",
    "im:read",
    "channels:history",
    "groups:history",
    "reactions:write",
    "users:read",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_the_manifest_asks_for_the_scopes_and_events_the_bot_needs(manifest: dict) -> None:
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "message.channels",
        "message.groups",
    }
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True, "direct messages need it"
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    # One URL serves events, interactivity and the command.
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        command["url"],
    }
    assert len(urls) == 1 and urls.pop().endswith(EVENTS_PATH)
    assert settings["interactivity"]["is_enabled"] is True


def test_every_event_the_manifest_subscribes_to_is_handled(
    manifest: dict, user: SlackUser, slack: FakeSlack
) -> None:
    # Bolt answers an event no listener takes with 404, and Slack would retry it.
    for name in manifest["settings"]["event_subscriptions"]["bot_events"]:
        kind, _, channel_type = name.partition(".")
        message = slack.add_message("C0X", "hej", user="U0OTHER", thread_ts="1.0")
        event = {**message, "type": kind}
        if channel_type:
            event["channel_type"] = {"channels": "channel", "groups": "group"}.get(channel_type, channel_type)
        assert user.event(event).status_code == 200, name
