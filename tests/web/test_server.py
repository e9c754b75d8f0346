"""Over a real socket: a client that leaves stops the work; ``serve`` refuses unsafe worker counts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from assistant.errors import InvalidInputError, WorkersNeedServerError
from assistant.events import Token
from assistant.messages import message
from assistant.settings import Settings
from tests.support.llm_stub import LLMStub
from tests.web.helpers import FakeAssistant, LiveServer, Pause, answer_events, wait_for
from web.server import serve


def read_until_first_token(server: LiveServer, body: dict[str, Any]) -> str:
    """Open the event stream, read the first token event, then hang up."""
    with (
        httpx.Client(timeout=20) as client,
        client.stream("POST", f"{server.url}/api/chat", json=body) as response,
    ):
        assert response.status_code == 200
        seen = ""
        for line in response.iter_lines():
            seen += line + "\n"
            if line.startswith("event: token"):
                break
    return seen


@pytest.mark.slow
def test_a_client_that_leaves_stops_the_core(app: FastAPI, fake: FakeAssistant) -> None:
    fake.enqueue(Token("Första "), *[item for i in range(50) for item in (Pause(0.05), Token(f"ord{i} "))])
    with LiveServer(app) as server:
        read_until_first_token(server, {"message": "En fråga?"})
        assert wait_for(lambda: fake.closed_early == 1), "the core's generator was not closed"
    assert fake.finished == 0
    assert app.state.conversations.question_log() == [], "an abandoned answer is not stored"


@pytest.mark.slow
def test_a_client_that_leaves_stops_the_language_model(core_app: FastAPI, llm: LLMStub) -> None:
    llm.delay = 0.1
    llm.enqueue(" ".join(f"ord{i}" for i in range(60)) + " [1].")
    with LiveServer(core_app) as server:
        read_until_first_token(server, {"message": "Hur går en förfrågan om information till?"})
        assert wait_for(lambda: llm.streams_aborted == 1, timeout=8), "the LLM stream was not closed"
    assert llm.streams_completed == 0
    assert llm.chunks_sent < 40, "tokens kept being generated for nobody"


@pytest.mark.slow
def test_a_whole_answer_over_a_real_socket(app: FastAPI, fake: FakeAssistant) -> None:
    fake.enqueue(*answer_events())
    with LiveServer(app) as server, httpx.Client(timeout=20) as client:
        response = client.post(f"{server.url}/api/chat", json={"message": "En fråga?"})
    assert response.headers["cache-control"] == "no-cache"
    assert response.text.rstrip().split("\n\n")[-1].startswith("event: done")
    assert fake.finished == 1


def test_several_workers_need_a_chroma_server(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: runs.append({"app": app, **kw}))

    with pytest.raises(WorkersNeedServerError) as refused:
        serve(host="127.0.0.1", port=8000, workers=4, settings=settings)
    line = message(refused.value.key, "sv", **refused.value.params)
    assert "ADVISOR_CHROMA_URL" in line and "--workers 4" in line and "\n" not in line
    assert runs == []

    serve(
        host="127.0.0.1",
        port=8000,
        workers=3,
        settings=settings.model_copy(update={"chroma_url": "http://127.0.0.1:8001"}),
    )
    assert (
        runs[-1]["app"] == "web.main:create_app" and runs[-1]["factory"] is True and runs[-1]["workers"] == 3
    )

    serve(host="127.0.0.1", port=8000, workers=1, settings=settings)
    assert isinstance(runs[-1]["app"], FastAPI) and "workers" not in runs[-1]

    with pytest.raises(InvalidInputError):
        serve(host="127.0.0.1", port=8000, workers=0, settings=settings)
