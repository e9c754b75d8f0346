"""Helpers for the core tests: run the one async entry point and read what it yielded."""

from __future__ import annotations

import asyncio

from assistant.events import Done, Event, Sources, Token
from assistant.service import Assistant
from assistant.types import Turn


def collect(assistant: Assistant, question: str, history: list[Turn] | None = None) -> list[Event]:
    async def run() -> list[Event]:
        return [e async for e in assistant.answer(question, history)]

    return asyncio.run(run())


def answer_text(events: list[Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, Token))


def sources_of(events: list[Event]) -> list[str]:
    found = next(e for e in events if isinstance(e, Sources))
    return [c.location for c in found.citations]


def done_of(events: list[Event]) -> Done:
    done = events[-1]
    assert isinstance(done, Done), f"the answer ended with {done!r}"
    return done
