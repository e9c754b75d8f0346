"""``advisor documents`` and ``advisor gaps``: the pages' operations from the command line, through
the same curation code (a disabled document is not retrieved; the change is audited)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.retrieval import Retriever
from assistant.settings import Settings, get_settings
from assistant.store import ChunkStore
from cli.main import app
from ingest.pipeline import doc_id_of, sync
from records import Answer, ConversationStore
from records.accounts import Accounts


def run(*args: str) -> tuple[int, str, str]:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_documents_are_listed_and_switched_off_and_on(
    store: ChunkStore, settings: Settings, docs: Path
) -> None:
    assert sync([docs], store).ok
    statute = doc_id_of(docs / "lou.md", docs)
    code, out, _ = run("documents", "list", "--json")
    assert code == 0
    listed = {d["id"]: d for d in json.loads(out)}
    assert (
        listed[statute]["title"] == "Lag om offentlig upphandling (LOU)"
        and listed[statute]["enabled"] is True
    )

    code, out, _ = run("documents", "disable", statute, "--comment", "ersatt")
    assert code == 0 and "avstängt" in out
    retriever = Retriever(store, settings)
    found = retriever.search(retriever.analyze("Vad står i LOU 6 kap. 31 a §?"))
    assert all(p.chunk.doc_id != statute for p in found)
    accounts = Accounts.from_url(settings.sql_url)
    try:
        entry = accounts.audit_log()[0]
        assert (entry["actor"], entry["action"], entry["target"], entry["comment"]) == (
            "cli",
            "document.disable",
            statute,
            "ersatt",
        )
    finally:
        accounts.dispose()
    code, _, _ = run("documents", "enable", statute)
    assert code == 0 and store.lexical.document(statute)["enabled"] is True

    code, _, err = run("documents", "disable", "okänd")
    assert code == 1 and "Dokumentet finns inte." in err


def test_gaps_from_the_command_line(settings: Settings) -> None:
    conversations = ConversationStore.from_url(settings.sql_url)
    try:
        for question in ("Vad kostar kaffe i Kiruna?", "Kostar kaffe mycket i Kiruna?"):
            conversations.record_exchange(
                None, question, Answer("Nej.", [], True, "extractive", "sv", question, [])
            )
    finally:
        conversations.dispose()
    code, out, _ = run("gaps", "--json")
    assert code == 0
    (gap,) = json.loads(out)
    assert gap["count"] == 2 and gap["status"] == "open"
