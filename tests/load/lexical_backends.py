"""The two lexical backends side by side on one embedded index: the same vectors, the same questions.

Run by hand (the figures go to BENCHMARKS.md); point it at a copy of a data dir, since opening a
store may tidy it:

    .venv/bin/python -m tests.load.lexical_backends --data-dir /tmp/copy \\
        --database-url postgresql://user@host/db --questions dev.jsonl [--questions more.jsonl] [--passes 3]

It copies the data dir's SQLite lexical index (documents, chunks, hashes, disabled marks) into
PostgreSQL's ``lex_*`` tables — replacing what they held — and runs each question file through the
answer path without a model, once with each backend over the same Chroma vectors. The first pass
warms up; retrieval p50/p95 are over the later passes. One JSON line per backend and file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from assistant.evaluation import load_questions, run_question, summarize
from assistant.lexical import DOCUMENT_FIELDS, LexicalIndex
from assistant.lexical_pg import PgLexicalIndex
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from records import normalize_url

REPORTED = ("recall@5", "recall@10", "mrr@10", "facts_carried", "refusal_rate_unanswerable", "errors")


def copy_index(source: LexicalIndex, url: str) -> PgLexicalIndex:
    engine = create_engine(normalize_url(url))
    with engine.begin() as db:
        db.execute(text("DROP TABLE IF EXISTS lex_chunks, lex_documents"))
    engine.dispose()
    target = PgLexicalIndex(url)
    hashes = source.document_hashes()
    for document in source.documents():
        doc_id, source_path, title = str(document["doc_id"]), str(document["source"]), str(document["title"])
        meta = {k: v for k, v in document.items() if k not in DOCUMENT_FIELDS}
        target.mark_pending(doc_id, source_path, title, meta)
        target.replace_chunks(doc_id, hashes[source_path][1], title, meta, source.document_chunks(doc_id))
        if not document["enabled"]:
            target.set_enabled(doc_id, False)
    # What autovacuum does to a settled index: statistics (the common lexemes) and the visibility map.
    engine = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as db:
        db.execute(text("VACUUM ANALYZE lex_chunks"))
        db.execute(text("VACUUM ANALYZE lex_documents"))
    engine.dispose()
    return target


def evaluate(settings: Settings, store: ChunkStore, questions: Path, passes: int) -> dict[str, Any]:
    assistant = Assistant(settings, store=store)
    items = load_questions(questions)
    timed: list[float] = []

    async def run() -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for n in range(passes):
            results = [await run_question(assistant, q, 10) for q in items]
            if n > 0 or passes == 1:
                timed.extend(r["retrieval_ms"] for r in results if r["retrieval_ms"] is not None)
        return results

    summary = summarize(items, asyncio.run(run()))
    timed.sort()
    return {
        "file": questions.name,
        **{k: summary.get(k) for k in REPORTED},
        "retrieval_ms_p50": round(statistics.median(timed), 1) if timed else None,
        "retrieval_ms_p95": round(timed[min(len(timed) - 1, int(0.95 * len(timed)))], 1) if timed else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--questions", type=Path, action="append", required=True)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()

    base = Settings(data_dir=args.data_dir, llm_provider="none", chroma_url=None, database_url=None)
    sqlite_store = ChunkStore(base)
    pg = copy_index(LexicalIndex(base.index_path), args.database_url)
    shared = base.model_copy(update={"database_url": args.database_url})
    pg_store = ChunkStore(shared, lexical=pg)
    for questions in args.questions:
        for backend, settings, store in (("sqlite", base, sqlite_store), ("postgres", shared, pg_store)):
            row = {"backend": backend, **evaluate(settings, store, questions, args.passes)}
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    pg.dispose()


if __name__ == "__main__":
    main()
