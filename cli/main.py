"""``advisor``: ingest, ask, status, eval, bench, serve and db — the composition root over the core.

This is the CLI's output layer: it alone prints. Errors become one clean line and a non-zero exit;
``--debug`` shows the traceback.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.errors import AdvisorError, InvalidInputError
from assistant.messages import message
from assistant.settings import Settings, get_settings
from cli.documents import register as register_advisors_area
from cli.records import records_app

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Innovation procurement advisor.")
out = Console()
err = Console(stderr=True)
STATE = {"debug": False}
F = TypeVar("F", bound=Callable[..., Any])


def friendly(func: F) -> F:
    """Turn every failure into one line on stderr and exit 1 (traceback only with --debug)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except AdvisorError as exc:
            if STATE["debug"]:
                raise
            lang = get_settings().default_language
            err.print(f"[red]Fel:[/red] {message(exc.key, lang, detail=exc.detail, **exc.params)}")
            raise typer.Exit(1) from None
        except ValidationError as exc:
            if STATE["debug"]:
                raise
            first = exc.errors()[0]
            err.print(f"[red]Fel:[/red] ogiltig inställning {first['loc']}: {first['msg']}")
            raise typer.Exit(1) from None
        except Exception as exc:
            if STATE["debug"]:
                raise
            err.print(f"[red]Fel:[/red] {message('internal', 'sv')} ({type(exc).__name__}; kör med --debug)")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    from ingest.offline import opt_out_of_network

    STATE["debug"] = debug
    opt_out_of_network()


def _store(settings: Settings) -> Any:
    from assistant.store import ChunkStore

    return ChunkStore(settings)


def _ingest(
    paths: list[Path],
    settings: Settings,
    prune: bool,
    reindex: bool,
    quiet: bool = False,
    sources: Path | None = None,
) -> Any:
    from ingest.lock import writer_lock
    from ingest.pipeline import FINAL, SyncReport, sync

    def waiting(holder: str) -> None:
        if not quiet:
            err.print(
                f"Väntar på att en annan skrivning ska bli klar ({holder}) … / "
                f"waiting for another writer to finish ({holder}) …",
                markup=False,
                soft_wrap=True,
            )

    with writer_lock(settings, on_wait=waiting):
        store = _store(settings)
        if reindex:
            store.reset()
            store = _store(settings)
        elif not quiet:
            _say_if_the_lexical_index_moved(settings, store)
        report = SyncReport()
        batches: list[tuple[list[Path], bool]] = [(paths, prune)] if paths else []
        if sources is not None:
            from ingest.sources import fetch_sources, load_sources

            folder = settings.data_dir / "sources"
            fetched = fetch_sources(load_sources(sources), folder)
            report.failed.extend(fetched.failed)
            # The downloads mirror the list: an entry taken off it leaves the index too.
            batches.append(([folder], True))
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}", markup=False),
            console=err,
            disable=quiet or not err.is_terminal,  # a log gets whole lines, not a live bar
            transient=True,
        ) as progress:
            task = progress.add_task("Indexerar", total=0, current="")

            def discovered(count: int) -> None:
                progress.update(task, total=(progress.tasks[0].total or 0) + count)

            def step(name: str, status: str) -> None:
                # A file in hand reports its stages (parsing, embedding n of m) before its outcome.
                if status in FINAL:
                    progress.advance(task)
                progress.update(task, current=f"{name} ({status})")
                if not quiet and not err.is_terminal and "/" in status.split(" / ")[0]:
                    # No live bar in a log: a long document's embedding still shows how far it is.
                    err.print(f"… {name}: {status}", markup=False, soft_wrap=True, highlight=False)

            for batch, batch_prune in batches:
                report.merge(sync(batch, store, prune=batch_prune, progress=step, on_discovered=discovered))
    return report


def _say_if_the_lexical_index_moved(settings: Settings, store: Any) -> None:
    """Switching between the embedded lexical index and PostgreSQL's is a re-index: say so plainly
    when this run is the one that does it."""
    from assistant.lexical import LexicalIndex

    if not settings.shared_index or store.counts()[0] > 0 or not settings.index_path.is_file():
        return
    documents = LexicalIndex(settings.index_path).counts()[0]
    if documents:
        err.print(
            f"Det lexikala indexet ligger nu i PostgreSQL (ADVISOR_DATABASE_URL och ADVISOR_CHROMA_URL är satta): "
            f"alla dokument indexeras om där; de {documents} i {settings.index_path} används inte längre. / "
            f"The lexical index now lives in PostgreSQL: every document is indexed again there; the "
            f"{documents} in {settings.index_path} are no longer used.",
            markup=False,
            soft_wrap=True,
        )


def _print_ingest_report(report: Any, seconds: float) -> None:
    """One line per fact, never wrapped (a log or a pipe reads whole lines), names as given."""
    out.print(
        f"tillagda {len(report.added)} · uppdaterade {len(report.updated)} · oförändrade "
        f"{len(report.unchanged)} · borttagna {len(report.removed)} · misslyckade {len(report.failed)}"
        f"  ({report.chunks_written} avsnitt skrivna, {seconds:.1f} s)",
        soft_wrap=True,
    )
    if report.rekeyed:
        err.print(
            f"{len(report.rekeyed)} dokument fick stabila id:n (vektorerna flyttades, inget bäddades in igen) / "
            f"{len(report.rekeyed)} documents moved to stable ids (vectors kept, nothing embedded again)",
            soft_wrap=True,
        )
    for name, count in report.flagged:
        err.print(
            f"⚑ {name}: {count} avsnitt flaggade som möjlig instruktion till assistenten (citeras inte) / "
            f"{count} passages flagged as possible instructions to the assistant (not quoted)",
            markup=False,
            soft_wrap=True,
        )
    for name, note in report.notes:
        err.print(f"⚠ {name}: {note}", markup=False, soft_wrap=True, highlight=False)
    for name, reason in report.failed:
        err.print("✗", style="red", end=" ", soft_wrap=True)
        err.print(f"{name}: {reason}", markup=False, soft_wrap=True, highlight=False)


@app.command()
@friendly
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to index.")] = None,
    prune: Annotated[bool, typer.Option(help="Remove documents whose files are gone.")] = False,
    reindex: Annotated[bool, typer.Option(help="Drop the index and build it anew.")] = False,
    sources: Annotated[
        Path | None,
        typer.Option(
            help="Also fetch and index the official documents listed in this file (needs a network)."
        ),
    ] = None,
) -> None:
    """Index documents (PDF, DOCX, HTML, Markdown, text); unchanged files are skipped."""
    if not paths and sources is None:
        err.print(
            "[red]Fel:[/red] ange filer eller mappar, eller --sources FIL / give paths or --sources FILE"
        )
        raise typer.Exit(2)
    started = time.perf_counter()
    try:
        report = _ingest(paths or [], get_settings(), prune, reindex, sources=sources)
    except AdvisorError as exc:
        if STATE["debug"]:
            raise
        text = message(exc.key, get_settings().default_language, detail=exc.detail, **exc.params)
        err.print("Fel:", style="red", end=" ", soft_wrap=True)
        err.print(" ".join(text.split()), markup=False, soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    _print_ingest_report(report, time.perf_counter() - started)
    if report.failed:
        raise typer.Exit(1)


@app.command()
@friendly
def reembed(
    drop_other_models: Annotated[
        bool,
        typer.Option(
            help="Also remove the collections of other embedding models (once no server uses them)."
        ),
    ] = False,
) -> None:
    """Embed every passage again with the configured model, into a new collection beside the one in
    use; servers keep answering from the old one and switch when the new one is complete."""
    from assistant.store import ChunkStore
    from ingest.lock import writer_lock

    settings = get_settings()

    def waiting(holder: str) -> None:
        err.print(
            f"Väntar på att en annan skrivning ska bli klar ({holder}) … / "
            f"waiting for another writer to finish ({holder}) …",
            markup=False,
            soft_wrap=True,
        )

    started = time.perf_counter()
    with writer_lock(settings, on_wait=waiting):
        store = ChunkStore(settings)
        with Progress(
            TextColumn("[bold]Bäddar in / embedding"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=not err.is_terminal,
            transient=True,
        ) as progress:
            task = progress.add_task("reembed", total=store.counts()[1])
            name = store.reembed(
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                drop_other_models=drop_other_models,
            )
    out.print(
        f"{store.counts()[1]} avsnitt inbäddade med {store.embedder.name} i {name}, som nu används "
        f"({time.perf_counter() - started:.1f} s) / passages embedded into {name}, now in use",
        soft_wrap=True,
        highlight=False,
    )


@app.command()
@friendly
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Swedish or English.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Ask a question; the answer streams, then its sources."""
    from assistant.events import Done, Error, Sources, Token
    from assistant.service import build_assistant

    assistant = build_assistant(get_settings())
    result: dict[str, Any] = {"answer": "", "sources": [], "refused": False}

    async def run() -> int:
        async for event in assistant.answer(question):
            if isinstance(event, Token):
                result["answer"] += event.text
                if not as_json:
                    out.print(event.text, end="", markup=False, highlight=False)
            elif isinstance(event, Sources):
                result["sources"] = [c.as_dict() for c in event.citations]
            elif isinstance(event, Done):
                result.update(refused=event.refused, mode=event.mode)
            elif isinstance(event, Error):
                err.print(f"[red]Fel:[/red] {event.message}")
                return 1
        return 0

    code = asyncio.run(run())
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
    elif result["sources"]:
        out.print("\n[bold]Källor[/bold]")
        for c in result["sources"]:
            page = f", s. {c['page']}" if c["page"] else ""
            link = f" — {c['url']}" if c["url"] else ""
            out.print(f"[{c['n']}] {c['title']}, {c['location']}{page}{link}", markup=False)
    raise typer.Exit(code)


@app.command()
@friendly
def status() -> None:
    """Documents, chunks and models in the index."""
    from assistant.service import build_assistant

    info = build_assistant(get_settings()).status()
    table = Table(show_header=False)
    for key, value in info.items():
        table.add_row(key, str(value if value is not None else "—"))
    out.print(table)


@app.command(name="backup")
@friendly
def backup_command(
    target: Annotated[Path, typer.Argument(help="A new or empty folder for the copy.")],
) -> None:
    """Copy the data dir (indexes, vectors, conversations, uploaded originals) consistently, under the
    writer lock (with the embedded store, stop `advisor serve` first: it holds that lock)."""
    from cli.backup import backup

    def waiting(holder: str) -> None:
        err.print(f"Väntar på att skrivlåset släpps ({holder}) / waiting for the writer lock ({holder})")

    manifest = backup(get_settings(), target, on_wait=waiting)
    out.print(
        f"säkerhetskopia i {target}: {manifest['documents']} dokument, {manifest['chunks']} avsnitt"
        f" / backup in {target}"
    )
    if manifest["chroma_server"] or manifest["records"] == "external":
        err.print(
            "[yellow]Chroma-servern och PostgreSQL säkerhetskopieras för sig (se README) / "
            "back up the Chroma server and PostgreSQL on their own (see README)[/yellow]"
        )


@app.command(name="restore")
@friendly
def restore_command(
    source: Annotated[Path, typer.Argument(help="A folder written by `advisor backup`.")],
    replace: Annotated[
        bool, typer.Option(help="Move a non-empty data dir aside (kept beside it) instead of refusing.")
    ] = False,
) -> None:
    """Put a backup back as the data dir (stop `advisor serve` first); checks the counts after."""
    from cli.backup import restore

    manifest, moved = restore(get_settings(), source, replace=replace)
    if moved is not None:
        out.print(f"den tidigare datakatalogen ligger kvar i {moved} / the previous data dir is in {moved}")
    out.print(
        f"återställd från {source}: {manifest['documents']} dokument, {manifest['chunks']} avsnitt"
        f" / restored from {source}"
    )


@app.command(name="eval")
@friendly
def evaluate(
    questions: Annotated[Path, typer.Option(help="A JSONL question file.")],
    corpus: Annotated[
        list[Path] | None, typer.Option(help="Index these into a temporary data dir first (repeatable).")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Passages per question.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run questions through retrieval and answering; report recall@5, MRR@10 and refusals."""
    from assistant.evaluation import load_questions, run_question, summarize
    from assistant.service import Assistant

    settings = get_settings()
    items = load_questions(questions)
    tmp: str | None = None
    if corpus:
        tmp = tempfile.mkdtemp(prefix="advisor-eval-")
        settings = settings.model_copy(update={"data_dir": Path(tmp), "chroma_url": None})
        report = _ingest(list(corpus), settings, prune=False, reindex=False, quiet=as_json)
        if report.failed:
            err.print(f"[yellow]{len(report.failed)} filer kunde inte indexeras[/yellow]")
    try:
        assistant = Assistant(settings)

        async def run() -> list[dict[str, Any]]:
            return [await run_question(assistant, q, k) for q in items]

        with _planted_documents([q for q in items if q.planted], assistant, quiet=as_json):
            results = asyncio.run(run())
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    summary = summarize(items, results)
    if as_json:
        sys.stdout.write(json.dumps({"summary": summary, "results": results}, ensure_ascii=False) + "\n")
        return
    table = Table("id", "rank", "refused", "question")
    for r in results:
        table.add_row(r["id"], str(r["rank"] or "—"), "ja" if r["refused"] else "", r["q"][:70])
    out.print(table)
    out.print_json(json.dumps(summary, ensure_ascii=False))


@contextmanager
def _planted_documents(questions: list[Any], assistant: Any, *, quiet: bool) -> Iterator[None]:
    """The red-team questions' planted documents, indexed while the question file runs, then removed
    from both indexes — whether the run succeeds or not."""
    if not questions:
        yield
        return
    from ingest.pipeline import sync

    folder = Path(tempfile.mkdtemp(prefix="advisor-planted-"))
    try:
        for q in questions:
            (folder / f"planted-{q.id}.md").write_text(q.planted, encoding="utf-8")
        report = sync([folder], assistant.store)
        if not quiet:
            err.print(f"{len(report.added)} planterade dokument indexerade för körningen")
        yield
    finally:
        root = str(folder.resolve())
        for document in assistant.store.lexical.documents():
            if str(document["source"]).startswith(root):
                assistant.store.delete_document(str(document["doc_id"]))
        shutil.rmtree(folder, ignore_errors=True)


@app.command()
@friendly
def bench(
    questions: Annotated[
        Path | None,
        typer.Option(help="A JSONL question file to time (default: ../shared/dev-questions.jsonl)."),
    ] = None,
    rounds: Annotated[int, typer.Option(help="Times to run each question.")] = 3,
    scale: Annotated[
        int | None, typer.Option(help="Build a corpus of this many chunks in a temporary data dir.")
    ] = None,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(help="Real texts for --scale (default: ../shared/corpus-real, seeds)."),
    ] = None,
    from_index: Annotated[
        Path | None, typer.Option(help="Copy the real texts' index from this data dir instead of ingesting.")
    ] = None,
    baselines: Annotated[
        bool, typer.Option(help="Also time BM25Retriever and the LangChain tutorial.")
    ] = True,
    work_dir: Annotated[
        Path | None,
        typer.Option(
            help="Build --scale's corpus and data dir here, and keep them; a later run with the same --scale and --work-dir times that corpus again without building it."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Time retrieval (lexical, dense, hybrid), the answer path to its first token (in the core and over
    HTTP) and the baselines, over the current index or a generated one of --scale chunks."""
    from cli.bench import MissingBenchPackage, run, shared_path

    settings = get_settings()
    questions = questions or shared_path("dev-questions.jsonl")
    if not questions.exists():
        raise InvalidInputError(f"{questions} finns inte / does not exist")
    try:
        report = run(
            settings,
            questions,
            rounds=rounds,
            scale=scale,
            corpus_paths=corpus,
            from_index=from_index,
            baselines=baselines,
            http_first_token=lambda assistant, asked: asyncio.run(_first_token_over_http(assistant, asked)),
            work=work_dir,
        )
    except MissingBenchPackage as exc:
        err.print(f"[red]Fel:[/red] paket för jämförelserna saknas / a baseline package is missing: {exc}")
        raise typer.Exit(1) from None
    except ValueError as exc:  # a work dir holding another size, real texts that seed nothing
        raise InvalidInputError(f"--scale: {exc}") from None
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    table = Table("ms", "p50", "p95")
    for name, figures in report["latency_ms"].items():
        table.add_row(name, *(str(figures[p]) if figures else "—" for p in ("p50", "p95")))
    out.print(table)
    out.print_json(json.dumps({k: v for k, v in report.items() if k != "latency_ms"}, ensure_ascii=False))


async def _first_token_over_http(assistant: Any, questions: list[str]) -> list[float]:
    """Milliseconds from POST /api/chat to its first `token` event, through the real app (routing,
    SSE framing, conversation store), with conversations kept in a throwaway database."""
    import httpx

    from web.deps import get_assistant
    from web.main import create_app

    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        # A benchmark is one client asking fast: the per-client rate limit would time its 429s instead.
        settings = assistant.settings.model_copy(
            update={"database_url": f"sqlite:///{tmp}/bench.sqlite3", "rate_limit_per_minute": 0}
        )
        web_app = create_app(settings)
        web_app.dependency_overrides[get_assistant] = lambda: assistant
        timings: list[float] = []
        transport = httpx.ASGITransport(app=web_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", timeout=60) as client:
            for question in questions:
                started = time.perf_counter()
                async with client.stream("POST", "/api/chat", json={"message": question}) as response:
                    if response.status_code != 200:
                        raise InvalidInputError(f"POST /api/chat answered {response.status_code}")
                    async for line in response.aiter_lines():
                        if line.startswith(("event: token", "event: error")):
                            timings.append((time.perf_counter() - started) * 1000)
                            break
        if web_app.state.conversations is not None:
            web_app.state.conversations.dispose()
    return timings


register_advisors_area(app)  # users, tokens, documents, gaps
app.add_typer(records_app, name="records")

db_app = typer.Typer(no_args_is_help=True, help="The records database (conversations, feedback, log).")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Bring the database's schema to the newest revision (``advisor serve`` also does on start)."""
    from records import upgrade_database
    from records.retention import secure_sqlite_file

    url = get_settings().sql_url
    secure_sqlite_file(url)  # created owner-only, as `advisor serve` does
    before, after = upgrade_database(url)
    if before == after:
        out.print(f"databasen är redan aktuell (revision {after})")
    else:
        out.print(f"databasen uppgraderad: {before or 'ingen'} → {after}")


@db_app.command("current")
@friendly
def db_current() -> None:
    """Show the database's schema revision and the newest one this version knows."""
    import records

    engine = records.build_engine(get_settings().sql_url)
    try:
        revision = records.current(engine)
    finally:
        engine.dispose()
    out.print(f"revision {revision or 'ingen'} (senaste: {records.head()})")


@app.command()
@friendly
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (more than 1 needs a Chroma server).")] = 1,
) -> None:
    """Serve the web chat and its API (upgrading the records database first)."""
    from web.server import serve as run_server

    run_server(host=host, port=port, workers=workers, settings=get_settings())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
