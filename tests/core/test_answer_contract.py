"""What the answer path hands the front-ends and the model, field by field: the words a user reads in
their language, the query the question log keeps, the numbered passages the model is given, whose turn
each history message was. (A mutation run found these unchecked: see BENCHMARKS.md.)"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from assistant import service
from assistant.events import Error, Event, Sources
from assistant.messages import message
from assistant.service import Assistant
from assistant.types import Turn
from tests.core.helpers import answer_text, collect, done_of
from tests.support.llm_stub import LLMStub


@dataclass(frozen=True)
class Asked:
    question: str
    language: str


SWEDISH = Asked("Får ett innovationspartnerskap delas in i etapper med delmål?", "sv")
ENGLISH = Asked("May an innovation partnership be divided into phases with milestones?", "en")


@pytest.mark.parametrize(
    ("question", "key", "language"),
    [
        ("   ", "empty_question", "sv"),
        ("Vad gäller? " * 400, "question_too_long", "sv"),
        ("What applies? " * 400, "question_too_long", "en"),
    ],
)
def test_a_refused_input_is_explained_in_the_askers_language(
    offline: Assistant, question: str, key: str, language: str
) -> None:
    (event,) = collect(offline, question)
    assert isinstance(event, Error) and event.key == key
    assert event.message == message(key, language, limit=offline.settings.max_question_chars)


@pytest.mark.parametrize("asked", [SWEDISH, ENGLISH], ids=["sv", "en"])
def test_the_offline_answer_is_framed_numbered_and_logged_as_asked(offline: Assistant, asked: Asked) -> None:
    events = collect(offline, asked.question)
    done = done_of(events)
    text = answer_text(events)
    assert (done.refused, done.mode, done.language) == (False, "extractive", asked.language)
    assert done.answer == text and done.query == asked.question
    assert text.startswith(message("extractive_intro", asked.language))
    assert text.count("\n") >= 3  # streamed line by line, lines kept
    sources = next(e for e in events if isinstance(e, Sources)).citations
    assert [c.n for c in sources] == list(range(1, len(sources) + 1))
    for citation in sources:
        # The snippet is exactly what the answer quotes from that passage, and ends at its marker.
        assert f"{citation.snippet.split('. ')[-1]} [{citation.n}]" in text.replace("\n> ", " ")


def test_a_refusal_is_logged_with_what_was_searched(offline: Assistant) -> None:
    done = done_of(collect(offline, "Hur många kanelbullar äter en upphandlare i Sundsvall per år?"))
    assert (done.refused, done.mode, done.language) == (True, "extractive", "sv")
    assert done.query == "Hur många kanelbullar äter en upphandlare i Sundsvall per år?"
    assert done.retrieved, "the passages looked at are kept for the log"


def test_the_model_gets_numbered_passages_the_conversation_by_role_and_the_language(
    online: Assistant, llm: LLMStub
) -> None:
    history = [Turn("user", "Vad är ett innovationspartnerskap?"), Turn("assistant", "Ett förfarande [1].")]
    llm.enqueue("Ja, i etapper [1].", "Ja [1].")
    done = done_of(collect(online, ENGLISH.question, history))
    assert (done.refused, done.mode, done.language, done.query) == (False, "llm", "en", ENGLISH.question)
    request = llm.chat_requests[-1]
    system, *turns = request["messages"]
    assert [m["role"] for m in turns] == ["user", "assistant", "user"]
    assert [m["content"] for m in turns] == [history[0].content, history[1].content, ENGLISH.question]
    prompt = system["content"]
    numbered = [line for line in prompt.splitlines() if line.startswith("[")]
    assert numbered[0].startswith("[1] (") and numbered[1].startswith("[2] (")
    # Each passage is given whole, under its title and where it stands.
    for passage in done.retrieved[: online.settings.top_k]:
        where = ", ".join(x for x in (passage.chunk.title, passage.chunk.location) if x)
        assert f"({where})\n{passage.text}" in prompt
    assert "English" in prompt or "engelska" in prompt


def test_a_failing_model_gives_way_to_excerpts_under_a_note_in_the_askers_language(
    online: Assistant, llm: LLMStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "RETRY_BACKOFF_S", 0.0)
    llm.fail_next(500, times=10)
    events: list[Event] = collect(online, SWEDISH.question)
    done = done_of(events)
    assert (done.mode, done.refused) == ("extractive", False)
    assert done.answer.startswith(message("llm_fallback", "sv"))  # never the exception's own text
    assert not any(isinstance(e, Error) for e in events)


def test_status_names_its_parts(offline: Assistant) -> None:
    info = offline.status()
    assert info["mode"] == "extractive"
    assert info["vector_store"] == str(offline.settings.chroma_dir)
    assert info["documents"] == 2 and info["chunks"] > 0


def test_the_answer_is_one_stream_of_events_per_question(offline: Assistant) -> None:
    async def both() -> tuple[list[Event], list[Event]]:
        first = [e async for e in offline.answer(SWEDISH.question)]
        second = [e async for e in offline.answer(ENGLISH.question)]
        return first, second

    first, second = asyncio.run(both())
    assert done_of(first).language == "sv" and done_of(second).language == "en"


def test_a_model_refusal_is_logged_like_a_gate_refusal(online: Assistant, llm: LLMStub) -> None:
    llm.enqueue("innovationspartnerskap etapper delmål", "INGET_STÖD")  # the rewrite, then the answer
    done = done_of(collect(online, ENGLISH.question))
    assert (done.refused, done.mode, done.language, done.query) == (True, "llm", "en", ENGLISH.question)
    assert done.answer == message("refusal", "en")
    assert done.retrieved and done.top_chunk_ids
