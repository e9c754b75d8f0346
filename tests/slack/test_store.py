"""The Slack records: deliveries remembered for a while, threads tied to conversations, escalations.

On SQLite and, as a slow test, on a real PostgreSQL (the cluster tests/web/test_postgres.py starts),
where a lost race surfaces as a different error. Keys are unique per test: the PostgreSQL database is
shared by the module.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from assistant.settings import Settings
from records import Answer, ConversationStore, SlackStore
from records.models import utcnow
from records.slack import EVENT_MEMORY
from tests.web.test_postgres import postgres_url  # noqa: F401 - the fixture, started when asked for


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def stores(
    request: pytest.FixtureRequest, settings: Settings
) -> Iterator[tuple[ConversationStore, SlackStore]]:
    url = settings.sql_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    conversations = ConversationStore.from_url(url)
    yield conversations, SlackStore(conversations.engine)
    conversations.dispose()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def answered(conversations: ConversationStore) -> tuple[str, str]:
    answer = Answer("Svar [1].", [], refused=False, mode="llm", language="sv", query="q", top_chunk_ids=[])
    exchange = conversations.record_exchange(None, "Fråga?", answer, channel="slack")
    return exchange.conversation_id, exchange.message_id


def test_a_delivery_is_claimed_once_while_it_is_remembered(
    stores: tuple[ConversationStore, SlackStore],
) -> None:
    _, slack = stores
    now = utcnow()
    first, second = unique("e:"), unique("e:")
    assert slack.claim_event(first, now=now) is True
    assert slack.claim_event(first, now=now + timedelta(minutes=1)) is False
    assert slack.claim_event(second, now=now) is True
    # Forgotten after the memory: the table does not grow without end.
    assert slack.claim_event(first, now=now + EVENT_MEMORY + timedelta(seconds=1)) is True


def test_of_many_workers_claiming_one_delivery_at_once_one_wins(
    stores: tuple[ConversationStore, SlackStore],
) -> None:
    _, slack = stores
    key = unique("e:")
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(lambda _: slack.claim_event(key), range(8)))
    assert won.count(True) == 1


def test_a_thread_keeps_the_first_conversation_tied_to_it(
    stores: tuple[ConversationStore, SlackStore],
) -> None:
    conversations, slack = stores
    first, _ = answered(conversations)
    second, _ = answered(conversations)
    team = unique("T")
    assert slack.thread_conversation(team, "C1", "1.0") is None
    assert slack.link_thread(team, "C1", "1.0", first) == first
    assert slack.link_thread(team, "C1", "1.0", second) == first, "a race to tie a thread keeps the first"
    assert slack.thread_conversation(team, "C1", "1.0") == first
    assert slack.thread_conversation(team, "C2", "1.0") is None
    thread = slack.thread_of(first)
    assert thread is not None and (thread.channel_id, thread.thread_ts) == ("C1", "1.0")
    assert slack.thread_of(second) is None


def test_an_escalation_is_opened_taken_and_resolved(stores: tuple[ConversationStore, SlackStore]) -> None:
    conversations, slack = stores
    conversation_id, message_id = answered(conversations)
    opened = slack.open_escalation(conversation_id, message_id, requested_by="U1", thread_link="https://x/p1")
    assert (opened.status, opened.requested_by, opened.thread_link) == ("open", "U1", "https://x/p1")
    slack.escalation_posted(opened.id, "C0ADVISORS", "2.0")
    taken = slack.take_escalation(opened.id, "U2")
    assert taken is not None and (taken.status, taken.taken_by) == ("taken", "U2")
    resolved = slack.resolve_escalation(opened.id, "U3", note="Svarat i tråden")
    assert resolved is not None
    assert (resolved.status, resolved.taken_by, resolved.resolved_by, resolved.note) == (
        "resolved",
        "U2",
        "U3",
        "Svarat i tråden",
    )
    assert (resolved.posted_channel, resolved.posted_ts) == ("C0ADVISORS", "2.0")
    assert [e.id for e in slack.escalations("resolved") if e.conversation_id == conversation_id] == [
        opened.id
    ]
    assert [e for e in slack.escalations("open") if e.conversation_id == conversation_id] == []
    assert slack.resolve_escalation(999, "U3") is None and slack.take_escalation(999, "U3") is None


def test_resolving_an_untaken_escalation_takes_it_too(stores: tuple[ConversationStore, SlackStore]) -> None:
    conversations, slack = stores
    conversation_id, message_id = answered(conversations)
    opened = slack.open_escalation(conversation_id, message_id, requested_by="U1", thread_link=None)
    resolved = slack.resolve_escalation(opened.id, "U2")
    assert resolved is not None and (resolved.taken_by, resolved.resolved_by) == ("U2", "U2")
