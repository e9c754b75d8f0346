"""A client that leaves mid-answer, driven through the ASGI interface so each way the server can report
it is exact: the core's answer must be closed (``aclose``) by the time the app returns, have been asked
for no more events than needed, and an answer the client did not receive in full is not stored.

Starlette itself only cancels the response when the server speaks ASGI < 2.4 and a disconnect arrives
while nothing shields the core; these cases are the ones where our own closing code has to act.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import pytest
from fastapi import FastAPI
from starlette.types import Message

from assistant.events import Event
from tests.web.helpers import FakeAssistant, answer_events, parse_sse

QUESTION = "När får man använda innovationspartnerskap?"
SCRIPT: list[Event] = answer_events()  # seven tokens, sources, done


@dataclass(frozen=True)
class Leaving:
    """One way a client goes away, as the ASGI server tells the app."""

    name: str
    # "2.3": Starlette listens for http.disconnect and cancels the response itself;
    # "2.4": it does not listen, and relies on ``send`` raising once the client is gone.
    spec_version: str
    leaves_during: str  # the SSE event being sent when the client goes
    # What that send does: "blocks" (the client stopped reading, then hung up), "raises" (the write
    # fails), "delivers" (the bytes went out, then the client hung up).
    that_send: Literal["blocks", "raises", "delivers"]
    served: int  # events the core should have handed out
    received: list[str]  # the events the client got


CASES = [
    # Starlette cancels stream_response inside send(): the event generator is left suspended at
    # a yield, so only EventStreamResponse's aclose() and _translate's aclose() of the core end it.
    Leaving("2.3, hangs up while a token is written", "2.3", "token", "blocks", 1, []),
    # send() raises out of stream_response: the same suspended generators, the same two paths.
    Leaving("2.4, writing a token fails", "2.4", "token", "raises", 1, []),
    # Nothing fails until done would be sent: only the disconnect check before each event keeps the
    # answer from being stored, and then only _translate's aclose() ends the core.
    Leaving(
        "2.4, hangs up after the sources, before done",
        "2.4",
        "sources",
        "delivers",
        len(SCRIPT),
        ["token"] * (len(SCRIPT) - 2) + ["sources"],
    ),
]


@dataclass
class Exchange:
    """One request as the server saw it: what was delivered, and whether the client had left."""

    case: Leaving
    body: bytes
    left: anyio.Event = field(default_factory=anyio.Event)
    delivered: list[Message] = field(default_factory=list)
    requested: bool = False

    async def receive(self) -> Message:
        if not self.requested:
            self.requested = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        # Starlette's is_disconnected() calls this inside a cancelled scope: it must answer at once
        # when the client is gone, and give way (be cancelled) while it is still there.
        if not self.left.is_set():
            await self.left.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.left.is_set():
            if self.case.spec_version >= "2.4":
                raise OSError("the client is gone")
            return  # an ASGI 2.3 server drops what is sent after a disconnect
        if f"event: {self.case.leaves_during}".encode() in message.get("body", b""):
            self.left.set()
            if self.case.that_send == "blocks":
                await anyio.sleep_forever()
            elif self.case.that_send == "raises":
                raise OSError("connection reset by peer")
        self.delivered.append(message)

    @property
    def events(self) -> list[str]:
        text = b"".join(m.get("body", b"") for m in self.delivered).decode()
        return [name for name, _ in parse_sse(text)]


def scope(spec_version: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/chat",
        "raw_path": b"/api/chat",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_client_that_leaves_closes_the_core_and_nothing_is_stored(
    app: FastAPI, fake: FakeAssistant, case: Leaving
) -> None:
    fake.enqueue(*SCRIPT)
    exchange = Exchange(case, json.dumps({"message": QUESTION}).encode())

    async def serve() -> None:
        with anyio.fail_after(10):
            await app(scope(case.spec_version, exchange.body), exchange.receive, exchange.send)
        # Checked before anything else may run on the loop, so a generator the garbage collector
        # would close later does not count.
        (stream,) = fake.streams
        assert stream.ended == "closed", "the core's answer was not closed when the response ended"
        assert stream.served == case.served

    try:
        anyio.run(serve)
        assert exchange.left.is_set()
        assert exchange.events == case.received
        assert app.state.conversations.question_log() == [], "an answer the client did not get is stored"
    finally:
        if app.state.conversations is not None:
            app.state.conversations.dispose()
