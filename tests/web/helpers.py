"""Helpers for the web tests: a scripted fake of the core, SSE parsing and a live uvicorn server."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.errors import AdvisorError
from assistant.events import Done, Event, Sources, Token
from assistant.settings import Settings
from assistant.types import Chunk, Citation, Passage, Turn
from tests.support.llm_stub import LLMStub

# --- a hand-written fake of the core ------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """In a script: wait this long before the next event (to test streaming and disconnects)."""

    seconds: float


@dataclass(frozen=True)
class Raise:
    """In a script: raise this exception from inside the core (a bug, not a user-facing problem)."""

    exc: BaseException


@dataclass
class Call:
    question: str
    history: list[Turn]
    language: str | None


def citation(n: int = 1, **overrides: Any) -> Citation:
    values: dict[str, Any] = {
        "n": n,
        "title": "Lag om offentlig upphandling",
        "location": f"LOU 6 kap. {30 + n} §",
        "page": None,
        "url": "https://example.org/lou",
        "source": "lou.md",
        "snippet": "Ett partnerskap för innovation får delas in i etapper.",
        "text": "Ett partnerskap för innovation får delas in i etapper med delmål och ersättning i omgångar.",
        "chunk_id": f"chunk-{n}",
    }
    values.update(overrides)
    return Citation(**values)


def answer_events(
    text: str = "Innovationspartnerskap får delas in i etapper [1].",
    citations: list[Citation] | None = None,
    *,
    refused: bool = False,
    mode: str = "llm",
    language: str = "sv",
) -> list[Event]:
    """What the core yields for one answer: the text word by word, its sources, then Done."""
    cites = [citation(1)] if citations is None else citations
    words = [w + " " for w in text.split(" ")]
    words[-1] = words[-1].rstrip()
    return [
        *[Token(w) for w in words],
        Sources(cites),
        Done(
            refused=refused,
            mode=mode,
            answer=text,
            language=language,
            query=text,
            top_chunk_ids=[c.chunk_id for c in cites] or ["chunk-9"],
        ),
    ]


@dataclass
class Stream:
    """One answer the fake core played: how many events it handed out, and how it ended.

    ``ended`` is "finished" (played to the end), "closed" (``aclose()``: GeneratorExit at a yield),
    "cancelled" (a cancellation reached it while it waited) or "raised"; "" while it is still open.
    """

    question: str
    served: int = 0
    ended: str = ""


@dataclass
class FakeAssistant:
    """Plays scripted event lists (``enqueue``); records every call and how each stream ended.

    It keeps every generator it hands out, so the garbage collector never closes one: a stream
    counts as closed only when the web layer closed it.
    """

    scripts: deque[list[Any]] = field(default_factory=deque)
    calls: list[Call] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)
    generators: list[AsyncGenerator[Event, None]] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    status_error: AdvisorError | None = None  # raised by status() while set
    info: dict[str, Any] = field(
        default_factory=lambda: {
            "documents": 2,
            "chunks": 7,
            "embedding_model": "test:hash-64",
            "llm_model": "stub-chat",
            "mode": "llm",
        }
    )

    @property
    def finished(self) -> int:
        """Streams played to the end."""
        return sum(1 for s in self.streams if s.ended == "finished")

    @property
    def closed_early(self) -> int:
        """Streams that ended before their end, whichever way (the client left, a bug)."""
        return sum(1 for s in self.streams if s.ended not in ("", "finished"))

    def enqueue(self, *events: Any) -> None:
        self.scripts.append(list(events))

    def answer(
        self, question: str, history: list[Turn] | None = None, language: str | None = None
    ) -> AsyncGenerator[Event, None]:
        self.calls.append(Call(question, list(history or []), language))
        script = self.scripts.popleft() if self.scripts else answer_events()
        stream = Stream(question)
        self.streams.append(stream)
        generator = self._play(script, stream)
        self.generators.append(generator)
        return generator

    async def _play(self, script: list[Any], stream: Stream) -> AsyncGenerator[Event, None]:
        try:
            for item in script:
                if isinstance(item, Pause):
                    await asyncio.sleep(item.seconds)
                elif isinstance(item, Raise):
                    raise item.exc
                else:
                    stream.served += 1
                    yield item
        except GeneratorExit:
            stream.ended = "closed"
            raise
        except asyncio.CancelledError:
            stream.ended = "cancelled"
            raise
        except BaseException:
            stream.ended = "raised"
            raise
        stream.ended = "finished"

    def search(self, query: str, k: int = 10) -> list[Passage]:
        return self.passages[:k]

    def status(self) -> dict[str, Any]:
        if self.status_error is not None:
            raise self.status_error
        return dict(self.info)


def passage(
    rank: int, chunk_id: str, title: str = "Tidig dialog med marknaden", text: str = "Text."
) -> Passage:
    chunk = Chunk(
        id=chunk_id,
        doc_id="doc",
        text=text,
        title=title,
        source="/tmp/docs/dialog.md",
        heading_path=("Tidig dialog med marknaden", "Hur en förfrågan om information (RFI) går till"),
    )
    return Passage(chunk=chunk, rank=rank, score=1.0 / rank, scores={"words": 1.0 / rank})


# --- SSE -----------------------------------------------------------------------------------------


def parse_sse(body: str) -> list[tuple[str, Any]]:
    """``[(event, data), ...]`` from a text/event-stream body."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


# --- a real server on loopback ------------------------------------------------------------------------


class LiveServer:
    """Uvicorn serving ``app`` on 127.0.0.1 on a free port, in a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(
            app, log_level="warning", loop="asyncio", http="h11", ws="none", timeout_graceful_shutdown=3
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


def wait_for(condition: Callable[[], object], timeout: float = 5.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def stubbed_settings(settings: Settings, stub: LLMStub, *, with_llm: bool = True) -> Settings:
    """Settings whose embeddings, and chat model unless ``with_llm`` is False, go to the stub."""
    return settings.model_copy(
        update={
            "embedding_provider": "openai",
            "embedding_model": "stub-embed",
            "openai_base_url": stub.base_url,
            "openai_api_key": SecretStr("test"),
            "llm_provider": "openai" if with_llm else "none",
            "llm_model": "stub-chat",
            "llm_timeout_s": 10.0,
        }
    )
