"""The web API with the real core behind it: real retrieval, the real openai/LangChain client, and the
LLM stub over HTTP for chat and embeddings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant import service
from assistant.prompts import LANGUAGE_NAMES, REFUSAL_MARKER
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.support.llm_stub import LLMStub
from tests.web.helpers import parse_sse, stubbed_settings
from web.main import create_app

QUESTION = "Hur går en förfrågan om information till?"


def ask(client: TestClient, message: str = QUESTION, **extra: Any) -> list[tuple[str, Any]]:
    response = client.post("/api/chat", json={"message": message, **extra})
    assert response.status_code == 200, response.text
    return parse_sse(response.text)


def test_a_cited_answer_streams_from_the_llm(core_client: TestClient, llm: LLMStub) -> None:
    llm.enqueue("Publicera en förfrågan om information och ge alla leverantörer samma svar [1].")
    events = ask(core_client)
    tokens = [data["text"] for name, data in events if name == "token"]
    assert len(tokens) > 3 and "".join(tokens).endswith("samma svar [1].")
    sources = next(data for name, data in events if name == "sources")
    assert [s["n"] for s in sources] == [1]
    assert sources[0]["title"] == "Tidig dialog med marknaden"
    assert "förfrågan om information" in sources[0]["location"].lower()
    assert "Publicera en förfrågan om information" in sources[0]["text"]
    done = events[-1][1]
    assert events[-1][0] == "done" and done["mode"] == "llm" and done["refused"] is False


def test_a_follow_up_reaches_the_llm_with_the_conversation(core_client: TestClient, llm: LLMStub) -> None:
    first = ask(core_client)[-1][1]
    llm.enqueue("förfrågan om information möten", "Ja, dokumentera mötena [1].")
    second = ask(core_client, "Och mötena, ska de dokumenteras?", conversation_id=first["conversation_id"])
    assert second[-1][0] == "done" and second[-1][1]["conversation_id"] == first["conversation_id"]
    answer_request = llm.chat_requests[-1]["messages"]
    contents = [m["content"] for m in answer_request]
    assert QUESTION in contents, "the earlier question is part of the prompt"
    assert contents[-1] == "Och mötena, ska de dokumenteras?"
    thread = core_client.get(f"/api/conversations/{first['conversation_id']}").json()
    assert len(thread["messages"]) == 4


def test_the_refusal_marker_becomes_a_refusal(core_client: TestClient, llm: LLMStub) -> None:
    llm.enqueue(REFUSAL_MARKER)
    events = ask(core_client)
    assert REFUSAL_MARKER not in str(events)
    assert events[-1][1]["refused"] is True
    (request,) = llm.chat_requests
    assert request["messages"][-1]["content"] == QUESTION, "the model was asked, and it refused"
    assert REFUSAL_MARKER in request["messages"][0]["content"]


def test_a_question_without_evidence_is_refused_before_the_model_is_asked(
    core_client: TestClient, llm: LLMStub
) -> None:
    events = ask(core_client, "Vad kostar en kaffe i Kiruna?")
    assert events[-1][0] == "done" and events[-1][1]["refused"] is True
    assert next(data for name, data in events if name == "sources") == []
    assert llm.chat_requests == []


@dataclass(frozen=True)
class Spoken:
    name: str
    message: str
    language: str | None  # as the request names it
    replies: tuple[str, ...]  # what the model says (a rewrite of an English question comes first)
    expected: str


SPOKEN = [
    Spoken("swedish question", QUESTION, None, ("Publicera en förfrågan [1].",), "sv"),
    Spoken(
        "english question",
        "How does a request for information work?",
        None,
        ("Hur går en förfrågan om information till", "Publish a request for information [1]."),
        "en",
    ),
    Spoken("swedish question, english asked for", QUESTION, "en", ("Publish a request [1].",), "en"),
]


@pytest.mark.parametrize("case", SPOKEN, ids=lambda c: c.name)
def test_done_tells_the_language_the_answer_was_given_in(
    core_client: TestClient, llm: LLMStub, case: Spoken
) -> None:
    llm.enqueue(*case.replies)
    extra = {"language": case.language} if case.language else {}
    events = ask(core_client, case.message, **extra)
    assert events[-1][0] == "done" and events[-1][1]["language"] == case.expected
    system = llm.chat_requests[-1]["messages"][0]["content"]
    assert f"Svara på {LANGUAGE_NAMES[case.expected]}." in system, "the model was told the same language"


def test_without_an_llm_the_answer_is_excerpts(settings: Settings, llm: LLMStub, docs: Path) -> None:
    configured = stubbed_settings(settings, llm, with_llm=False)
    sync([docs], ChunkStore(configured))
    with TestClient(create_app(configured)) as client:
        assert client.get("/api/health").json()["llm"] is False
        events = ask(client)
    done = events[-1][1]
    assert done["mode"] == "extractive" and done["refused"] is False
    assert next(data for name, data in events if name == "sources")
    assert llm.chat_requests == [], "no language model may be called"


def test_health_and_search_read_the_real_index(core_client: TestClient) -> None:
    health = core_client.get("/api/health").json()
    assert health["status"] == "ok" and health["documents"] == 2 and health["chunks"] > 2
    assert health["llm"] is True and health["embedding_model"] == "openai:stub-embed"
    results = core_client.post("/api/search", json={"query": "förfrågan om information", "k": 3}).json()[
        "results"
    ]
    assert len(results) == 3
    assert "Publicera en förfrågan om information" in results[0]["text"], "the passage that answers is first"
    assert [r["rank"] for r in results] == [1, 2, 3]
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1], scores


@dataclass(frozen=True)
class NotAQuestion:
    name: str
    body: dict[str, Any]
    key: str
    expected: str


# The app is configured with max_question_chars=60: the limit is the setting's, and the core's.
NOT_QUESTIONS = [
    NotAQuestion(
        "empty",
        {"message": "   "},
        "empty_question",
        "Skriv en fråga först. / Please write a question first.",
    ),
    NotAQuestion(
        "empty, in English",
        {"message": "", "language": "en"},
        "empty_question",
        "Please write a question first.",
    ),
    NotAQuestion(
        "too long",
        {"message": QUESTION.ljust(61, "?")},
        "question_too_long",
        "Frågan är för lång (högst 60 tecken). / The question is too long (at most 60 characters).",
    ),
]


@pytest.fixture
def short_client(core_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(core_settings.model_copy(update={"max_question_chars": 60}))) as client:
        yield client


@pytest.mark.parametrize("case", NOT_QUESTIONS, ids=lambda c: c.name)
def test_the_core_refuses_an_empty_or_too_long_question_with_a_422(
    short_client: TestClient, llm: LLMStub, case: NotAQuestion
) -> None:
    llm.reset()  # forget the indexing's embedding requests
    response = short_client.post("/api/chat", json=case.body)
    assert response.status_code == 422
    assert response.json() == {"detail": case.expected, "key": case.key}
    assert llm.requests == [], "nothing reached the model, not even an embedding"


def test_a_question_at_the_configured_limit_is_answered(short_client: TestClient, llm: LLMStub) -> None:
    question = QUESTION.ljust(60, "?")
    events = ask(short_client, question)
    assert events[-1][0] == "done" and events[-1][1]["refused"] is False
    assert llm.chat_requests[-1]["messages"][-1]["content"] == question


def test_an_unreachable_chat_model_gives_way_to_cited_excerpts_with_a_note(
    settings: Settings, llm: LLMStub, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "RETRY_BACKOFF_S", 0.0)
    configured = stubbed_settings(settings, llm)
    sync([docs], ChunkStore(configured))
    llm.reset()
    with LLMStub() as broken:
        broken.fail_with = 503
        # The chat model and the embeddings have their own base URLs: only the chat model fails.
        where = {"openai_base_url": broken.base_url, "embedding_base_url": llm.base_url}
        with TestClient(create_app(configured.model_copy(update=where))) as client:
            response = client.post("/api/chat", json={"message": QUESTION})
    events = parse_sse(response.text)
    assert [name for name, _ in events][-2:] == ["sources", "done"]
    assert events[-1][1]["mode"] == "extractive" and events[-1][1]["refused"] is False
    text = "".join(data["text"] for name, data in events if name == "token")
    assert text.startswith("Språkmodellen svarar inte just nu")
    assert events[-2][1], "the excerpts are cited"
    assert "Traceback" not in response.text and "APIStatusError" not in response.text
    assert len(broken.chat_requests) == 1 + configured.llm_retries
    assert broken.chat_requests[-1]["messages"][-1]["content"] == QUESTION


def test_unreachable_embeddings_are_a_user_facing_error_event(
    settings: Settings, llm: LLMStub, docs: Path
) -> None:
    configured = stubbed_settings(settings, llm)
    sync([docs], ChunkStore(configured))
    llm.reset()
    with LLMStub() as broken:
        broken.fail_with = 503
        where = {"embedding_base_url": broken.base_url}
        with TestClient(create_app(configured.model_copy(update=where))) as client:
            response = client.post("/api/chat", json={"message": QUESTION})
    events = parse_sse(response.text)
    assert events == [
        (
            "error",
            {
                "message": "Språkmodellen svarar inte just nu. Försök igen om en stund.",
                "key": "llm_unavailable",
            },
        )
    ]
    assert "Traceback" not in response.text and "APIStatusError" not in response.text
    assert broken.embedding_requests and broken.chat_requests == [] and llm.requests == []


def test_search_takes_what_the_core_takes(core_settings: Settings) -> None:
    # The core alone decides what may be asked; search maps its verdict to 422 like chat does.
    with TestClient(create_app(core_settings.model_copy(update={"max_question_chars": 60}))) as client:
        assert client.post("/api/search", json={"query": "innovationspartnerskap " * 2}).status_code == 200
        empty = client.post("/api/search", json={"query": "  "})
        too_long = client.post("/api/search", json={"query": "x" * 61})
    assert (empty.status_code, empty.json()["key"]) == (422, "empty_question")
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == (
        "Frågan är för lång (högst 60 tecken). / The question is too long (at most 60 characters)."
    )
