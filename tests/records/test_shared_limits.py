"""Rate limits counted in the records database, so several server processes (and machines) on one
PostgreSQL hold a client to one limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from records import build_engine, upgrade
from records.limits import SharedRateLimits
from tests.web.helpers import FakeAssistant
from tests.web.test_postgres import postgres_url  # noqa: F401 - the throwaway cluster, started when asked for
from web.deps import get_assistant
from web.main import create_app


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    else:
        yield request.getfixturevalue("postgres_url")


def test_a_bucket_empties_refills_and_keeps_clients_apart(url: str) -> None:
    engine = build_engine(url)
    upgrade(engine)
    clock = Clock()
    limits = SharedRateLimits(engine, clock=clock)
    key = f"/api/chat 10.0.0.{id(clock) % 200}"
    assert [limits.take(key, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limits.take(key, 3) == pytest.approx(20.0)  # 3 a minute: the next token in 20 s
    assert limits.take(f"{key}-other", 3) == 0.0
    clock.now += 20.0
    assert limits.take(key, 3) == 0.0
    assert limits.take(key, 3) > 0
    clock.now += 3600
    assert limits.sweep() >= 1
    assert limits.take(key, 3) == 0.0
    engine.dispose()


@pytest.mark.slow
def test_two_servers_on_one_postgresql_share_a_clients_limit(
    settings: Settings,
    postgres_url: str,  # noqa: F811
) -> None:
    shared = settings.model_copy(update={"database_url": postgres_url, "rate_limit_per_minute": 2})
    servers = [create_app(shared), create_app(shared)]
    fake = FakeAssistant()
    for app in servers:
        app.dependency_overrides[get_assistant] = lambda: fake
    with TestClient(servers[0]) as first, TestClient(servers[1]) as second:
        assert first.post("/api/search", json={"query": "avtalsspärr"}).status_code != 429
        assert second.post("/api/search", json={"query": "avtalsspärr"}).status_code != 429
        refused = first.post("/api/search", json={"query": "avtalsspärr"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert second.post("/api/search", json={"query": "avtalsspärr"}).status_code == 429
