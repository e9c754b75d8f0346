"""The Slack adapter: the same core as the web chat, answering in Slack threads with citations,
feedback and a hand-off to an advisor. Mounted by ``web.main`` only when Slack is configured."""

from web.slack.bot import SlackBot
from web.slack.mount import EVENTS_PATH, mount_slack, slack_running

__all__ = ["EVENTS_PATH", "SlackBot", "mount_slack", "slack_running"]
