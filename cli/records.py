"""``advisor records …``: the records database's retention (what the web app also does on start)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from assistant.settings import get_settings

records_app = typer.Typer(no_args_is_help=True, help="Conversations and the question log: retention.")
out = Console()
err = Console(stderr=True)


@records_app.command("prune")
def prune(
    days: Annotated[
        int | None,
        typer.Option(min=0, help="Keep this many days (default: ADVISOR_RETENTION_DAYS; 0 keeps all)."),
    ] = None,
) -> None:
    """Delete conversations and question-log entries older than the retention period."""
    from records import build_engine, upgrade
    from records.retention import prune as prune_records
    from records.retention import secure_sqlite_file

    settings = get_settings()
    keep = settings.retention_days if days is None else days
    if keep == 0:
        out.print("ingen gallring: allt behålls (retention 0 dagar)")
        return
    try:
        secure_sqlite_file(settings.sql_url)
        engine = build_engine(settings.sql_url)
        try:
            upgrade(engine)
            pruned = prune_records(engine, keep)
        finally:
            engine.dispose()
    except Exception as exc:  # one clean line, as every advisor command gives
        err.print(f"[red]Fel:[/red] gallringen misslyckades ({type(exc).__name__})")
        raise typer.Exit(1) from None
    out.print(
        f"gallrat: {pruned.conversations} konversationer och {pruned.log_entries} loggade frågor "
        f"äldre än {keep} dagar"
    )
