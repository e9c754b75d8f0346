"""Parse one file, in this process or in a child process with time and memory limits.

Parsers are third-party code fed with files from anywhere: a hostile PDF may loop, a DOCX may
unpack to gigabytes. :class:`IsolatedParser` runs them in a child process (started clean, never
forked from a process holding torch or Chroma threads) under an address-space limit, waits at most
``timeout_s`` for each file, and replaces the child when it dies or is killed — the caller only
sees one refused file. Whatever the libraries log, warn or print while a file is parsed comes back
as that file's notes, one line each, instead of anonymous lines on the terminal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import AdvisorError
from ingest.intake import Limits, Refused, check_file
from ingest.model import LoadedDocument


@dataclass
class Parsed:
    """A parsed document, or why not: ``refused`` (one line) or ``error`` (an AdvisorError's
    key, detail and params, for the caller's messages); ``notes`` are the libraries' messages."""

    doc: LoadedDocument | None = None
    refused: str | None = None
    error: tuple[str, str, dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)


class Parser(Protocol):
    def parse(self, path: Path, root: Path) -> Parsed: ...

    def close(self) -> None: ...


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Collect(logging.Handler):
    def __init__(self, notes: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.notes.append(_one_line(f"{record.name}: {record.getMessage()}"))


@contextlib.contextmanager
def _library_messages(notes: list[str]) -> Iterator[None]:
    """Collect log records at WARNING and above and warnings raised while parsing, as notes."""
    handler = _Collect(notes)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        # A ResourceWarning comes from collecting some earlier object, not from this file.
        notes.extend(
            _one_line(f"{w.category.__name__}: {w.message}")
            for w in caught
            if not issubclass(w.category, ResourceWarning)
        )
    finally:
        root.removeHandler(handler)


def parse_file(path: Path, root: Path, limits: Limits) -> Parsed:
    """Check and load one file; never raises for anything the file itself causes."""
    from ingest.loaders import load

    notes: list[str] = []
    try:
        with _library_messages(notes):
            check_file(path, root, limits)
            doc = load(path, limits)
        return Parsed(doc=doc, notes=_dedupe(notes))
    except Refused as exc:
        return Parsed(refused=exc.reason, notes=_dedupe(notes))
    except AdvisorError as exc:
        return Parsed(error=(exc.key, exc.detail, dict(exc.params)), notes=_dedupe(notes))
    except MemoryError:
        return Parsed(refused=_OUT_OF_MEMORY, notes=_dedupe(notes))
    except RecursionError:
        return Parsed(refused="för djupt nästlat innehåll / too deeply nested content", notes=_dedupe(notes))
    except OSError as exc:
        return Parsed(error=("document_load", exc.strerror or type(exc).__name__, {}), notes=_dedupe(notes))
    except Exception as exc:  # a parser's own bug on this file must not end the run
        return Parsed(
            error=("document_load", f"could not be parsed ({type(exc).__name__})", {}), notes=_dedupe(notes)
        )


def _dedupe(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))


START_TIMEOUT_S = 60.0
_OUT_OF_MEMORY = "för mycket minne vid tolkningen / parsing ran out of memory"


class InProcessParser:
    """Parses in the calling process: for tests and for trusted folders when isolation is off."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def parse(self, path: Path, root: Path) -> Parsed:
        return parse_file(path, root, self.limits)

    def close(self) -> None:
        pass


def _child_main() -> None:
    """The child's loop (``python -m ingest.parsing LIMITS``): one path in, one Parsed out, over
    its stdin and stdout, until the parent closes the pipe."""
    import json
    import resource

    from ingest.offline import opt_out_of_network

    settings = json.loads(sys.argv[1])
    limits = Limits(**settings["limits"])
    opt_out_of_network()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if settings["memory_bytes"]:
        resource.setrlimit(resource.RLIMIT_AS, (settings["memory_bytes"], settings["memory_bytes"]))
    requests, replies = Connection(os.dup(0)), Connection(os.dup(1))
    import ingest.loaders  # noqa: F401  (imported before "ready": a file's time limit is its parsing)

    replies.send("ready")
    # Whatever a library prints goes to a file read back per document, not to the terminal or the pipe.
    with tempfile.TemporaryFile(mode="w+b") as sink:
        for fd in (0, 1, 2):
            os.dup2(sink.fileno(), fd)
        while True:
            try:
                path, root = requests.recv()
            except EOFError:
                return
            sink.seek(0)
            sink.truncate()
            result = parse_file(Path(path), Path(root), limits)
            sys.stdout.flush()
            sys.stderr.flush()
            sink.seek(0)
            printed = sink.read(8192).decode("utf-8", errors="replace")
            result.notes += [_one_line(line) for line in printed.splitlines() if line.strip()][:5]
            replies.send(result)
            if result.refused == _OUT_OF_MEMORY:
                return  # a process that hit its memory limit is not trusted with the next file


class IsolatedParser:
    """Parses in a child process, one file at a time, within ``timeout_s`` and ``memory_mb``."""

    def __init__(
        self, limits: Limits | None = None, *, timeout_s: float = 120.0, memory_mb: int = 2048
    ) -> None:
        self.limits = limits or Limits()
        self.timeout_s = timeout_s
        self.memory_bytes = memory_mb * 1024 * 1024
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._conn is None or self._process is None or self._process.poll() is not None:
            self._stop()
            import json

            project = str(Path(__file__).resolve().parent.parent)
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([project, os.environ.get("PYTHONPATH", "")])}
            config = {"limits": asdict(self.limits), "memory_bytes": self.memory_bytes}
            # A fresh interpreter, not a fork: the caller may hold torch and Chroma threads.
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ingest.parsing", json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
            assert self._process.stdin is not None and self._process.stdout is not None
            self._send = Connection(os.dup(self._process.stdin.fileno()))
            self._conn = Connection(os.dup(self._process.stdout.fileno()))
            self._process.stdin.close()
            self._process.stdout.close()
            if not self._conn.poll(START_TIMEOUT_S) or self._conn.recv() != "ready":
                self._stop()
                raise OSError("the parser process did not start")
        return self._conn

    def parse(self, path: Path, root: Path) -> Parsed:
        try:
            conn = self._start()
        except (EOFError, OSError):
            return Parsed(refused="tolkaren kunde inte startas / the parser process did not start")
        assert self._send is not None
        try:
            self._send.send((str(path), str(root)))
            if not conn.poll(self.timeout_s):
                self._stop()
                return Parsed(
                    refused=(
                        f"tolkningen tog för lång tid (över {self.timeout_s:g} s) / "
                        f"parsing took too long (over {self.timeout_s:g} s)"
                    )
                )
            result: Parsed = conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            code = self._process.wait(timeout=10) if self._process is not None else None
            self._stop()
            return Parsed(refused=f"tolkningen avbröts (kod {code}) / the parser crashed (exit code {code})")
        if result.refused == _OUT_OF_MEMORY:
            self._stop()
        return result

    def _stop(self) -> None:
        for conn in (self._send, self._conn):
            if conn is not None:
                conn.close()
        self._send = self._conn = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait(timeout=10)
            self._process = None

    def close(self) -> None:
        if self._send is not None and self._process is not None and self._process.poll() is None:
            self._send.close()  # the child's recv() ends and it exits by itself
            self._send = None
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=5)
        self._stop()

    def __enter__(self) -> IsolatedParser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


if __name__ == "__main__":
    # Run as ``-m``, this file is ``__main__``; results must pickle as ingest.parsing's classes.
    from ingest import parsing

    parsing._child_main()
