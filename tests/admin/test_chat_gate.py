"""The chat is open by default; with ADVISOR_CHAT_REQUIRES_SIGN_IN it takes any live account (a
procurer's too), by session or token, and otherwise leads to the sign-in (page) or answers 401 (API)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.admin.conftest import Tokens
from tests.admin.test_pages import sign_in
from web.main import create_app

SEARCH = {"query": "förfrågan om information", "k": 3}


@pytest.fixture
def gated(core_settings: Settings, tokens: Tokens) -> Iterator[TestClient]:
    settings = core_settings.model_copy(update={"chat_requires_sign_in": True})
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_chat_is_open_by_default(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.post("/api/search", json=SEARCH).status_code == 200


def test_without_sign_in_the_page_leads_to_it_and_the_api_refuses(gated: TestClient) -> None:
    page = gated.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/admin/login?next=/"
    assert page.headers["x-content-type-options"] == "nosniff"  # the guards still answer around it
    for method, path, body in (("POST", "/api/search", SEARCH), ("POST", "/api/chat", {"message": "Hej"})):
        response = gated.request(method, path, json=body)
        assert response.status_code == 401 and response.json()["key"] == "not_authenticated"
    assert gated.get("/api/health").status_code == 200  # health stays open for monitoring
    assert gated.get("/static/app.css").status_code == 200


def test_a_procurer_who_signs_in_reaches_the_chat(gated: TestClient) -> None:
    response = sign_in(gated, name="petra", next="/")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert gated.get("/", follow_redirects=False).status_code == 200
    assert gated.post("/api/search", json=SEARCH).status_code == 200


def test_a_token_reaches_the_api_and_a_disabled_users_does_not(gated: TestClient, tokens: Tokens) -> None:
    assert gated.post("/api/search", json=SEARCH, headers=tokens.header("procurer")).status_code == 200
    assert gated.post("/api/search", json=SEARCH, headers=tokens.header("disabled")).status_code == 401
