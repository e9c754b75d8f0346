"""Item 3 of issue 12: parallel follow-ups in one conversation are stored in order.

Twenty exchanges recorded at once into one conversation must give 40 rows in 40 distinct places,
each question followed by its own answer — on SQLite and on PostgreSQL, with the in-process lock
and without it (as between worker processes, where only the database can serialise them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

import records.conversations as conversations_module
from assistant.settings import Settings
from records import Answer, ConversationStore
from records.models import MessageRow
from tests.web.helpers import FakeAssistant, LiveServer, Pause, answer_events, parse_sse
from tests.web.test_postgres import postgres_url  # noqa: F401 - the module-scoped PostgreSQL fixture
from web.deps import get_assistant
from web.main import create_app

PARALLEL = 20


def answer(text: str) -> Answer:
    return Answer(
        text=text, citations=[], refused=False, mode="llm", language="sv", query=text, top_chunk_ids=[]
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConversationStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    conversations = ConversationStore.from_url(url)
    yield conversations
    conversations.dispose()


def assert_in_order(store: ConversationStore, conversation_id: str, asked: int) -> None:
    with store._sessions() as session:
        rows = list(
            session.scalars(
                select(MessageRow)
                .where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.position)
            )
        )
    assert len(rows) == 2 * asked
    assert [r.position for r in rows] == list(range(2 * asked))
    assert [r.role for r in rows] == ["user", "assistant"] * asked
    for question, reply in zip(rows[::2], rows[1::2], strict=True):
        assert reply.content == question.content.replace("Fråga", "Svar")
    assert {r.content for r in rows[::2]} == {f"Fråga {i}" for i in range(asked)}


@pytest.mark.parametrize("lock", ["in-process lock", "database only"])
def test_parallel_exchanges_in_one_conversation_keep_their_order(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch, lock: str
) -> None:
    if lock == "database only":  # what separate worker processes get: no shared lock
        monkeypatch.setattr(conversations_module, "_serialised", lambda _: nullcontext())
    conversation_id = f"parallel{lock[:2]}{id(store) % 10_000}"

    def one(i: int) -> str:
        return store.record_exchange(conversation_id, f"Fråga {i}", answer(f"Svar {i}")).conversation_id

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        ids = list(pool.map(one, range(PARALLEL)))
    assert set(ids) == {conversation_id}
    assert_in_order(store, conversation_id, PARALLEL)


@pytest.mark.slow
def test_twenty_parallel_follow_ups_over_http_reload_as_user_assistant_pairs(settings: Settings) -> None:
    fake = FakeAssistant()
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 0, "max_concurrent_answers": 32}))
    app.dependency_overrides[get_assistant] = lambda: fake
    for i in range(PARALLEL + 1):
        fake.enqueue(Pause(0.05), *answer_events(f"Svar {i - 1}" if i else "Svar start"))

    async def run(url: str) -> tuple[str, list[dict[str, Any]]]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            first = parse_sse((await client.post("/api/chat", json={"message": "Fråga start"})).text)
            conversation_id = first[-1][1]["conversation_id"]

            async def follow_up(i: int) -> list[Any]:
                body = {"message": f"Fråga {i}", "conversation_id": conversation_id}
                return parse_sse((await client.post("/api/chat", json=body)).text)

            results = await asyncio.gather(*(follow_up(i) for i in range(PARALLEL)))
            assert all(events[-1][0] == "done" for events in results), results
            thread = (await client.get(f"/api/conversations/{conversation_id}")).json()
            return conversation_id, thread["messages"]

    with LiveServer(app) as server:
        _, messages = asyncio.run(run(server.url))
    assert len(messages) == 2 * (PARALLEL + 1)
    assert [m["role"] for m in messages] == ["user", "assistant"] * (PARALLEL + 1)
