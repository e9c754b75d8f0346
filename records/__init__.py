"""The records layer: conversations, messages, feedback and the question log, for every channel.

SQLAlchemy over SQLite (under the data dir) or PostgreSQL (``ADVISOR_DATABASE_URL``); the schema is
kept by Alembic migrations. No adapter owns it: the web chat, Slack, the advisors' area and the CLI
all use it.
"""

from records.conversations import Answer, ConversationStore, Exchange
from records.database import build_engine, normalize_url
from records.migrations import current, head, upgrade, upgrade_database
from records.models import CHANNELS, Channel
from records.slack import Escalation, SlackStore, SlackThread

__all__ = [
    "CHANNELS",
    "Answer",
    "Channel",
    "ConversationStore",
    "Escalation",
    "Exchange",
    "build_engine",
    "current",
    "head",
    "normalize_url",
    "SlackStore",
    "SlackThread",
    "upgrade",
    "upgrade_database",
]
