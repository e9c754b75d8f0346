"""Fixtures of the advisors' area: the app with the real core (real Chroma, the real ingest pipeline,
embeddings from the LLM stub over HTTP), accounts with API tokens, and two indexed documents."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from records import build_engine, upgrade
from records.accounts import Accounts
from records.models import FINAL_STATUSES
from tests.support.llm_stub import LLMStub
from tests.web.helpers import stubbed_settings
from web.main import create_app

PASSWORD = "korrekt-häst-batteri"


@dataclass(frozen=True)
class Tokens:
    advisor: str
    admin: str
    procurer: str
    disabled: str

    def header(self, who: str = "advisor") -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, who)}"}


@pytest.fixture
def llm() -> Iterator[LLMStub]:
    with LLMStub() as stub:
        yield stub


@pytest.fixture
def core_settings(settings: Settings, llm: LLMStub, docs: Path) -> Settings:
    configured = stubbed_settings(settings, llm, with_llm=False)
    report = sync([docs], ChunkStore(configured))
    assert report.ok, report.failed
    return configured


def make_tokens(settings: Settings) -> Tokens:
    """An advisor, an admin, a procurer and a disabled advisor, each with an API token.

    Their passwords are hashed with cheap Argon2id parameters (the hash carries them, so the app
    verifies them as it would any other); the app's own accounts use the library's defaults.
    """
    engine = build_engine(settings.sql_url)
    upgrade(engine)
    accounts = Accounts(engine, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    try:
        for name, role in (
            ("anna", "advisor"),
            ("adam", "admin"),
            ("petra", "procurer"),
            ("dora", "advisor"),
        ):
            accounts.add_user(name, role, PASSWORD)
        made = Tokens(*(accounts.create_token(n) for n in ("anna", "adam", "petra", "dora")))
        accounts.set_disabled("dora")
        return made
    finally:
        accounts.dispose()


@pytest.fixture
def tokens(core_settings: Settings) -> Tokens:
    return make_tokens(core_settings)


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Tokens]]:
    """The app with nothing indexed and no core built: enough for who may reach a route."""
    data = tmp_path_factory.mktemp("bare") / "data"
    settings = Settings(_env_file=None, data_dir=data, llm_provider="none")  # type: ignore[call-arg]
    made = make_tokens(settings)
    with TestClient(create_app(settings)) as test_client:
        yield test_client, made


@pytest.fixture
def client(core_settings: Settings, tokens: Tokens) -> Iterator[TestClient]:
    with TestClient(create_app(core_settings)) as test_client:
        yield test_client


def wait_final(client: TestClient, upload_id: str, headers: dict[str, str]) -> dict[str, Any]:
    """Follow an upload until its status is final, as the page does (bounded, not a timing test)."""
    deadline = time.monotonic() + 120
    while True:
        response = client.get(f"/api/documents/{upload_id}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in FINAL_STATUSES or time.monotonic() > deadline:
            return body
        time.sleep(0.05)
