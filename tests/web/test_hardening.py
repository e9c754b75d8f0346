"""Hardening of the HTTP edge (issue 12): each test fails without the guard it names."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.helpers import FakeAssistant, Raise, passage
from web.main import create_app

QUESTION = "Vad gäller för innovationspartnerskap?"
SURROGATE_BODIES = [
    ("/api/chat", b'{"message": "Vad \\ud800 innovationspartnerskap?"}', "message"),
    ("/api/search", b'{"query": "Vad \\udfff innovationspartnerskap?"}', "query"),
    (
        "/api/feedback",
        b'{"conversation_id": "c", "message_id": "m", "rating": "up", "comment": "bra \\ud83d"}',
        "comment",
    ),
]


# --- item 1: a lone surrogate is a clear 422, not an internal error ---------------------------------


@pytest.mark.parametrize(("path", "body", "field"), SURROGATE_BODIES, ids=lambda v: str(v)[:12])
def test_a_lone_surrogate_is_a_clear_422(
    client: TestClient,
    fake: FakeAssistant,
    caplog: pytest.LogCaptureFixture,
    path: str,
    body: bytes,
    field: str,
) -> None:
    fake.passages = [passage(1, "a")]
    with caplog.at_level(logging.WARNING):
        response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": (
            f"Texten innehåller tecken som inte går att läsa ({field}). Skriv om den och försök igen. / "
            f"The text contains characters that cannot be read ({field}). Please retype it and try again."
        ),
        "key": "invalid_text",
    }
    assert fake.calls == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# --- item 2: search shows file names, never server paths ---------------------------------------------


def test_search_shows_the_file_name_not_the_server_path(client: TestClient, fake: FakeAssistant) -> None:
    fake.passages = [passage(1, "a")]  # its chunk's source is /tmp/docs/dialog.md
    (result,) = client.post("/api/search", json={"query": "förfrågan"}).json()["results"]
    assert result["source"] == "dialog.md"
    assert "/tmp" not in client.post("/api/search", json={"query": "förfrågan"}).text


# --- the logging policy: ids, keys, timings; never the question ---------------------------------------


@pytest.mark.parametrize("when", ["before the first event", "mid-stream"])
def test_a_failing_question_is_not_written_to_the_log(
    client: TestClient, fake: FakeAssistant, caplog: pytest.LogCaptureFixture, when: str
) -> None:
    from assistant.events import Token

    secret = "Hemlig fråga om Anna Svensson och tröskelvärden"
    if when == "mid-stream":
        fake.enqueue(Token("Början "), Raise(RuntimeError("boom")))
    else:
        fake.enqueue(Raise(RuntimeError("boom")))
    with caplog.at_level(logging.DEBUG):
        client.post("/api/chat", json={"message": secret})
    assert caplog.records, "the failure is logged"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Hemlig" not in logged and "Anna" not in logged
    assert "Hemlig" not in caplog.text


# --- item 14: every error has the same shape ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status", "key"),
    [("GET", "/nowhere", 404, "not_found"), ("GET", "/api/chat", 405, "method_not_allowed")],
)
def test_routing_errors_have_the_key_every_other_error_has(
    client: TestClient, method: str, path: str, status: int, key: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json()["key"] == key
    assert " / " in response.json()["detail"]


def test_a_body_that_is_not_json_has_the_key_every_other_error_has(client: TestClient) -> None:
    response = client.post("/api/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["key"] == "invalid_input"


# --- item 13: the OpenAPI document says what the API does -------------------------------------------


def test_the_openapi_document_declares_the_real_error_model_and_limits(
    settings: Settings, fake: FakeAssistant
) -> None:
    app = create_app(settings.model_copy(update={"max_question_chars": 500}))
    schema = TestClient(app).get("/openapi.json").json()
    assert "HTTPValidationError" not in str(schema)
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path in ("/api/chat", "/api/search", "/api/feedback"):
        responses = schema["paths"][path]["post"]["responses"]
        for code in ("422", "413", "429"):
            assert responses[code]["content"] == {"application/json": {"schema": error}}, (path, code)
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["detail", "key"]
    models = schema["components"]["schemas"]
    for model, field in (("ChatRequest", "message"), ("SearchRequest", "query")):
        prop = models[model]["properties"][field]
        assert (prop["minLength"], prop["maxLength"], prop["pattern"]) == (1, 500, r"\S")
    events = schema["paths"]["/api/chat"]["post"]["responses"]["200"]["content"]["text/event-stream"]
    assert events["schema"]["required"] == ["event", "data"]


def test_the_server_keeps_the_limits_the_document_states(client: TestClient, fake: FakeAssistant) -> None:
    blank = client.post("/api/chat", json={"message": " \n\t "})
    assert (blank.status_code, blank.json()["key"]) == (422, "empty_question")
    long_with_spaces = client.post("/api/search", json={"query": "x" + " " * 2000})
    assert (long_with_spaces.status_code, long_with_spaces.json()["key"]) == (422, "question_too_long")
    assert fake.calls == []
