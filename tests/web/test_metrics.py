"""``/metrics`` for operators: off by default, behind a token when one is set, and counting what an
operator watches — requests by route template, answers by outcome and time, language-model fallbacks,
uploads by status."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant import service
from assistant.settings import Settings
from tests.support.llm_stub import LLMStub
from tests.web.test_with_core import ask
from web.main import create_app


@pytest.fixture
def metered(core_settings: Settings) -> Iterator[TestClient]:
    on = core_settings.model_copy(update={"metrics_enabled": True, "metrics_token": SecretStr("skrapa")})
    with TestClient(create_app(on)) as client:
        yield client


def scrape(client: TestClient) -> str:
    response = client.get("/metrics", headers={"Authorization": "Bearer skrapa"})
    assert response.status_code == 200, response.text
    return response.text


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        key, value = line.rsplit(" ", 1)
        metric, _, rest = key.partition("{")
        found = ",".join(sorted(rest.rstrip("}").split(","))) if rest else ""
        if metric == name and found == wanted:
            return float(value)
    return 0.0


def test_metrics_are_off_unless_enabled(core_client: TestClient) -> None:
    assert core_client.get("/metrics").status_code == 404


def test_a_scrape_needs_the_token_when_one_is_set(metered: TestClient) -> None:
    assert metered.get("/metrics").status_code == 401
    assert metered.get("/metrics", headers={"Authorization": "Bearer fel"}).status_code == 401


def test_answers_refusals_and_requests_are_counted(metered: TestClient, llm: LLMStub) -> None:
    llm.enqueue("Publicera en förfrågan om information [1].")
    ask(metered)
    ask(metered, "Hur många kanelbullar äter en upphandlare i Sundsvall per år?")
    metered.get("/api/conversations/" + "0" * 32)
    text = scrape(metered)
    assert sample(text, "advisor_answers_total", channel="web", mode="llm", outcome="answered") == 1
    assert sample(text, "advisor_answers_total", channel="web", mode="llm", outcome="no_evidence") == 1
    assert sample(text, "advisor_llm_fallbacks_total") == 0
    assert sample(text, "advisor_answer_seconds_count", channel="web") == 2
    assert sample(text, "advisor_http_requests_total", method="POST", route="/api/chat", status="200") == 2
    # A route's template, never the id in the address.
    assert (
        sample(
            text,
            "advisor_http_requests_total",
            method="GET",
            route="/api/conversations/{conversation_id}",
            status="404",
        )
        == 1
    )
    assert "0" * 32 not in text
    assert "advisor_uploads" in text


def test_an_answer_given_as_excerpts_because_the_model_failed_is_a_fallback(
    core_settings: Settings, llm: LLMStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "RETRY_BACKOFF_S", 0.0)
    with LLMStub() as broken:
        broken.fail_with = 503
        # Only the chat model fails; the embeddings keep answering.
        on = core_settings.model_copy(
            update={
                "metrics_enabled": True,
                "metrics_token": SecretStr("skrapa"),
                "openai_base_url": broken.base_url,
                "embedding_base_url": llm.base_url,
            }
        )
        with TestClient(create_app(on)) as client:
            assert ask(client)[-1][1]["mode"] == "extractive"
            text = scrape(client)
    assert sample(text, "advisor_answers_total", channel="web", mode="extractive", outcome="answered") == 1
    assert sample(text, "advisor_llm_fallbacks_total") == 1
