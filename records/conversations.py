"""Conversations, their messages, feedback and the question log, for every channel.

The web chat and the Slack adapter write them; the advisors' area and the CLI read them. The methods
are synchronous: async callers run them in a thread, never on the event loop.

Personal data never reaches the tables: every text stored (questions, answers, the logged query,
feedback comments) goes through ``assistant.privacy.mask`` here, the one place every channel writes
through, and what is read back is masked again (rows stored before masking existed).
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import sessionmaker

from assistant.events import Done
from assistant.privacy import introduced_names, mask
from assistant.types import Turn
from records.database import build_engine
from records.migrations import upgrade
from records.models import (
    Channel,
    ConversationRow,
    FeedbackRow,
    MessageRow,
    QuestionLogRow,
    new_id,
    utcnow,
)
from records.retention import secure_sqlite_file

log = logging.getLogger(__name__)

# Exchanges in one conversation are written one at a time: in this process by a lock per conversation
# (striped, so the table of locks stays small), across processes by the unique index on
# (conversation_id, position) and a retry, and on PostgreSQL by locking the conversation's row.
_STRIPES = tuple(threading.Lock() for _ in range(64))
_ATTEMPTS = 8
REVIEW_PASSAGES = 10  # passages kept per logged question for the advisors' review


def _serialised(conversation_id: str | None) -> AbstractContextManager[object]:
    if not conversation_id:
        return nullcontext()  # a new conversation: nobody else can be writing it
    return _STRIPES[hash(conversation_id) % len(_STRIPES)]


def _stored(text: str, names: list[str] | None = None) -> str:
    """Text as it may be stored: personal data masked (and ``names`` the question introduced), and
    no NUL (PostgreSQL refuses it in text)."""
    return mask(text.replace("\x00", ""), names or ())


@dataclass(frozen=True)
class Exchange:
    """A question and its answer as stored: the ids the client needs for feedback and reloads."""

    conversation_id: str
    message_id: str  # the answer's id


@dataclass(frozen=True)
class Answer:
    """What the core said, as an adapter hands it over for storage."""

    text: str
    citations: list[dict[str, Any]]
    refused: bool
    mode: str
    language: str
    query: str
    top_chunk_ids: list[str]
    # For the advisors' review (see QuestionLogRow): the evidence score, the passages retrieved with
    # their scores, those cited, the time from question to answer, and how it ended.
    evidence: float | None = None
    passages: list[dict[str, Any]] | None = None
    cited_ids: list[str] | None = None
    elapsed_ms: int | None = None
    outcome: str | None = None

    @classmethod
    def of(cls, done: Done, citations: list[dict[str, Any]], elapsed_ms: int | None = None) -> Answer:
        """The core's ``Done`` event and the citations shown with it, as stored — one rule for every
        channel."""
        return cls(
            text=done.answer,
            citations=citations,
            refused=done.refused,
            mode=done.mode,
            language=done.language,
            query=done.query,
            top_chunk_ids=list(done.top_chunk_ids),
            evidence=done.evidence,
            passages=[
                {"id": p.chunk.id, "score": round(p.score, 4)} for p in done.retrieved[:REVIEW_PASSAGES]
            ],
            cited_ids=[str(c["chunk_id"]) for c in citations if c.get("chunk_id")],
            elapsed_ms=elapsed_ms,
            outcome=done.outcome,
        )


class ConversationStore:
    """Conversations and what hangs off them; knows nothing about HTTP or Slack."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> ConversationStore:
        """Open the database at ``url``, bringing its schema up to date first."""
        secure_sqlite_file(url)  # before anything creates it world-readable
        engine = build_engine(url)
        upgrade(engine)
        return cls(engine)

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
            return [Turn(role=row.role, content=mask(row.content)) for row in rows]

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """The whole thread as the page restores it, or None when there is no such conversation."""
        with self._sessions() as session:
            convo = session.get(ConversationRow, conversation_id)
            if convo is None:
                return None
            return {
                "id": convo.id,
                "language": convo.language,
                "channel": convo.channel,
                "created_at": _iso(convo.created_at),
                "updated_at": _iso(convo.updated_at),
                "messages": [
                    {
                        "id": m.id,
                        "role": m.role,
                        "content": mask(m.content),
                        "citations": list(m.citations or []),
                        "refused": m.refused,
                        "mode": m.mode,
                        "language": m.language,
                        "created_at": _iso(m.created_at),
                        "feedback": (
                            {"rating": m.feedback.rating, "comment": _masked(m.feedback.comment)}
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
                    "comment": _masked(f.comment),
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
                    "question": mask(r.question),
                    "query": _masked(r.query),
                    "language": r.language,
                    "refused": r.refused,
                    "mode": r.mode,
                    "top_chunk_ids": list(r.top_chunk_ids or []),
                    "created_at": _iso(r.created_at),
                    "channel": r.channel,
                    "evidence": r.evidence,
                    "passages": list(r.passages or []),
                    "cited_ids": list(r.cited_ids or []),
                    "elapsed_ms": r.elapsed_ms,
                    "outcome": r.outcome,
                }
                for r in rows
            ]

    # --- writing --------------------------------------------------------------------------------

    def record_exchange(
        self, conversation_id: str | None, question: str, answer: Answer, *, channel: Channel = "web"
    ) -> Exchange:
        """Store a question, its answer and a log entry in one transaction, personal data masked.

        Nothing is written before the answer is complete, so a question abandoned half-way (the
        client left) leaves no dangling turn in the history of later follow-ups. Exchanges in one
        conversation are written one after the other, each as a user turn followed by its answer,
        however many arrive at once and from however many processes.
        """
        with _serialised(conversation_id):
            for attempt in range(_ATTEMPTS):
                try:
                    return self._record(conversation_id, question, answer, channel)
                except (IntegrityError, OperationalError) as exc:
                    # Another process took the same place (unique index) or held the SQLite write
                    # lock past the busy timeout: read the conversation again and retry.
                    if attempt == _ATTEMPTS - 1 or not _retryable(exc):
                        raise
                    log.info("exchange in conversation %s collided; retrying", conversation_id)
                    time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _record(
        self, conversation_id: str | None, question: str, answer: Answer, channel: Channel
    ) -> Exchange:
        names = introduced_names(question)  # an answer that greets the asker by name
        with self._sessions.begin() as session:
            convo = (
                session.get(ConversationRow, conversation_id, with_for_update=True)
                if conversation_id
                else None
            )
            if convo is None:
                convo = ConversationRow(
                    id=conversation_id or new_id(), language=answer.language, channel=channel
                )
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
                content=_stored(question),
                language=answer.language,
            )
            replied = MessageRow(
                conversation_id=convo.id,
                position=start + 1,
                role="assistant",
                content=_stored(answer.text, names),
                citations=answer.citations,
                refused=answer.refused,
                mode=answer.mode,
                language=answer.language,
            )
            session.add_all([asked, replied])
            convo.updated_at = utcnow()
            session.flush()
            session.add(
                QuestionLogRow(
                    conversation_id=convo.id,
                    message_id=replied.id,
                    question=_stored(question),
                    query=_stored(answer.query, names) or None,
                    language=answer.language,
                    refused=answer.refused,
                    mode=answer.mode,
                    top_chunk_ids=list(answer.top_chunk_ids),
                    channel=channel,
                    evidence=answer.evidence,
                    passages=answer.passages,
                    cited_ids=answer.cited_ids,
                    elapsed_ms=answer.elapsed_ms,
                    outcome=answer.outcome,
                )
            )
            return Exchange(conversation_id=convo.id, message_id=replied.id)

    def add_feedback(self, conversation_id: str, message_id: str, rating: str, comment: str | None) -> bool:
        """Store (or replace) the rating of one answer; False when no such answer is in that conversation."""
        comment = _stored(comment) if comment is not None else None
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
                message.feedback.updated_at = utcnow()
            return True


def _retryable(exc: IntegrityError | OperationalError) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a place or a new conversation's id taken by a concurrent writer
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or "deadlock" in text or "serializ" in text


def _masked(text: str | None) -> str | None:
    return mask(text) if text is not None else None


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite gives naive datetimes back; they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()
