"""A second process for the fault tests: ``python -m tests.ingest.child hold|ingest DATA_DIR [FOLDER]``.

``hold`` takes the index's writer lock, prints "held" and keeps it until its stdin closes.
``ingest`` syncs FOLDER into DATA_DIR (deterministic embedder, parsing in-process) and prints the
number of documents written, or the error that stopped it; the kill -9 test kills it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.settings import Settings
from ingest.lock import writer_lock


def main() -> None:
    command, data_dir = sys.argv[1], Path(sys.argv[2])
    settings = Settings(data_dir=data_dir, llm_provider="none", ingest_isolation="none")
    if command == "hold":
        with writer_lock(settings):
            sys.stdout.write("held\n")
            sys.stdout.flush()
            sys.stdin.read()
        return
    from assistant.errors import AdvisorError
    from assistant.store import ChunkStore
    from ingest.pipeline import sync
    from tests.fakes import HashEmbedder

    try:
        report = sync([Path(sys.argv[3])], ChunkStore(settings, embedder=HashEmbedder()))
    except AdvisorError as exc:
        sys.stdout.write(f"{type(exc).__name__}: {exc.detail}\n")
        sys.exit(1)
    sys.stdout.write(f"{len(report.added) + len(report.updated)}\n")


if __name__ == "__main__":
    main()
