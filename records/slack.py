"""Slack's share of the records: which conversation a thread holds, which deliveries were already
seen, and the questions handed to an advisor.

Like the conversation store it is synchronous; async callers (the Slack adapter) run it in a thread.
It knows nothing of Slack's API: ids and timestamps are plain strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from records.models import EscalationRow, SlackEventRow, SlackThreadRow, utcnow

# How long a delivery is remembered. Slack retries within minutes (after 1 s, 1 min and 5 min).
EVENT_MEMORY = timedelta(minutes=10)


@dataclass(frozen=True)
class SlackThread:
    team_id: str
    channel_id: str
    thread_ts: str
    conversation_id: str


@dataclass(frozen=True)
class Escalation:
    """A question handed to an advisor, and where it stands."""

    id: int
    conversation_id: str
    message_id: str | None
    status: str  # "open" | "taken" | "resolved"
    requested_by: str | None
    taken_by: str | None
    resolved_by: str | None
    note: str | None
    thread_link: str | None
    posted_channel: str | None
    posted_ts: str | None


class SlackStore:
    """Threads, delivered events and escalations, in the same database as the conversations."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # --- deliveries -----------------------------------------------------------------------------

    def claim_event(self, key: str, *, now: datetime | None = None) -> bool:
        """True the first time ``key`` is seen within ``EVENT_MEMORY``; False for a redelivery.

        The primary key decides, so two workers handed the same delivery at once cannot both win.
        """
        now = now or utcnow()
        with self._sessions.begin() as session:
            session.execute(delete(SlackEventRow).where(SlackEventRow.seen_at < now - EVENT_MEMORY))
        try:
            with self._sessions.begin() as session:
                session.add(SlackEventRow(event_id=key[:64], seen_at=now))
        except IntegrityError:
            return False
        return True

    # --- threads ----------------------------------------------------------------------------------

    def thread_conversation(self, team_id: str, channel_id: str, thread_ts: str) -> str | None:
        """The conversation a thread holds, or None when the bot has not answered in it."""
        with self._sessions() as session:
            return session.scalar(
                select(SlackThreadRow.conversation_id).where(
                    SlackThreadRow.team_id == team_id,
                    SlackThreadRow.channel_id == channel_id,
                    SlackThreadRow.thread_ts == thread_ts,
                )
            )

    def link_thread(self, team_id: str, channel_id: str, thread_ts: str, conversation_id: str) -> str:
        """Tie a thread to a stored conversation; the conversation already tied to it wins."""
        try:
            with self._sessions.begin() as session:
                session.add(
                    SlackThreadRow(
                        team_id=team_id,
                        channel_id=channel_id,
                        thread_ts=thread_ts,
                        conversation_id=conversation_id,
                    )
                )
        except IntegrityError:
            existing = self.thread_conversation(team_id, channel_id, thread_ts)
            if existing is None:
                raise
            return existing
        return conversation_id

    def thread_of(self, conversation_id: str) -> SlackThread | None:
        """The Slack thread holding a conversation, if it was held in Slack."""
        with self._sessions() as session:
            row = session.scalars(
                select(SlackThreadRow).where(SlackThreadRow.conversation_id == conversation_id).limit(1)
            ).first()
            if row is None:
                return None
            return SlackThread(row.team_id, row.channel_id, row.thread_ts, row.conversation_id)

    # --- escalations ------------------------------------------------------------------------------

    def open_escalation(
        self,
        conversation_id: str,
        message_id: str | None,
        *,
        requested_by: str | None,
        thread_link: str | None,
    ) -> Escalation:
        with self._sessions.begin() as session:
            row = EscalationRow(
                conversation_id=conversation_id,
                message_id=message_id,
                channel="slack",
                status="open",
                requested_by=requested_by,
                thread_link=thread_link,
            )
            session.add(row)
            session.flush()
            return _escalation(row)

    def escalation_posted(self, escalation_id: int, channel: str, ts: str) -> None:
        """Remember where the hand-off was posted, so that message can be updated later."""
        with self._sessions.begin() as session:
            row = session.get(EscalationRow, escalation_id)
            if row is not None:
                row.posted_channel = channel
                row.posted_ts = ts
                row.updated_at = utcnow()

    def take_escalation(self, escalation_id: int, advisor: str) -> Escalation | None:
        """An advisor takes the question; None when there is no such escalation."""
        with self._sessions.begin() as session:
            row = session.get(EscalationRow, escalation_id)
            if row is None:
                return None
            if row.status == "open":
                row.status = "taken"
                row.taken_by = advisor
                row.updated_at = utcnow()
            return _escalation(row)

    def resolve_escalation(
        self, escalation_id: int, advisor: str, note: str | None = None
    ) -> Escalation | None:
        """Mark the question answered; the advisor who resolves an untaken one has taken it too."""
        with self._sessions.begin() as session:
            row = session.get(EscalationRow, escalation_id)
            if row is None:
                return None
            if row.status != "resolved":
                row.status = "resolved"
                row.taken_by = row.taken_by or advisor
                row.resolved_by = advisor
                if note is not None:
                    row.note = note
                row.updated_at = utcnow()
            return _escalation(row)

    def escalation(self, escalation_id: int) -> Escalation | None:
        with self._sessions() as session:
            row = session.get(EscalationRow, escalation_id)
            return _escalation(row) if row is not None else None

    def escalations(self, status: str | None = None) -> list[Escalation]:
        """Escalations, oldest first; only those in ``status`` when it is given."""
        with self._sessions() as session:
            query = select(EscalationRow).order_by(EscalationRow.id)
            if status is not None:
                query = query.where(EscalationRow.status == status)
            return [_escalation(row) for row in session.scalars(query)]


def _escalation(row: EscalationRow) -> Escalation:
    return Escalation(
        id=row.id,
        conversation_id=row.conversation_id,
        message_id=row.message_id,
        status=row.status,
        requested_by=row.requested_by,
        taken_by=row.taken_by,
        resolved_by=row.resolved_by,
        note=row.note,
        thread_link=row.thread_link,
        posted_channel=row.posted_channel,
        posted_ts=row.posted_ts,
    )
