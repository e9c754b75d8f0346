"""The JSON and SSE API against a scripted fake core (the conversation store is real SQLite)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.errors import StoreUnavailableError
from assistant.events import Error, Token
from assistant.settings import Settings
from assistant.types import Turn
from records import ConversationStore
from tests.web.helpers import FakeAssistant, Raise, answer_events, citation, parse_sse, passage

QUESTION = "När får man använda innovationspartnerskap?"


def chat(client: TestClient, message: str = QUESTION, **extra: Any) -> list[tuple[str, Any]]:
    response = client.post("/api/chat", json={"message": message, **extra})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


def done_of(events: list[tuple[str, Any]]) -> dict[str, Any]:
    assert events[-1][0] == "done", events
    data: dict[str, Any] = events[-1][1]
    return data


# --- chat ------------------------------------------------------------------------------------------


def test_chat_streams_tokens_then_sources_then_done(client: TestClient, fake: FakeAssistant) -> None:
    # The core answered in English although nobody asked: done reports the core's language.
    fake.enqueue(*answer_events(language="en"))
    events = chat(client)
    names = [name for name, _ in events]
    assert names[-2:] == ["sources", "done"] and set(names[:-2]) == {"token"}
    assert "".join(data["text"] for name, data in events if name == "token") == (
        "Innovationspartnerskap får delas in i etapper [1]."
    )
    sources = events[-2][1]
    assert sources[0].keys() >= {"n", "title", "location", "page", "url", "snippet", "text"}
    assert sources[0]["location"] == "LOU 6 kap. 31 §"
    done = done_of(events)
    assert done == {
        "conversation_id": done["conversation_id"],
        "message_id": done["message_id"],
        "refused": False,
        "mode": "llm",
        "language": "en",
    }
    assert done["conversation_id"] and done["message_id"]


def test_a_reload_gets_the_whole_thread_back(client: TestClient, fake: FakeAssistant) -> None:
    first = done_of(chat(client))
    fake.enqueue(*answer_events("Det gäller även etapper [1].", [citation(1)], mode="extractive"))
    second = done_of(chat(client, "Och etapperna?", conversation_id=first["conversation_id"]))
    assert second["conversation_id"] == first["conversation_id"]

    thread = client.get(f"/api/conversations/{first['conversation_id']}").json()
    assert [(m["role"], m["content"]) for m in thread["messages"]] == [
        ("user", QUESTION),
        ("assistant", "Innovationspartnerskap får delas in i etapper [1]."),
        ("user", "Och etapperna?"),
        ("assistant", "Det gäller även etapper [1]."),
    ]
    last = thread["messages"][-1]
    assert last["id"] == second["message_id"]
    assert last["mode"] == "extractive" and last["refused"] is False
    assert last["citations"][0]["title"] == "Lag om offentlig upphandling"


def test_a_follow_up_passes_the_stored_history_to_the_core(client: TestClient, fake: FakeAssistant) -> None:
    first = done_of(chat(client))
    chat(client, "Och etapperna?", conversation_id=first["conversation_id"], language="sv")
    assert fake.calls[0].history == []
    assert fake.calls[1].history == [
        Turn("user", QUESTION),
        Turn("assistant", "Innovationspartnerskap får delas in i etapper [1]."),
    ]
    assert fake.calls[1].language == "sv"


def test_a_refusal_is_marked_and_stored(client: TestClient, fake: FakeAssistant) -> None:
    fake.enqueue(*answer_events("Jag hittar inget stöd för det i underlaget.", [], refused=True))
    done = done_of(chat(client, "Vad kostar en kaffe i Kiruna?"))
    assert done["refused"] is True
    thread = client.get(f"/api/conversations/{done['conversation_id']}").json()
    assert thread["messages"][-1]["refused"] is True and thread["messages"][-1]["citations"] == []


def test_every_answered_question_is_logged(client: TestClient, app: FastAPI) -> None:
    done = done_of(chat(client))
    log = app.state.conversations.question_log()
    assert log[0]["question"] == QUESTION
    assert log[0]["refused"] is False and log[0]["top_chunk_ids"] == ["chunk-1"]
    assert log[0]["message_id"] == done["message_id"] and log[0]["created_at"]


def test_a_core_error_becomes_an_error_event_and_nothing_is_stored(
    client: TestClient, fake: FakeAssistant, app: FastAPI
) -> None:
    fake.enqueue(Error("llm_unavailable", "Språkmodellen svarar inte just nu. Försök igen om en stund."))
    events = chat(client)
    assert events == [
        (
            "error",
            {
                "message": "Språkmodellen svarar inte just nu. Försök igen om en stund.",
                "key": "llm_unavailable",
            },
        )
    ]
    assert app.state.conversations.question_log() == []


def test_a_bug_in_the_core_shows_no_exception_text(client: TestClient, fake: FakeAssistant) -> None:
    fake.enqueue(Token("Början "), Raise(RuntimeError("secret internals at /srv/db")))
    response = client.post("/api/chat", json={"message": QUESTION, "language": "en"})
    events = parse_sse(response.text)
    assert events[-1] == (
        "error",
        {"message": "Something went wrong on our side. Please try again shortly.", "key": "internal"},
    )
    assert (
        "secret" not in response.text
        and "RuntimeError" not in response.text
        and "Traceback" not in response.text
    )
    assert fake.closed_early == 1


@dataclass(frozen=True)
class BadChat:
    name: str
    body: dict[str, Any]
    status: int
    expected: str


# An empty or too long question is the core's to refuse: see test_with_core.py.
BAD_CHATS = [
    BadChat(
        "no message",
        {},
        422,
        "Ogiltig indata: message: Field required / Invalid input: message: Field required",
    ),
    BadChat("bad language", {"message": "Hej", "language": "de"}, 422, "Ogiltig indata: language:"),
    BadChat(
        "unknown conversation",
        {"message": QUESTION, "conversation_id": "nope"},
        404,
        "Konversationen finns inte (längre). Börja en ny konversation. / The conversation does not exist",
    ),
]


@pytest.mark.parametrize("case", BAD_CHATS, ids=lambda c: c.name)
def test_bad_chat_requests_get_one_line_swedish_then_english(
    client: TestClient, fake: FakeAssistant, case: BadChat
) -> None:
    response = client.post("/api/chat", json=case.body)
    assert response.status_code == case.status
    detail = response.json()["detail"]
    assert detail.startswith(case.expected)
    assert "\n" not in detail
    assert fake.calls == []


def test_a_question_the_core_refuses_to_take_is_a_422_not_a_stream(
    client: TestClient, fake: FakeAssistant, settings: Settings
) -> None:
    fake.enqueue(Error("question_too_long", "Frågan är för lång."), Token("never sent"))
    response = client.post("/api/chat", json={"message": QUESTION, "language": "en"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"The question is too long (at most {settings.max_question_chars} characters).",
        "key": "question_too_long",
    }
    (stream,) = fake.streams
    assert stream.ended == "closed" and stream.served == 1
    assert app_log(client) == []


def test_a_bug_before_the_first_event_is_a_500_without_exception_text(
    client: TestClient, fake: FakeAssistant
) -> None:
    fake.enqueue(Raise(RuntimeError("secret internals at /srv/db")))
    response = client.post("/api/chat", json={"message": QUESTION, "language": "en"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. Please try again shortly.",
        "key": "internal",
    }


def app_log(client: TestClient) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = client.app.state.conversations.question_log()  # type: ignore[attr-defined]
    return log


# --- feedback --------------------------------------------------------------------------------------


def test_feedback_is_stored_and_a_second_opinion_replaces_the_first(client: TestClient, app: FastAPI) -> None:
    done = done_of(chat(client))
    ids = {"conversation_id": done["conversation_id"], "message_id": done["message_id"]}
    assert client.post("/api/feedback", json={**ids, "rating": "up"}).status_code == 204
    assert (
        client.post(
            "/api/feedback", json={**ids, "rating": "down", "comment": " Saknar belopp. "}
        ).status_code
        == 204
    )
    assert client.post("/api/feedback", json={**ids, "rating": "down"}).status_code == 204
    stored = app.state.conversations.feedback(done["conversation_id"])
    assert [(f["rating"], f["comment"]) for f in stored] == [("down", "Saknar belopp.")]
    thread = client.get(f"/api/conversations/{done['conversation_id']}").json()
    assert thread["messages"][-1]["feedback"] == {"rating": "down", "comment": "Saknar belopp."}


def test_feedback_on_unknown_ids_is_a_clear_404(client: TestClient) -> None:
    done = done_of(chat(client))
    thread = client.get(f"/api/conversations/{done['conversation_id']}").json()
    question_id = thread["messages"][0]["id"]
    cases = [
        ({"conversation_id": "nope", "message_id": done["message_id"]}, "Konversationen finns inte"),
        ({"conversation_id": done["conversation_id"], "message_id": "nope"}, "Svaret finns inte"),
        ({"conversation_id": done["conversation_id"], "message_id": question_id}, "Svaret finns inte"),
    ]
    for ids, expected in cases:
        response = client.post("/api/feedback", json={**ids, "rating": "up"})
        assert response.status_code == 404
        assert response.json()["detail"].startswith(expected)


def test_feedback_needs_up_or_down(client: TestClient) -> None:
    response = client.post("/api/feedback", json={"conversation_id": "a", "message_id": "b", "rating": "meh"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Ogiltig indata: rating:")


# --- other resources ---------------------------------------------------------------------------------


def test_unknown_conversation_is_404(client: TestClient) -> None:
    response = client.get("/api/conversations/nope")
    assert response.status_code == 404
    assert response.json()["key"] == "conversation_not_found"


def test_health_reports_the_index_and_the_llm(client: TestClient, fake: FakeAssistant) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "documents": 2,
        "chunks": 7,
        "llm": True,
        "mode": "llm",
        "embedding_model": "test:hash-64",
        "llm_model": "stub-chat",
        "detail": None,
        "slack": False,
        "max_question_chars": 2000,
    }
    fake.info["llm_model"] = None
    assert client.get("/api/health").json()["llm"] is False


def test_health_is_503_with_a_reason_when_the_index_is_down(
    client: TestClient, fake: FakeAssistant, settings: Settings
) -> None:
    fake.status_error = StoreUnavailableError("connection refused")
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "documents": 0,
        "chunks": 0,
        "llm": settings.llm_enabled,
        "mode": None,
        "embedding_model": None,
        "llm_model": None,
        "detail": "Dokumentindexet går inte att nå just nu (connection refused). / "
        "The document index cannot be reached right now (connection refused).",
        "slack": False,
        "max_question_chars": settings.max_question_chars,
    }
    fake.status_error = None
    assert client.get("/api/health").status_code == 200, "it recovers with the index"


def test_search_returns_ranked_passages(client: TestClient, fake: FakeAssistant) -> None:
    fake.passages = [passage(1, "a", text="Publicera en förfrågan."), passage(2, "b"), passage(3, "c")]
    response = client.post("/api/search", json={"query": "förfrågan om information", "k": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "förfrågan om information"
    assert [(r["chunk_id"], r["rank"], r["score"]) for r in body["results"]] == [("a", 1, 1.0), ("b", 2, 0.5)]
    first = body["results"][0]
    assert first["text"] == "Publicera en förfrågan." and first["scores"] == {"words": 1.0}
    assert first["location"] == "Tidig dialog med marknaden › Hur en förfrågan om information (RFI) går till"
    assert client.post("/api/search", json={"query": "x", "k": 500}).status_code == 422


def test_the_page_and_its_assets_are_served_without_any_cdn(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<html lang="sv">' in page.text and "http" not in page.text.split("</head>")[0].replace(
        "http-equiv", ""
    )
    for asset in ("/static/app.js", "/static/app.css", "/static/icons.svg", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200, asset


def test_api_docs_work_offline(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text and "/static-docs/swagger-ui-bundle.js" in docs.text
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static-docs/swagger-ui.css").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {
        "/api/chat",
        "/api/search",
        "/api/feedback",
        "/api/health",
        "/api/conversations/{conversation_id}",
    } <= set(schema["paths"])


def test_the_conversation_store_is_sqlite_under_the_data_dir(
    client: TestClient, app: FastAPI, settings: Settings
) -> None:
    done = done_of(chat(client))
    assert (settings.data_dir / "app.sqlite3").exists()
    assert app.state.conversations is not None, "the app built its own store on first use"
    elsewhere = ConversationStore.from_url(f"sqlite:///{settings.data_dir / 'app.sqlite3'}")
    try:
        assert elsewhere.exists(done["conversation_id"]), "the exchange was written to that file"
    finally:
        elsewhere.dispose()
