"""``POST /api/chat``: the core's answer events translated to Server-Sent Events.

token → ``event: token``, sources → ``event: sources``, done → ``event: done`` (after the exchange is
stored), error → ``event: error``; a question the core will not take (its first event an error with a
4xx key) is answered with that HTTP status instead of a stream. When the client goes away the core's
generator is closed, so the language model stops generating for nobody.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from assistant.events import Done, Error, Event, Sources, Token
from records import Answer, ConversationStore
from web.deps import AssistantDep, ConversationsDep, SettingsDep
from web.errors import STATUS_BY_KEY, UserError, error_responses, text
from web.metrics import observe_answer
from web.middleware import Busy, ClientLeft, answer_slots
from web.schemas import SSE_EVENT_SCHEMA, ChatRequest

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["chat"])

STREAM_DOC = """Answer a question as a stream of Server-Sent Events:

* `token` — `{"text": "..."}`, a piece of the answer as it is written;
* `sources` — a list of citations `{n, title, location, page, url, source, snippet, text, chunk_id}`;
* `done` — `{"conversation_id", "message_id", "refused", "mode", "language"}`;
* `error` — `{"message", "key"}`, a user-facing message.
"""


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class EventStreamResponse(StreamingResponse):
    """A streaming response that always closes its event generator, whichever way the stream ends,
    and then gives back its turn (``on_close``), even when the generator never started."""

    media_type = "text/event-stream"
    on_close: Callable[[], None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except ClientDisconnect:  # ASGI >= 2.4: a write failed because the client left; not our failure
            log.info("client disconnected; answer abandoned")
        finally:
            try:
                close = getattr(self.body_iterator, "aclose", None)
                if close is not None:
                    with anyio.CancelScope(shield=True):
                        await close()
            finally:
                if self.on_close is not None:
                    self.on_close()


@router.post(
    "/chat",
    response_class=EventStreamResponse,
    summary="Ask a question (streams Server-Sent Events)",
    description=STREAM_DOC,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
            "description": "The answer as events.",
        },
        **error_responses(400, 404, 413, 422, 429, 500, 503),
    },
)
async def chat(
    body: ChatRequest,
    request: Request,
    assistant: AssistantDep,
    conversations: ConversationsDep,
    settings: SettingsDep,
) -> Response:
    if len(body.message) > settings.max_question_chars:  # as the OpenAPI document states it
        raise UserError("question_too_long", body.language, limit=settings.max_question_chars)
    question = body.message.strip()
    history = []
    if body.conversation_id:
        found = await run_in_threadpool(conversations.exists, body.conversation_id)
        if not found:
            raise UserError("conversation_not_found", body.language)
        history = await run_in_threadpool(conversations.history, body.conversation_id)

    # A turn among the answers computed at once: a burst waits, then is told the server is busy; a
    # client that leaves while it waits never reaches retrieval.
    slots = answer_slots(request.app)
    try:
        await slots.acquire(request.is_disconnected)
    except Busy:
        raise UserError("busy", body.language) from None
    except ClientLeft:
        log.info("client left while waiting for a turn (conversation %s)", body.conversation_id)
        return Response(status_code=204)
    try:
        response = await _answer(body, question, history, request, assistant, conversations, settings)
    except BaseException:
        slots.release()
        raise
    response.on_close = slots.release
    return response


async def _answer(
    body: ChatRequest,
    question: str,
    history: list[Any],
    request: Request,
    assistant: AssistantDep,
    conversations: ConversationStore,
    settings: SettingsDep,
) -> EventStreamResponse:
    # Whether a question is acceptable (not empty, not too long) is the core's rule; it says so in
    # its first event. Waiting for that event costs nothing a user sees, since nothing could be shown
    # before it, and lets a refused question get an HTTP status the page gives back to be edited.
    started = time.perf_counter()
    events = assistant.answer(question, history=history, language=body.language)
    try:
        first = await anext(events, None)
    except Exception as exc:  # a bug before the answer began: log it, tell the user only that it failed
        # The logging policy: ids, keys and timings, never the question's text.
        log.exception("answering failed before the first event (conversation %s)", body.conversation_id)
        raise UserError("internal", body.language) from exc
    if isinstance(first, Error) and STATUS_BY_KEY.get(first.key, 500) < 500:
        await events.aclose()
        raise UserError(first.key, body.language, limit=settings.max_question_chars)
    stream = _translate(
        first,
        events,
        request,
        conversations,
        question=question,
        conversation_id=body.conversation_id,
        language=body.language or settings.default_language,
        started=started,
    )
    return EventStreamResponse(stream, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _translate(
    first: Event | None,
    events: AsyncGenerator[Event, None],
    request: Request,
    conversations: ConversationStore,
    *,
    question: str,
    conversation_id: str | None,
    language: str,
    started: float,
) -> AsyncIterator[str]:
    citations: list[dict[str, Any]] = []
    event = first
    try:
        while event is not None:
            if await request.is_disconnected():
                log.info("client disconnected; answer abandoned")
                return
            if isinstance(event, Token):
                yield sse("token", {"text": event.text})
            elif isinstance(event, Sources):
                citations = [c.as_dict() for c in event.citations]
                yield sse("sources", citations)
            elif isinstance(event, Done):
                answer = Answer.of(event, citations, round((time.perf_counter() - started) * 1000))
                exchange = await run_in_threadpool(
                    conversations.record_exchange, conversation_id, question, answer
                )
                observe_answer(request.app, answer, "web")
                yield sse(
                    "done",
                    {
                        "conversation_id": exchange.conversation_id,
                        "message_id": exchange.message_id,
                        "refused": event.refused,
                        "mode": event.mode,
                        "language": event.language,
                    },
                )
            elif isinstance(event, Error):
                yield sse("error", {"message": event.message or text(event.key, language), "key": event.key})
            event = await anext(events, None)
    except Exception:  # a bug or a database failure: log it, tell the user only that it failed
        log.exception("answering failed mid-stream (conversation %s)", conversation_id)
        yield sse("error", {"message": text("internal", language), "key": "internal"})
    finally:
        with anyio.CancelScope(shield=True):
            await events.aclose()
