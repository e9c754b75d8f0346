"""The records schema is kept by migrations: fresh databases, databases made before migrations
existed (today's ``create_all`` schema, with data in it), and the CLI that operators run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

import records
from assistant.settings import get_settings
from cli.main import app
from records.models import Base

LEGACY_SCHEMA = Path(__file__).with_name("legacy_schema.sql")


def legacy_database(path: Path) -> str:
    """A database as the web chat left it before migrations: its own schema and one exchange."""
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY_SCHEMA.read_text(encoding="utf-8"))
        db.executescript(
            """
            INSERT INTO conversations VALUES ('c1', 'sv', '2026-11-01 10:00:00', '2026-11-01 10:00:05');
            INSERT INTO messages VALUES
              ('m1', 'c1', 0, 'user', 'Vad är ett innovationspartnerskap?', '[]', NULL, NULL, 'sv',
               '2026-11-01 10:00:00'),
              ('m2', 'c1', 1, 'assistant', 'Ett förfarande [1].', '[{"n": 1}]', 0, 'llm', 'sv',
               '2026-11-01 10:00:05');
            INSERT INTO feedback VALUES (1, 'c1', 'm2', 'up', 'Bra', '2026-11-01 10:01:00',
               '2026-11-01 10:01:00');
            INSERT INTO question_log VALUES (1, 'c1', 'm2', 'Vad är ett innovationspartnerskap?', 'q',
               'sv', 0, 'llm', '["x"]', '2026-11-01 10:00:05');
            """
        )
    return f"sqlite:///{path}"


def schema_drift(url: str) -> list[object]:
    engine = records.build_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        engine.dispose()


def test_a_fresh_database_is_migrated_to_exactly_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    before, after = records.upgrade_database(url)
    assert (before, after) == (None, records.head())
    # A model changed without a migration (or the reverse) shows up here.
    assert schema_drift(url) == []
    # Upgrading again changes nothing.
    assert records.upgrade_database(url) == (records.head(), records.head())


def test_a_database_from_before_migrations_keeps_its_data_and_gains_the_channel(tmp_path: Path) -> None:
    url = legacy_database(tmp_path / "app.sqlite3")

    store = records.ConversationStore.from_url(url)
    try:
        thread = store.conversation("c1")
        assert thread is not None
        assert thread["channel"] == "web"
        assert [m["content"] for m in thread["messages"]] == [
            "Vad är ett innovationspartnerskap?",
            "Ett förfarande [1].",
        ]
        assert thread["messages"][1]["feedback"] == {"rating": "up", "comment": "Bra"}
        assert store.question_log()[0]["top_chunk_ids"] == ["x"]
        # The old conversation takes follow-ups and new ones carry their channel.
        answer = records.Answer("Svar", [], False, "extractive", "sv", "q", [])
        store.record_exchange("c1", "Och sedan?", answer)
        slack = store.record_exchange(None, "Hej", answer, channel="slack")
        assert [t.content for t in store.history("c1")][-2:] == ["Och sedan?", "Svar"]
        assert store.conversation(slack.conversation_id)["channel"] == "slack"  # type: ignore[index]
    finally:
        store.dispose()
    assert schema_drift(url) == []


def test_advisor_db_upgrade_on_a_fresh_data_dir_and_on_a_legacy_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    fresh = runner.invoke(app, ["db", "upgrade"])
    assert fresh.exit_code == 0, fresh.output
    assert f"ingen → {records.head()}" in fresh.output
    # Conversations hold what people typed: the file is the owner's alone, from its first byte.
    assert (get_settings().data_dir / "app.sqlite3").stat().st_mode & 0o777 == 0o600
    again = runner.invoke(app, ["db", "upgrade"])
    assert "redan aktuell" in again.output

    monkeypatch.setenv("ADVISOR_DATABASE_URL", legacy_database(tmp_path / "legacy.sqlite3"))
    get_settings.cache_clear()
    legacy = runner.invoke(app, ["db", "upgrade"])
    assert legacy.exit_code == 0, legacy.output
    assert f"ingen → {records.head()}" in legacy.output
    shown = runner.invoke(app, ["db", "current"])
    assert f"revision {records.head()}" in shown.output
    with sqlite3.connect(tmp_path / "legacy.sqlite3") as db:
        assert db.execute("SELECT channel FROM conversations").fetchall() == [("web",)]


def test_an_unreadable_database_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{broken}")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.count("\n") <= 2


@pytest.mark.parametrize("channel", records.CHANNELS)
def test_the_channel_of_a_new_conversation_is_stored(tmp_path: Path, channel: records.Channel) -> None:
    store = records.ConversationStore.from_url(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    try:
        answer = records.Answer("Svar", [], False, "extractive", "sv", "q", [])
        exchange = store.record_exchange(None, "Fråga", answer, channel=channel)
        assert store.conversation(exchange.conversation_id)["channel"] == channel  # type: ignore[index]
    finally:
        store.dispose()


def test_messages_stored_twice_at_one_place_are_renumbered_and_the_place_becomes_unique(
    tmp_path: Path,
) -> None:
    # Concurrent follow-ups before revision 0003 could store two messages at one position.
    url = legacy_database(tmp_path / "app.sqlite3")
    with sqlite3.connect(tmp_path / "app.sqlite3") as db:
        db.executescript(
            """
            INSERT INTO messages VALUES
              ('m3', 'c1', 2, 'user', 'Första följdfrågan', '[]', NULL, NULL, 'sv', '2026-11-01 10:02:00'),
              ('m4', 'c1', 2, 'user', 'Andra följdfrågan', '[]', NULL, NULL, 'sv', '2026-11-01 10:02:01'),
              ('m5', 'c1', 3, 'assistant', 'Svar', '[]', 0, 'llm', 'sv', '2026-11-01 10:02:05');
            """
        )
    records.upgrade_database(url)
    with sqlite3.connect(tmp_path / "app.sqlite3") as db:
        rows = db.execute("SELECT id, position FROM messages ORDER BY position").fetchall()
        assert rows == [("m1", 0), ("m2", 1), ("m3", 2), ("m4", 3), ("m5", 4)]
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                "INSERT INTO messages VALUES ('m6', 'c1', 4, 'user', 'x', '[]', NULL, NULL, 'sv',"
                " '2026-11-01 10:03:00')"
            )
        # The feedback on the first answer survived the upgrade.
        assert db.execute("SELECT message_id FROM feedback").fetchall() == [("m2",)]
