"""Web test fixtures: the app with a scripted fake core, or with the real core behind the LLM stub.

The root conftest already isolates every test (data dir in tmp_path, no secrets, fresh settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.support.llm_stub import LLMStub
from tests.web.helpers import FakeAssistant, stubbed_settings
from web.deps import get_assistant
from web.main import create_app


@pytest.fixture
def fake() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def app(settings: Settings, fake: FakeAssistant) -> FastAPI:
    """The app with the fake core; the conversation store is real (SQLite in tmp_path)."""
    application = create_app(settings)
    application.dependency_overrides[get_assistant] = lambda: fake
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def llm() -> Iterator[LLMStub]:
    with LLMStub() as stub:
        yield stub


@pytest.fixture
def core_settings(settings: Settings, llm: LLMStub, docs: Path) -> Settings:
    """Settings for the real core over the LLM stub, with the two test documents indexed."""
    configured = stubbed_settings(settings, llm)
    report = sync([docs], ChunkStore(configured))
    assert report.ok, report.failed
    return configured


@pytest.fixture
def core_app(core_settings: Settings) -> FastAPI:
    return create_app(core_settings)


@pytest.fixture
def core_client(core_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(core_app) as test_client:
        yield test_client
