"""The conversation store on a real PostgreSQL: a throwaway cluster on loopback, started per module.

Skipped when PostgreSQL's server binaries (Debian: ``apt-get install postgresql``) are not installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from assistant.settings import Settings
from assistant.types import Turn
from records import Answer, ConversationStore, build_engine, head, normalize_url, upgrade, upgrade_database
from tests.web.helpers import FakeAssistant, parse_sse
from web.deps import get_assistant
from web.main import create_app

pytestmark = pytest.mark.slow


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or (
        [shutil.which("initdb")] if shutil.which("initdb") else []
    )
    return Path(found[-1]).parent if found else None


def _as_owner(argv: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; Debian's package creates a "postgres" user for this.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="advisor-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    try:
        subprocess.run(
            _as_owner(
                [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-h 127.0.0.1 -p {port} -k {root} -F"
        subprocess.run(
            _as_owner(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(root / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def store(postgres_url: str) -> Iterator[ConversationStore]:
    conversations = ConversationStore.from_url(postgres_url)
    yield conversations
    conversations.dispose()


def answer(text: str, **overrides: Any) -> Answer:
    values: dict[str, Any] = {
        "text": text,
        "citations": [{"n": 1, "title": "LOU", "location": "6 kap. 31 §", "text": "Å, ä och ö."}],
        "refused": False,
        "mode": "llm",
        "language": "sv",
        "query": text,
        "top_chunk_ids": ["a", "b"],
    }
    values.update(overrides)
    return Answer(**values)


def test_a_bare_postgresql_url_means_psycopg_3() -> None:
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_conversations_feedback_and_the_log_round_trip(store: ConversationStore) -> None:
    first = store.record_exchange(None, "Vad är LOU?", answer("LOU är lagen [1]."))
    second = store.record_exchange(first.conversation_id, "Och LUF?", answer("LUF gäller försörjning [1]."))
    assert second.conversation_id == first.conversation_id
    assert store.history(first.conversation_id) == [
        Turn("user", "Vad är LOU?"),
        Turn("assistant", "LOU är lagen [1]."),
        Turn("user", "Och LUF?"),
        Turn("assistant", "LUF gäller försörjning [1]."),
    ]
    assert store.add_feedback(first.conversation_id, second.message_id, "up", None)
    assert store.add_feedback(first.conversation_id, second.message_id, "down", "Kort.")
    assert not store.add_feedback(first.conversation_id, "nope", "up", None)
    thread = store.conversation(first.conversation_id)
    assert thread is not None
    assert thread["messages"][-1]["feedback"] == {"rating": "down", "comment": "Kort."}
    assert thread["messages"][-1]["citations"][0]["text"] == "Å, ä och ö."
    logged = [e for e in store.question_log() if e["conversation_id"] == first.conversation_id]
    assert [e["question"] for e in logged] == ["Och LUF?", "Vad är LOU?"]
    assert logged[0]["top_chunk_ids"] == ["a", "b"]


def test_the_app_uses_postgres_when_the_database_url_says_so(settings: Settings, postgres_url: str) -> None:
    fake = FakeAssistant()
    app = create_app(settings.model_copy(update={"database_url": postgres_url}))
    app.dependency_overrides[get_assistant] = lambda: fake
    with TestClient(app) as client:
        events = parse_sse(client.post("/api/chat", json={"message": "Vad är LOU?"}).text)
        done = events[-1][1]
        thread = client.get(f"/api/conversations/{done['conversation_id']}").json()
    assert app.state.conversations.engine.dialect.name == "postgresql"
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant"]
    assert not (settings.data_dir / "app.sqlite3").exists()


def _fresh_database(postgres_url: str, name: str) -> str:
    engine = build_engine(postgres_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


def test_a_postgres_database_from_before_migrations_is_adopted_with_its_data(postgres_url: str) -> None:
    url = _fresh_database(postgres_url, "legacy")
    engine = build_engine(url)
    try:
        # The first revision is today's create_all schema; without alembic_version it is what a
        # deployment that predates migrations has.
        upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
            connection.execute(
                text("INSERT INTO conversations VALUES ('c1', 'sv', now(), now())"),
            )
            connection.execute(
                text(
                    "INSERT INTO messages VALUES ('m1', 'c1', 0, 'user', 'Vad är LOU?', '[]', NULL, NULL,"
                    " 'sv', now())"
                )
            )
    finally:
        engine.dispose()

    assert upgrade_database(url) == (None, head())
    store = ConversationStore.from_url(url)
    try:
        thread = store.conversation("c1")
        assert thread is not None
        assert thread["channel"] == "web"
        assert [m["content"] for m in thread["messages"]] == ["Vad är LOU?"]
    finally:
        store.dispose()


def test_workers_starting_at_once_migrate_a_postgres_database_once(postgres_url: str) -> None:
    url = _fresh_database(postgres_url, "racing")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: upgrade_database(url), range(4)))
    assert all(after == head() for _, after in results)
    # Exactly one of them found the database empty; the others waited on the lock, then found it current.
    assert sorted(str(before) for before, _ in results) == sorted(["None", head(), head(), head()])
