"""One writer at a time to the indexes, across processes: ``with writer_lock(settings): ...``.

A file lock (``flock``) on ``<data dir>/index.lock`` guards the embedded store; when the shared
database is PostgreSQL, a session advisory lock is taken as well, so writers on several machines
sharing a Chroma server take turns too. Within one process the lock is reentrant (an upload inside
a run that already holds it does not wait for itself) and threads take turns. A writer that finds
the lock held says so through ``on_wait`` once, then waits up to ``ingest_lock_timeout_s``.
Readers never take it: SQLite's WAL and Chroma keep answering while a writer works.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import StoreUnavailableError
from assistant.settings import Settings, is_postgres, psql_url
from assistant.store import WRITER_LOCK_KEY

ADVISORY_KEY = WRITER_LOCK_KEY
POLL_S = 0.2


@dataclass
class _Held:
    turn: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    release: Callable[[], None] | None = None


_registry: dict[str, _Held] = {}
_registry_guard = threading.Lock()


def lock_path(settings: Settings) -> Path:
    return settings.data_dir / "index.lock"


@contextlib.contextmanager
def writer_lock(
    settings: Settings,
    *,
    on_wait: Callable[[str], None] | None = None,
    timeout_s: float | None = None,
) -> Iterator[None]:
    """Hold the index's writer lock for the block; ``on_wait(holder)`` is told once if it must wait."""
    path = lock_path(settings)
    held = _held(path)
    with held.turn:
        if held.depth == 0:
            limit = settings.ingest_lock_timeout_s if timeout_s is None else timeout_s
            held.release = _acquire(settings, path, on_wait, limit)
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0 and held.release is not None:
                held.release()
                held.release = None


def _held(path: Path) -> _Held:
    key = str(path.resolve())  # the same key before and after the file exists, links resolved
    with _registry_guard:
        return _registry.setdefault(key, _Held())


def hold_for_process(
    settings: Settings, *, on_wait: Callable[[str], None] | None = None, timeout_s: float | None = None
) -> Callable[[], None]:
    """Hold the writer lock on behalf of this whole process until the returned function is called:
    ``advisor serve`` with the embedded store, so an ``advisor ingest`` in another process waits (and
    says so) instead of writing to the Chroma folder the server has open. This process's own writers
    (uploads) still take turns by thread, without taking the file lock again."""
    path = lock_path(settings)
    held = _held(path)
    with held.turn:
        if held.depth == 0:
            limit = settings.ingest_lock_timeout_s if timeout_s is None else timeout_s
            held.release = _acquire(settings, path, on_wait, limit)
        held.depth += 1

    def release() -> None:
        with held.turn:
            held.depth -= 1
            if held.depth == 0 and held.release is not None:
                held.release()
                held.release = None

    return release


def _acquire(
    settings: Settings, path: Path, on_wait: Callable[[str], None] | None, timeout_s: float
) -> Callable[[], None]:
    deadline = time.monotonic() + timeout_s
    told = False

    def waiting(holder: str) -> None:
        nonlocal told
        if not told and on_wait is not None:
            on_wait(holder)
        told = True
        if time.monotonic() >= deadline:
            raise StoreUnavailableError(
                f"en annan skrivning pågår ({holder}) / another writer holds the index ({holder})"
            )
        time.sleep(POLL_S)

    release_file = _file_lock(path, waiting)
    if not is_postgres(settings.database_url):
        return release_file
    try:
        release_pg = _advisory_lock(str(settings.database_url), waiting)
    except BaseException:
        release_file()
        raise

    def release() -> None:
        try:
            release_pg()
        finally:
            release_file()

    return release


def _file_lock(path: Path, waiting: Callable[[str], None]) -> Callable[[], None]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreUnavailableError(
            f"{path.parent}: {exc.strerror or 'I/O'} (skrivskyddad? / read-only?)"
        ) from exc
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waiting(_holder(fd))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {' '.join(Path(a).name for a in sys.argv[:2])}".encode(), 0)
    except BaseException:
        os.close(fd)
        raise

    def release() -> None:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    return release


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "okänd process / unknown process"


def _advisory_lock(url: str, waiting: Callable[[str], None]) -> Callable[[], None]:
    from sqlalchemy import create_engine, text

    engine = create_engine(psql_url(url))
    connection: Any = engine.connect()
    try:
        while not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar():
            connection.rollback()
            waiting("PostgreSQL advisory lock")
        connection.commit()
    except BaseException:
        connection.close()
        engine.dispose()
        raise

    def release() -> None:
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            connection.commit()
        finally:
            connection.close()
            engine.dispose()

    return release
