"""``POST /api/search``: the ranked passages retrieval finds for a query, without an answer."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from assistant.citations import display_source
from web.deps import AssistantDep, SettingsDep
from web.errors import UserError, error_responses
from web.middleware import Busy, ClientLeft, answer_slots
from web.schemas import PassageOut, SearchRequest, SearchResponse

router = APIRouter(prefix="/api", tags=["search"])


@router.post(
    "/search",
    summary="Ranked passages for a query",
    response_model=SearchResponse,
    responses=error_responses(400, 413, 422, 429, 500, 503),
)
async def search(
    body: SearchRequest, request: Request, assistant: AssistantDep, settings: SettingsDep
) -> SearchResponse | Response:
    # The core decides what may be asked (empty, too long); its error becomes a 422 in web.errors.
    # The limit is also checked before stripping, as the OpenAPI document states it (maxLength).
    if len(body.query) > settings.max_question_chars:
        raise UserError("question_too_long", limit=settings.max_question_chars)
    query = body.query.strip()
    # Retrieval is CPU-bound: it runs in the thread pool, and takes a turn among the answers computed
    # at once, as a chat does.
    try:
        async with answer_slots(request.app).turn(request.is_disconnected):
            passages = await run_in_threadpool(assistant.search, query, k=body.k)
    except Busy:
        raise UserError("busy") from None
    except ClientLeft:
        return Response(status_code=204)
    results = [
        PassageOut(
            rank=p.rank,
            score=p.score,
            scores=dict(p.scores),
            chunk_id=p.chunk.id,
            title=p.chunk.title,
            location=p.chunk.location,
            section_ref=p.chunk.section_ref,
            heading_path=list(p.chunk.heading_path),
            page=p.chunk.page,
            url=p.chunk.url,
            # The file's name, as the chat's sources show it: never a path on this server.
            source=display_source(p.chunk.source),
            text=p.chunk.text,
        )
        for p in passages
    ]
    return SearchResponse(query=query, results=results)
