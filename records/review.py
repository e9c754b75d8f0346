"""What the advisors review: the question log with its answers and feedback, filtered; a weekly count;
and their verdicts on groups of questions the corpus does not answer (gaps).

Only what is stored is shown: the log is masked and pruned where it is written (records.conversations,
records.retention), and nothing here adds to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from records.accounts import aware, iso
from records.database import build_engine
from records.migrations import upgrade
from records.models import FeedbackRow, GapRow, MessageRow, QuestionLogRow, utcnow

SelectLike = TypeVar("SelectLike", bound=Any)  # a Select of any row shape
OUTCOMES = ("answered", "no_evidence", "injection", "error")
GAP_STATUSES = ("open", "resolved")


@dataclass(frozen=True)
class ReviewFilter:
    refused: bool | None = None
    outcome: str | None = None  # one of OUTCOMES, as the log recorded it
    rating: str | None = None  # "up" | "down"
    since: date | None = None
    until: date | None = None  # inclusive
    text: str | None = None  # in the question or the searched query


def _row(log: QuestionLogRow, feedback: FeedbackRow | None) -> dict[str, Any]:
    return {
        "id": log.id,
        "created_at": iso(log.created_at),
        "channel": log.channel,
        "language": log.language,
        "question": log.question,
        "query": log.query,
        "mode": log.mode,
        "refused": log.refused,
        "outcome": log.outcome or ("no_evidence" if log.refused else "answered"),
        "evidence": log.evidence,
        "passages": list(log.passages or []),
        "cited_ids": list(log.cited_ids or []),
        "top_chunk_ids": list(log.top_chunk_ids or []),
        "elapsed_ms": log.elapsed_ms,
        "rating": feedback.rating if feedback else None,
        "comment": feedback.comment if feedback else None,
        "conversation_id": log.conversation_id,
        "message_id": log.message_id,
    }


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Review:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Review:
        engine = build_engine(url)
        upgrade(engine)
        return cls(engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # --- the question log -----------------------------------------------------------------------

    @staticmethod
    def _filtered(query: SelectLike, f: ReviewFilter) -> SelectLike:
        if f.refused is not None:
            query = query.where(QuestionLogRow.refused.is_(f.refused))
        if f.outcome == "answered":
            query = query.where(
                or_(
                    QuestionLogRow.outcome == "answered",
                    QuestionLogRow.outcome.is_(None) & ~QuestionLogRow.refused,
                )
            )
        elif f.outcome == "no_evidence":
            query = query.where(
                or_(
                    QuestionLogRow.outcome == "no_evidence",
                    QuestionLogRow.outcome.is_(None) & QuestionLogRow.refused,
                )
            )
        elif f.outcome:
            query = query.where(QuestionLogRow.outcome == f.outcome)
        if f.rating:
            query = query.where(FeedbackRow.rating == f.rating)
        if f.since:
            query = query.where(QuestionLogRow.created_at >= _start_of(f.since))
        if f.until:
            query = query.where(QuestionLogRow.created_at < _start_of(f.until + timedelta(days=1)))
        if f.text:
            pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                or_(
                    QuestionLogRow.question.ilike(pattern, escape="\\"),
                    QuestionLogRow.query.ilike(pattern, escape="\\"),
                )
            )
        return query

    def entries(self, f: ReviewFilter, limit: int = 100, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Matching log entries, newest first, and how many match in all."""
        base = select(QuestionLogRow, FeedbackRow).outerjoin(
            FeedbackRow, FeedbackRow.message_id == QuestionLogRow.message_id
        )
        query = self._filtered(base, f)
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.execute(query.order_by(QuestionLogRow.id.desc()).limit(limit).offset(offset))
            return [_row(log, feedback) for log, feedback in rows], int(total)

    def entry(self, entry_id: int) -> dict[str, Any] | None:
        """One entry with the answer that was given."""
        with self._sessions() as session:
            log = session.get(QuestionLogRow, entry_id)
            if log is None:
                return None
            feedback = session.scalar(select(FeedbackRow).where(FeedbackRow.message_id == log.message_id))
            found = _row(log, feedback)
            message = session.get(MessageRow, log.message_id) if log.message_id else None
            found["answer"] = message.content if message else None
            found["citations"] = list(message.citations or []) if message else []
            return found

    def weekly(self, weeks: int = 12, today: date | None = None) -> list[dict[str, Any]]:
        """Questions, refusals and 👎 per ISO week, the last ``weeks`` weeks, oldest first."""
        today = today or utcnow().date()
        monday = today - timedelta(days=today.weekday())
        first = monday - timedelta(weeks=weeks - 1)
        counts = {first + timedelta(weeks=n): {"questions": 0, "refused": 0, "down": 0} for n in range(weeks)}
        query = (
            select(QuestionLogRow.created_at, QuestionLogRow.refused, FeedbackRow.rating)
            .outerjoin(FeedbackRow, FeedbackRow.message_id == QuestionLogRow.message_id)
            .where(QuestionLogRow.created_at >= _start_of(first))
        )
        with self._sessions() as session:
            for created, refused, rating in session.execute(query):
                day = aware(created).date()
                week = counts.get(day - timedelta(days=day.weekday()))
                if week is None:
                    continue
                week["questions"] += 1
                week["refused"] += int(bool(refused))
                week["down"] += int(rating == "down")
        return [
            {
                "week": f"{start.isocalendar().year}-V{start.isocalendar().week:02d}",
                "start": start.isoformat(),
                **c,
            }
            for start, c in counts.items()
        ]

    def questions_of(self, message_ids: list[str]) -> dict[str, str]:
        """answer id → the question it answered, as logged (for the escalation queue)."""
        if not message_ids:
            return {}
        with self._sessions() as session:
            rows = session.execute(
                select(QuestionLogRow.message_id, QuestionLogRow.question).where(
                    QuestionLogRow.message_id.in_(message_ids)
                )
            )
            return {str(m): q for m, q in rows if m}

    # --- gaps -----------------------------------------------------------------------------------

    def unanswered(self, limit: int = 5000) -> list[dict[str, Any]]:
        """Refused and down-voted questions, oldest first: what gaps are grouped from."""
        query = (
            select(QuestionLogRow, FeedbackRow)
            .outerjoin(FeedbackRow, FeedbackRow.message_id == QuestionLogRow.message_id)
            .where(or_(QuestionLogRow.refused.is_(True), FeedbackRow.rating == "down"))
            .order_by(QuestionLogRow.id.desc())
            .limit(limit)
        )
        with self._sessions() as session:
            rows = [_row(log, feedback) for log, feedback in session.execute(query)]
        return rows[::-1]

    def verdicts(self) -> dict[str, dict[str, Any]]:
        with self._sessions() as session:
            return {
                g.key: {
                    "status": g.status,
                    "note": g.note,
                    "updated_by": g.updated_by,
                    "updated_at": iso(g.updated_at),
                }
                for g in session.scalars(select(GapRow))
            }

    def set_verdict(self, key: str, status: str, note: str | None, actor: str) -> None:
        if status not in GAP_STATUSES:
            raise ValueError(status)
        with self._sessions.begin() as session:
            row = session.get(GapRow, key) or GapRow(key=key)
            row.status, row.note, row.updated_by, row.updated_at = status, note, actor, utcnow()
            session.add(row)
