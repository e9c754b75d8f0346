"""The real app on loopback with its LLM behind the test server (tests/support/llm_stub.py).

Used by the Schemathesis step of .ci/run and by the load test (tests/load/chat_load.py):

    .venv/bin/python -m tests.load.server --port 8765 [--corpus corpus/] [--rate-limit 0] [--slots 8]

It indexes the given folders (default: the two small test documents) into a temporary data dir with
the stub's embeddings, prints ``ready <url>`` and serves until interrupted.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from pydantic import SecretStr

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.fakes import GUIDE, STATUTE
from tests.support.llm_stub import LLMStub
from web.main import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--corpus", type=Path, action="append", help="Folders to index (repeatable).")
    parser.add_argument("--rate-limit", type=int, default=0, help="Per client and minute (0 = off).")
    parser.add_argument("--slots", type=int, default=8, help="Answers computed at once.")
    parser.add_argument("--queue-timeout", type=float, default=10.0)
    parser.add_argument("--token-delay", type=float, default=0.0, help="Seconds between streamed tokens.")
    parser.add_argument(
        "--advisor-token", type=Path, help="Create an advisor and write an API token for it to this file."
    )
    args = parser.parse_args(argv)

    # uvicorn re-raises the SIGTERM it shut down on; as SystemExit it lets the data dir be removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="advisor-serve-") as tmp:
        return serve(args, Path(tmp))


def serve(args: argparse.Namespace, root: Path) -> int:
    folders = args.corpus
    if not folders:
        docs = root / "docs"
        docs.mkdir()
        (docs / "lou.md").write_text(STATUTE, encoding="utf-8")
        (docs / "dialog.md").write_text(GUIDE, encoding="utf-8")
        folders = [docs]
    with LLMStub(delay=args.token_delay) as stub:
        settings = Settings(
            data_dir=root / "data",
            embedding_provider="openai",
            embedding_model="stub-embed",
            openai_base_url=stub.base_url,
            openai_api_key=SecretStr("test"),
            llm_provider="openai",
            llm_model="stub-chat",
            llm_timeout_s=10.0,
            rate_limit_per_minute=args.rate_limit,
            max_concurrent_answers=args.slots,
            answer_queue_timeout_s=args.queue_timeout,
        )
        report = sync(folders, ChunkStore(settings))
        if not report.ok:
            sys.stderr.write(f"indexing failed: {report.failed}\n")
            return 1
        # The stub keeps every request it gets; over a long load run that would be the stub's
        # memory growing in this process, not the app's.
        threading.Thread(target=_forget_requests, args=(stub,), daemon=True).start()
        if args.advisor_token:
            _advisor_token(settings, args.advisor_token)
        sys.stdout.write(f"ready http://127.0.0.1:{args.port}\n")
        sys.stdout.flush()
        uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


def _advisor_token(settings: Settings, path: Path) -> None:
    """An advisor account with a random password, and a token for it in ``path`` (owner-only)."""
    import os
    import secrets

    from records.accounts import Accounts

    accounts = Accounts.from_url(settings.sql_url)
    try:
        accounts.add_user("fuzz", "advisor", secrets.token_urlsafe(16))
        token = accounts.create_token("fuzz")
    finally:
        accounts.dispose()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token)


def _forget_requests(stub: LLMStub) -> None:
    while True:
        time.sleep(2.0)
        with stub._lock:
            stub.requests.clear()
            stub.paths.clear()


if __name__ == "__main__":
    raise SystemExit(main())
