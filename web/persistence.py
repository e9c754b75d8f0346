"""Conversations, their messages, feedback and the question log, stored with SQLAlchemy.

SQLite under the data dir by default (``settings.sql_url``); PostgreSQL when ``ADVISOR_DATABASE_URL``
names one. The methods are synchronous: routers call them from the thread pool, never on the loop.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker

from assistant.types import Turn


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    language: Mapped[str] = mapped_column(String(8), default="sv")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    messages: Mapped[list[MessageRow]] = relationship(
        back_populates="conversation", order_by="MessageRow.position", cascade="all, delete-orphan"
    )


class MessageRow(Base):
    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


@dataclass(frozen=True)
class Exchange:
    """A question and its answer as stored: the ids the client needs for feedback and reloads."""

    conversation_id: str
    message_id: str  # the answer's id


@dataclass(frozen=True)
class Answer:
    """What the core said, as the chat router hands it over for storage."""

    text: str
    citations: list[dict[str, Any]]
    refused: bool
    mode: str
    language: str
    query: str
    top_chunk_ids: list[str]


def normalize_url(url: str) -> str:
    """``postgres://`` and bare ``postgresql://`` mean psycopg 3, the driver this project ships."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def build_engine(url: str) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL and a busy timeout let several uvicorn workers share the file.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


class ConversationStore:
    """The web chat's own records; knows nothing about HTTP."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> ConversationStore:
        store = cls(build_engine(url))
        store.create_schema()
        return store

    def create_schema(self) -> None:
        try:
            Base.metadata.create_all(self.engine)
        except DBAPIError:
            # Several workers starting at once may race to create the same table; the loser finds
            # it there on the second look.
            Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # --- reading --------------------------------------------------------------------------------

    def exists(self, conversation_id: str) -> bool:
        with self._sessions() as session:
            return session.get(ConversationRow, conversation_id) is not None

    def history(self, conversation_id: str) -> list[Turn]:
        """The conversation so far, oldest first, as the core takes it."""
        with self._sessions() as session:
            rows = session.scalars(
                select(MessageRow)
                .where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.position)
            )
            return [Turn(role=row.role, content=row.content) for row in rows]

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """The whole thread as the page restores it, or None when there is no such conversation."""
        with self._sessions() as session:
            convo = session.get(ConversationRow, conversation_id)
            if convo is None:
                return None
            return {
                "id": convo.id,
                "language": convo.language,
                "created_at": _iso(convo.created_at),
                "updated_at": _iso(convo.updated_at),
                "messages": [
                    {
                        "id": m.id,
                        "role": m.role,
                        "content": m.content,
                        "citations": list(m.citations or []),
                        "refused": m.refused,
                        "mode": m.mode,
                        "language": m.language,
                        "created_at": _iso(m.created_at),
                        "feedback": (
                            {"rating": m.feedback.rating, "comment": m.feedback.comment}
                            if m.feedback
                            else None
                        ),
                    }
                    for m in convo.messages
                ],
            }

    def feedback(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        with self._sessions() as session:
            query = select(FeedbackRow).order_by(FeedbackRow.id)
            if conversation_id is not None:
                query = query.where(FeedbackRow.conversation_id == conversation_id)
            return [
                {
                    "conversation_id": f.conversation_id,
                    "message_id": f.message_id,
                    "rating": f.rating,
                    "comment": f.comment,
                    "created_at": _iso(f.created_at),
                }
                for f in session.scalars(query)
            ]

    def question_log(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest logged questions, newest first."""
        with self._sessions() as session:
            rows = session.scalars(select(QuestionLogRow).order_by(QuestionLogRow.id.desc()).limit(limit))
            return [
                {
                    "conversation_id": r.conversation_id,
                    "message_id": r.message_id,
                    "question": r.question,
                    "query": r.query,
                    "language": r.language,
                    "refused": r.refused,
                    "mode": r.mode,
                    "top_chunk_ids": list(r.top_chunk_ids or []),
                    "created_at": _iso(r.created_at),
                }
                for r in rows
            ]

    # --- writing --------------------------------------------------------------------------------

    def record_exchange(self, conversation_id: str | None, question: str, answer: Answer) -> Exchange:
        """Store a question, its answer and a log entry in one transaction.

        Nothing is written before the answer is complete, so a question abandoned half-way (the
        client left) leaves no dangling turn in the history of later follow-ups.
        """
        with self._sessions.begin() as session:
            convo = session.get(ConversationRow, conversation_id) if conversation_id else None
            if convo is None:
                convo = ConversationRow(id=conversation_id or _new_id(), language=answer.language)
                session.add(convo)
                session.flush()
            position = session.scalar(
                select(func.coalesce(func.max(MessageRow.position), -1)).where(
                    MessageRow.conversation_id == convo.id
                )
            )
            start = int(position if position is not None else -1) + 1
            asked = MessageRow(
                conversation_id=convo.id,
                position=start,
                role="user",
                content=question,
                language=answer.language,
            )
            replied = MessageRow(
                conversation_id=convo.id,
                position=start + 1,
                role="assistant",
                content=answer.text,
                citations=answer.citations,
                refused=answer.refused,
                mode=answer.mode,
                language=answer.language,
            )
            session.add_all([asked, replied])
            convo.updated_at = _now()
            session.flush()
            session.add(
                QuestionLogRow(
                    conversation_id=convo.id,
                    message_id=replied.id,
                    question=question,
                    query=answer.query or None,
                    language=answer.language,
                    refused=answer.refused,
                    mode=answer.mode,
                    top_chunk_ids=list(answer.top_chunk_ids),
                )
            )
            return Exchange(conversation_id=convo.id, message_id=replied.id)

    def add_feedback(self, conversation_id: str, message_id: str, rating: str, comment: str | None) -> bool:
        """Store (or replace) the rating of one answer; False when no such answer is in that conversation."""
        with self._sessions.begin() as session:
            message = session.get(MessageRow, message_id)
            if message is None or message.conversation_id != conversation_id or message.role != "assistant":
                return False
            if message.feedback is None:
                message.feedback = FeedbackRow(
                    conversation_id=conversation_id, message_id=message_id, rating=rating, comment=comment
                )
            else:
                message.feedback.rating = rating
                # A rating changed without a comment keeps the comment given before.
                if comment is not None:
                    message.feedback.comment = comment
                message.feedback.updated_at = _now()
            return True


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite gives naive datetimes back; they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()
