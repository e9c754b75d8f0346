"""Personal data in the records (issue 12, item 12): masked where stored and where shown back, an
owner-only SQLite file, and retention that deletes what is older."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update
from typer.testing import CliRunner

from assistant.settings import Settings
from records import Answer, ConversationStore
from records.models import ConversationRow, QuestionLogRow
from records.retention import prune

QUESTION = (
    "Jag heter Anna Svensson, personnummer 850709-9805, mejl anna.svensson@kommun.se, "
    "tel 070-123 45 67. Vad är tröskelvärdet för direktupphandling?"
)
SECRETS = ("Anna", "Svensson", "850709", "9805", "anna.svensson", "123 45 67")


def answer(text: str, query: str = "") -> Answer:
    return Answer(
        text=text, citations=[], refused=False, mode="llm", language="sv", query=query, top_chunk_ids=["a"]
    )


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'app.sqlite3'}"


@pytest.fixture
def store(url: str) -> ConversationStore:
    return ConversationStore.from_url(url)


def raw(store: ConversationStore, sql: str) -> list[str]:
    with store.engine.connect() as connection:
        return [str(value) for (value,) in connection.execute(text(sql))]


def test_what_is_stored_carries_no_personal_data(store: ConversationStore) -> None:
    done = store.record_exchange(
        None, QUESTION, answer("Hej Anna Svensson! Beloppet är 700 000 kronor.", QUESTION)
    )
    store.add_feedback(done.conversation_id, done.message_id, "down", "Ring mig på 08-123 45 67")
    stored = (
        raw(store, "SELECT content FROM messages")
        + raw(store, "SELECT question FROM question_log")
        + raw(store, "SELECT query FROM question_log")
        + raw(store, "SELECT comment FROM feedback")
    )
    assert len(stored) == 5
    for value in stored:
        for secret in SECRETS:
            assert secret not in value, (secret, value)
    assert "«personnummer»" in stored[0] and "Vad är tröskelvärdet för direktupphandling?" in stored[0]
    assert stored[4] == "Ring mig på «telefon»"


def test_what_is_shown_back_is_masked_even_for_rows_stored_before_masking(store: ConversationStore) -> None:
    done = store.record_exchange(None, "Vad gäller?", answer("Så här.", "Vad gäller?"))
    with store.engine.begin() as connection:  # a row as stored before this release
        connection.execute(text("UPDATE messages SET content = :q WHERE role = 'user'"), {"q": QUESTION})
        connection.execute(text("UPDATE question_log SET question = :q, query = :q"), {"q": QUESTION})
    thread = store.conversation(done.conversation_id)
    assert thread is not None
    shown = [m["content"] for m in thread["messages"]]
    shown += [t.content for t in store.history(done.conversation_id)]
    shown += [e["question"] for e in store.question_log()] + [e["query"] for e in store.question_log()]
    for value in shown:
        for secret in SECRETS:
            assert secret not in value


def test_a_nul_character_is_not_stored(store: ConversationStore) -> None:
    store.record_exchange(None, "Vad\x00 gäller?", answer("Så\x00 här."))
    assert raw(store, "SELECT content FROM messages") == ["Vad gäller?", "Så här."]


def test_the_sqlite_database_is_readable_by_its_owner_only(store: ConversationStore, url: str) -> None:
    store.record_exchange(None, "Vad gäller?", answer("Så här."))
    path = Path(url.removeprefix("sqlite:///"))
    for each in (path, path.with_name(path.name + "-wal")):
        assert each.exists()
        assert stat.S_IMODE(each.stat().st_mode) == 0o600, each


def test_an_existing_world_readable_database_is_made_owner_only(url: str) -> None:
    ConversationStore.from_url(url).dispose()
    path = Path(url.removeprefix("sqlite:///"))
    path.chmod(0o644)
    ConversationStore.from_url(url).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def age(store: ConversationStore, conversation_id: str, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    with store.engine.begin() as connection:
        connection.execute(
            update(ConversationRow).where(ConversationRow.id == conversation_id).values(updated_at=then)
        )
        connection.execute(
            update(QuestionLogRow)
            .where(QuestionLogRow.conversation_id == conversation_id)
            .values(created_at=then)
        )


def test_retention_deletes_conversations_and_log_entries_older_than_the_setting(
    store: ConversationStore,
) -> None:
    old = store.record_exchange(None, "Gammal fråga?", answer("Gammalt svar."))
    store.add_feedback(old.conversation_id, old.message_id, "up", None)
    new = store.record_exchange(None, "Ny fråga?", answer("Nytt svar."))
    age(store, old.conversation_id, 40)

    assert prune(store.engine, 0).conversations == 0, "0 keeps everything"
    pruned = prune(store.engine, 30)
    assert (pruned.conversations, pruned.log_entries) == (1, 1)
    assert store.conversation(old.conversation_id) is None
    assert store.conversation(new.conversation_id) is not None
    assert raw(store, "SELECT count(*) FROM messages") == ["2"]  # the old ones went with their conversation
    assert raw(store, "SELECT count(*) FROM feedback") == ["0"]
    assert [e["question"] for e in store.question_log()] == ["Ny fråga?"]


def test_the_server_prunes_on_start_and_the_cli_on_demand(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.main import app
    from web.server import prepare_records

    store = ConversationStore.from_url(settings.sql_url)
    first = store.record_exchange(None, "Ett?", answer("Ett."))
    second = store.record_exchange(None, "Två?", answer("Två."))
    age(store, first.conversation_id, 400)
    age(store, second.conversation_id, 20)

    assert prepare_records(settings.model_copy(update={"retention_days": 365})).conversations == 1
    assert store.conversation(first.conversation_id) is None

    monkeypatch.setenv("ADVISOR_RETENTION_DAYS", "10")
    result = CliRunner().invoke(app, ["records", "prune"])
    assert result.exit_code == 0, result.output
    assert "1 konversationer" in result.output
    assert store.conversation(second.conversation_id) is None
    store.dispose()
