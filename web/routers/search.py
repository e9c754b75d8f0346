"""``POST /api/search``: the ranked passages retrieval finds for a query, without an answer."""

from __future__ import annotations

from fastapi import APIRouter

from web.deps import AssistantDep, SettingsDep
from web.errors import UserError
from web.schemas import PassageOut, SearchRequest, SearchResponse

router = APIRouter(prefix="/api", tags=["search"])


# A plain ``def``: FastAPI runs it in the thread pool, and retrieval is CPU-bound.
@router.post("/search", summary="Ranked passages for a query")
def search(body: SearchRequest, assistant: AssistantDep, settings: SettingsDep) -> SearchResponse:
    query = body.query.strip()
    if not query:
        raise UserError("empty_question")
    if len(query) > settings.max_question_chars:  # the same limit the core puts on a question
        raise UserError("question_too_long", limit=settings.max_question_chars)
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
            source=p.chunk.source,
            text=p.chunk.text,
        )
        for p in assistant.search(query, k=body.k)
    ]
    return SearchResponse(query=query, results=results)
