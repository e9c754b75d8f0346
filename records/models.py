"""The records schema: conversations and their messages, feedback, the question log, and Slack's
threads, delivered events and escalations to an advisor.

Alembic migrations under ``records/migrations`` create and change these tables; a change here needs
a new revision there (``tests/records`` fails when the two disagree).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Where a conversation happens; the advisors' views show both.
Channel = Literal["web", "slack"]
CHANNELS: tuple[Channel, ...] = ("web", "slack")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    language: Mapped[str] = mapped_column(String(8), default="sv")
    channel: Mapped[str] = mapped_column(String(16), default="web", server_default="web", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    messages: Mapped[list[MessageRow]] = relationship(
        back_populates="conversation", order_by="MessageRow.position", cascade="all, delete-orphan"
    )


class MessageRow(Base):
    __tablename__ = "messages"
    # Two writers of one conversation can never store the same place twice.
    __table_args__ = (Index("uq_messages_conversation_position", "conversation_id", "position", unique=True),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # "user" | "assistant"
    content: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    refused: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    conversation: Mapped[ConversationRow] = relationship(back_populates="messages")
    feedback: Mapped[FeedbackRow | None] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # One opinion per answer: a second click or an added comment replaces the first.
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[str] = mapped_column(String(8))  # "up" | "down"
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    message: Mapped[MessageRow] = relationship(back_populates="feedback")


class QuestionLogRow(Base):
    """What was asked and how it went, for tuning retrieval and the refusal threshold."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    message_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    question: Mapped[str] = mapped_column(Text)
    query: Mapped[str | None] = mapped_column(Text, nullable=True)  # as retrieval saw it
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    refused: Mapped[bool] = mapped_column(Boolean)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    top_chunk_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # For the advisors' review: where it was asked, the evidence score the refusal rule read, the
    # passages retrieved (id and score) and cited, how long it took, and why it ended as it did
    # ("answered", "no_evidence", "injection", "error"). Null on entries from before revision 0003.
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    evidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    passages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    cited_ids: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)


class SlackThreadRow(Base):
    """A Slack thread the bot answers in, and the conversation that holds it.

    The conversation id is random (not derived from the thread), so a link to it in the web chat
    cannot be guessed from the channel and timestamp.
    """

    __tablename__ = "slack_threads"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "thread_ts", name="uq_slack_threads_thread"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SlackEventRow(Base):
    """An event Slack delivered, kept for a few minutes so a redelivery is never answered twice."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class EscalationRow(Base):
    """A question handed to an advisor ("Fråga en rådgivare"): open, taken, resolved."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the answer escalated
    channel: Mapped[str] = mapped_column(String(16), default="slack")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | taken | resolved
    requested_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    taken_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    thread_link: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Where the hand-off was posted (Slack channel and message), so it can be updated when resolved.
    posted_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    posted_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- Advisors' area: accounts, sessions, API tokens, the audit log and uploads (revision 0004) ------

# Who may do what: admins manage accounts, advisors curate documents and review answers, procurers
# only chat (in deployments that require sign-in).
Role = Literal["admin", "advisor", "procurer"]
ROLES: tuple[Role, ...] = ("admin", "advisor", "procurer")
# What an upload goes through; the last three are final.
UploadStatus = Literal["queued", "parsing", "embedding", "indexed", "failed", "unchanged"]
FINAL_STATUSES: frozenset[str] = frozenset({"indexed", "failed", "unchanged"})


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)  # Argon2id, with its parameters and salt
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SessionRow(Base):
    """A signed-in browser. Only the token's hash is kept, so a copy of the database signs no one in."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ApiTokenRow(Base):
    """A personal API token (``Authorization: Bearer …``), shown once and kept only as its hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to tell tokens apart
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginFailureRow(Base):
    """A failed sign-in, kept for the rate limit's window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(128), index=True)  # the name tried, or the client address
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AuditRow(Base):
    """One advisor or admin action: who, what, on what, when, and an optional comment."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class UploadRow(Base):
    """A file an advisor uploaded and how far its indexing has come."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    filename: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)  # the original, under the data dir
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # one line, when it failed
    uploaded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    doc_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Which server process is indexing it ("host pid folder"), so two sharing the database never both do.
    claimed_by: Mapped[str | None] = mapped_column(String(300), nullable=True)


class GapRow(Base):
    """An advisor's verdict on a group of refused or down-voted questions: open, or resolved with a note
    (such as which document was added). Groups are formed when read; ``key`` names one by the words of
    its earliest question."""

    __tablename__ = "gaps"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RateBucketRow(Base):
    """One client's token bucket for one rate-limited route, shared by every server process when the
    records database is PostgreSQL (so a client's limit holds however many machines serve it)."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "<route> <client address>"
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch, last refill
