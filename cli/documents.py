"""``advisor documents …`` and ``advisor gaps``: the advisors' operations from the command line,
through the same code the pages call (``curation``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.settings import get_settings
from curation.messages import text

documents_app = typer.Typer(no_args_is_help=True, help="The indexed documents (as on /admin).")
out = Console()
err = Console(stderr=True)


@contextmanager
def _documents() -> Iterator[Any]:
    from assistant.store import ChunkStore
    from curation.documents import Documents
    from records.accounts import Accounts
    from records.documents import Uploads

    settings = get_settings()
    uploads = Uploads.from_url(settings.sql_url)
    accounts = Accounts(uploads.engine)
    try:
        # Listing and switching documents on or off touch only the lexical index (SQLite, WAL), so
        # this is safe while the server runs; the vector store is never opened here.
        yield Documents(
            ChunkStore(settings),
            uploads,
            settings.uploads_path,
            max_bytes=settings.upload_limit_mb * 1024 * 1024,
            audit=accounts.audit,
        )
    finally:
        uploads.dispose()


@documents_app.command("list")
def list_documents(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every document: uploaded, from corpus/ and from `advisor ingest`."""
    with _documents() as documents:
        items = documents.all()
    if as_json:
        out.print_json(json.dumps(items, ensure_ascii=False))
        return
    table = Table("id", "titel / title", "källa / source", "status", "används / in use", "avsnitt / chunks")
    for d in items:
        in_use = "" if d["enabled"] is None else ("ja / yes" if d["enabled"] else "nej / no")
        table.add_row(
            str(d["id"]), str(d["title"]), str(d["source"]), str(d["status"]), in_use, str(d["chunks"])
        )
    out.print(table)


def _switch(doc_id: str, enabled: bool, comment: str | None) -> None:
    from curation.documents import DocumentError

    with _documents() as documents:
        try:
            documents.update(doc_id, "cli", enabled=enabled, comment=comment)
        except DocumentError as exc:
            err.print(f"[red]Fel:[/red] {text(exc.key, None, **exc.params)}")
            raise typer.Exit(1) from None
    state = "används igen / in use again" if enabled else "avstängt / disabled"
    out.print(f"{doc_id}: {state}", highlight=False)


@documents_app.command("disable")
def disable(
    doc_id: Annotated[str, typer.Argument(help="The document's id (advisor documents list).")],
    comment: Annotated[str | None, typer.Option(help="Kept in the audit log.")] = None,
) -> None:
    """Stop using a document in answers; it stays in place."""
    _switch(doc_id, False, comment)


@documents_app.command("enable")
def enable(
    doc_id: Annotated[str, typer.Argument(help="The document's id.")],
    comment: Annotated[str | None, typer.Option(help="Kept in the audit log.")] = None,
) -> None:
    """Use a disabled document in answers again."""
    _switch(doc_id, True, comment)


def gaps(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Refused and 👎 questions grouped by similar words, largest open groups first."""
    from curation.gaps import group
    from records.review import Review

    review = Review.from_url(get_settings().sql_url)
    try:
        found = group(review.unanswered(), review.verdicts())
    finally:
        review.dispose()
    rows: list[dict[str, Any]] = [
        {"key": g.key, "count": g.count, "status": g.status, "examples": g.examples, "note": g.note}
        for g in found
    ]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("antal / count", "status", "exempel / example", "anteckning / note")
    for r in rows:
        table.add_row(str(r["count"]), str(r["status"]), str(r["examples"][0]), str(r["note"] or ""))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the advisors' area's commands to ``advisor``."""
    from cli.users import tokens_app, users_app

    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
    app.add_typer(documents_app, name="documents")
    app.command("gaps")(gaps)
