"""The review as JSON: ``/api/review`` (the question log, filtered), ``/api/gaps`` (grouped, with
verdicts), ``/api/bench`` (the chat's search, shown), ``/api/audit`` (admins). Same access as the
documents API: an advisor's token, or an advisor's session with its CSRF header for changes."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, BeforeValidator, Field

from curation.gaps import group
from records.accounts import User
from records.review import OUTCOMES, ReviewFilter
from web.admin.auth import advisor_user
from web.admin.deps import AccountsDep, ReviewDep
from web.admin.errors import AdminError
from web.deps import AssistantDep, SettingsDep

router = APIRouter(prefix="/api", tags=["review"])
# Row numbers and offsets stay within what the database's integers hold.
MAX_ROW = 2**62
AdvisorDep = Annotated[User, Depends(advisor_user)]
Outcome = Literal["answered", "no_evidence", "injection", "error"]


def _written_out(value: object) -> object:
    """A date in the address is written YYYY-MM-DD: "0" is not the first of January 1970."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_written_out)]


class ReviewPage(BaseModel):
    total: int
    entries: list[dict[str, Any]]


@router.get("/review", summary="The question log, newest first, filtered")
def review(
    _: AdvisorDep,
    records: ReviewDep,
    refused: bool | None = None,
    outcome: Outcome | None = None,
    rating: Literal["up", "down"] | None = None,
    since: Day | None = None,
    until: Day | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0,
) -> ReviewPage:
    assert outcome is None or outcome in OUTCOMES
    f = ReviewFilter(
        refused=refused, outcome=outcome, rating=rating, since=since, until=until, text=q or None
    )
    entries, total = records.entries(f, limit=limit, offset=offset)
    return ReviewPage(total=total, entries=entries)


@router.get("/review/{entry_id}", summary="One logged question with the answer given")
def review_entry(
    entry_id: Annotated[int, Path(ge=1, le=MAX_ROW)], _: AdvisorDep, records: ReviewDep
) -> dict[str, Any]:
    entry = records.entry(entry_id)
    if entry is None:
        raise AdminError("entry_not_found")
    return entry


class GapOut(BaseModel):
    key: str
    count: int
    refused: int
    down: int
    examples: list[str]
    status: Literal["open", "resolved"]
    note: str | None
    updated_by: str | None
    new_since_verdict: int


@router.get("/gaps", summary="Refused and 👎 questions grouped by similar words")
def gaps(_: AdvisorDep, records: ReviewDep) -> list[GapOut]:
    return [
        GapOut(
            key=g.key,
            count=g.count,
            refused=g.refused,
            down=g.down,
            examples=g.examples,
            status=g.status,  # type: ignore[arg-type]
            note=g.note,
            updated_by=g.updated_by,
            new_since_verdict=g.new_since_verdict,
        )
        for g in group(records.unanswered(), records.verdicts())
    ]


class Verdict(BaseModel):
    status: Literal["open", "resolved"]
    note: str | None = Field(None, max_length=1000)


@router.patch("/gaps/{key}", summary="Mark a group open or resolved, with a note")
def set_gap(
    key: str, body: Verdict, user: AdvisorDep, records: ReviewDep, accounts: AccountsDep
) -> dict[str, str]:
    if len(key) > 40:
        raise AdminError("entry_not_found")
    records.set_verdict(key, body.status, body.note, user.name)
    accounts.audit(user.name, f"gap.{body.status}", key, body.note)
    return {"key": key, "status": body.status}


class BenchRequest(BaseModel):
    query: str = Field(max_length=20_000)
    k: int = Field(10, ge=1, le=30)


@router.post("/bench", summary="The chat's search for a question: passages, scores, evidence")
def bench(
    body: BenchRequest, _: AdvisorDep, assistant: AssistantDep, settings: SettingsDep
) -> dict[str, Any]:
    from assistant.service import check_question

    question = check_question(body.query, settings)  # empty or too long: 422 from web.errors
    retriever = assistant.retriever
    query = retriever.analyze(question)
    passages = retriever.search(query, body.k)
    evidence = retriever.evidence(query, passages)
    return {
        "query": question,
        "terms": query.terms,
        "evidence": evidence,
        "threshold": settings.min_coverage,
        "refused": evidence < settings.min_coverage,
        "passages": [
            {
                "rank": p.rank,
                "score": p.score,
                "scores": dict(p.scores),
                "chunk_id": p.chunk.id,
                "title": p.chunk.title,
                "location": p.chunk.location,
                "page": p.chunk.page,
                "text": p.chunk.text,
            }
            for p in passages
        ],
    }


@router.get("/audit", summary="Every advisor and admin action, newest first (admins)")
def audit(
    user: AdvisorDep, accounts: AccountsDep, action: Annotated[str | None, Query(max_length=64)] = None
) -> list[dict[str, Any]]:
    if user.role != "admin":
        raise AdminError("admins_only")
    return accounts.audit_log(limit=500, action=action)
