"""The request guards of issue 12: body size (4), rate limits and answer slots (5), security
headers, Host check and the page's limit (14). Each test fails without the guard it names."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.helpers import FakeAssistant, LiveServer, Pause, answer_events, passage, wait_for
from web.deps import get_assistant
from web.main import create_app
from web.middleware import RateLimit

QUESTION = "Vad gäller för innovationspartnerskap?"


def app_with(settings: Settings, fake: FakeAssistant, **changes: Any) -> FastAPI:
    app = create_app(settings.model_copy(update=changes))
    app.dependency_overrides[get_assistant] = lambda: fake
    return app


@pytest.fixture
def guarded(settings: Settings, fake: FakeAssistant) -> Iterator[TestClient]:
    app = app_with(settings, fake, max_body_bytes=1024, rate_limit_per_minute=2)
    with TestClient(app) as client:
        yield client


# --- item 4: the body limit, before the body is read ----------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413(guarded: TestClient, fake: FakeAssistant) -> None:
    response = guarded.post("/api/chat", json={"message": "x" * 1500})
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Förfrågan är för stor (högst 1024 byte). / The request is too large (at most 1024 bytes).",
        "key": "body_too_large",
    }
    assert fake.calls == []
    assert guarded.post("/api/chat", json={"message": QUESTION}).status_code == 200, "a small one passes"


async def call_asgi(
    app: FastAPI, headers: list[tuple[bytes, bytes]], chunks: int, size: int
) -> tuple[int, int]:
    """Send a POST with ``chunks`` body pieces of ``size`` bytes; (status, pieces the app asked for)."""
    asked = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        if asked > chunks:
            await asyncio.sleep(3600)  # a client that never finishes its body
        return {"type": "http.request", "body": b"x" * size, "more_body": asked < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/chat",
        "raw_path": b"/api/chat",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return status, asked


def test_a_huge_declared_body_is_refused_without_reading_any_of_it(
    settings: Settings, fake: FakeAssistant
) -> None:
    app = app_with(settings, fake, max_body_bytes=1024)
    status, asked = asyncio.run(call_asgi(app, [(b"content-length", b"104857600")], chunks=1600, size=65536))
    assert (status, asked) == (413, 0)


def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(
    settings: Settings, fake: FakeAssistant
) -> None:
    app = app_with(settings, fake, max_body_bytes=1024)
    status, asked = asyncio.run(call_asgi(app, [], chunks=1600, size=512))
    assert status == 413
    assert asked == 3  # 512, 1024, 1536 > 1024: nothing more is read
    assert fake.calls == []


# --- item 5: rate limits ---------------------------------------------------------------------------


def test_a_client_over_its_rate_gets_429_with_retry_after(guarded: TestClient, fake: FakeAssistant) -> None:
    fake.passages = [passage(1, "a")]
    for _ in range(2):
        assert guarded.post("/api/chat", json={"message": QUESTION}).status_code == 200
    refused = guarded.post("/api/chat", json={"message": QUESTION})
    assert refused.status_code == 429
    assert refused.json()["key"] == "rate_limited"
    assert refused.json()["detail"].startswith("För många frågor på kort tid. Vänta ")
    assert " / Too many questions in a short time. Wait " in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    assert len(fake.calls) == 2, "the refused question never reached the core"
    # Search has its own allowance; another client has its own.
    assert guarded.post("/api/search", json={"query": "dialog"}).status_code == 200
    other = TestClient(guarded.app, client=("10.0.0.2", 50000))
    assert other.post("/api/chat", json={"message": QUESTION}).status_code == 200


def test_the_allowance_refills_over_the_minute() -> None:
    now = [0.0]
    limiter = RateLimit(app=None, per_minute=2, clock=lambda: now[0])  # type: ignore[arg-type]
    assert [limiter.take("a", "/api/chat") for _ in range(2)] == [0.0, 0.0]
    assert limiter.take("a", "/api/chat") == pytest.approx(30.0)
    now[0] = 30.0
    assert limiter.take("a", "/api/chat") == 0.0
    assert limiter.take("b", "/api/chat") == 0.0


# --- item 5: a cap on answers at once; a client that leaves while waiting costs nothing -------------


async def _post(url: str, body: dict[str, Any], timeout: float = 30) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        return await client.post("/api/chat", json=body)


@pytest.mark.slow
def test_a_burst_beyond_the_answer_slots_waits_then_is_told_the_server_is_busy(
    settings: Settings, fake: FakeAssistant
) -> None:
    app = app_with(settings, fake, max_concurrent_answers=1, answer_queue_timeout_s=0.3)
    fake.enqueue(Pause(1.5), *answer_events())

    async def burst(url: str) -> list[httpx.Response]:
        first = asyncio.create_task(_post(url, {"message": QUESTION}))
        await asyncio.sleep(0.2)
        second = await _post(url, {"message": QUESTION})
        return [await first, second]

    with LiveServer(app) as server:
        first, second = asyncio.run(burst(server.url))
    assert first.status_code == 200 and "event: done" in first.text
    assert second.status_code == 503
    assert second.json()["key"] == "busy"
    assert second.headers["retry-after"] == "5"
    assert len(fake.calls) == 1


@pytest.mark.slow
def test_a_client_that_leaves_while_waiting_never_reaches_the_core(
    settings: Settings, fake: FakeAssistant
) -> None:
    app = app_with(settings, fake, max_concurrent_answers=1, answer_queue_timeout_s=20)
    fake.enqueue(Pause(1.5), *answer_events())

    async def leave_early(url: str) -> httpx.Response:
        first = asyncio.create_task(_post(url, {"message": QUESTION}))
        await asyncio.sleep(0.2)
        with pytest.raises(httpx.TimeoutException):
            await _post(url, {"message": "Jag ger upp"}, timeout=0.3)
        return await first

    with LiveServer(app) as server:
        first = asyncio.run(leave_early(server.url))
        assert first.status_code == 200
        slots = app.state.answer_slots
        assert wait_for(lambda: slots.in_use == 0)
        time.sleep(0.5)
    assert [c.question for c in fake.calls] == [QUESTION]


# --- item 14: security headers, the Host check, the page's limit -----------------------------------

HEADERS = ("x-content-type-options", "content-security-policy", "x-frame-options", "referrer-policy")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/api/health"),
        ("POST", "/api/search"),
        ("GET", "/static/app.js"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/nowhere"),
    ],
)
def test_every_response_carries_the_security_headers(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"query": "dialog"} if method == "POST" else None)
    for name in HEADERS:
        assert name in response.headers, (path, name)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8000", True),
        ("localhost", True),
        ("[::1]:8000", True),
        ("advisor.example.se", True),  # from public_url
        ("sub.kommun.se", True),  # *.kommun.se
        ("evil.example", False),
        ("kommun.se.evil.example", False),
        ("127.0.0.1.nip.io", False),
    ],
)
def test_only_allowed_hosts_are_answered(
    settings: Settings, fake: FakeAssistant, host: str, allowed: bool
) -> None:
    app = app_with(
        settings,
        fake,
        allowed_hosts=["localhost", "127.0.0.1", "::1", "*.kommun.se"],
        public_url="https://advisor.example.se/",
    )
    response = TestClient(app).get("/api/health", headers={"host": host})
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert response.json() == {
            "detail": "Okänd värd i förfrågan. / Unknown host in the request.",
            "key": "invalid_host",
        }


def test_the_page_text_box_allows_what_the_server_allows() -> None:
    page = (Path(__file__).resolve().parents[2] / "web" / "static" / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<textarea id="question"[^>]*maxlength="(\d+)"', page)
    assert box is not None
    assert int(box.group(1)) == Settings.model_fields["max_question_chars"].default
