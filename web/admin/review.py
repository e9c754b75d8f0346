"""The advisors' review pages: the question log with filters and a detail view, its CSV export, the
gaps (refused and 👎 questions grouped, each open or resolved with a note), the retrieval test bench,
and the audit log (admins only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.errors import AdvisorError
from assistant.messages import message
from assistant.service import check_question
from curation.gaps import group, review_csv
from records.review import GAP_STATUSES, OUTCOMES, ReviewFilter
from web.admin.deps import get_accounts, get_review
from web.admin.pages import advisor, checked, language, render
from web.deps import get_assistant

router = APIRouter(prefix="/admin", include_in_schema=False)
PAGE = 50


def _filter(
    refused: str | None,
    outcome: str | None,
    rating: str | None,
    since: str | None,
    until: str | None,
    q: str | None,
) -> tuple[ReviewFilter, dict[str, str]]:
    """The filter from the form's fields; what cannot be read is ignored (and shown empty)."""

    def day(value: str | None) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    f = ReviewFilter(
        refused={"yes": True, "no": False}.get(refused or ""),
        outcome=outcome if outcome in OUTCOMES else None,
        rating=rating if rating in ("up", "down") else None,
        since=day(since),
        until=day(until),
        text=(q or "").strip()[:200] or None,
    )
    shown = {
        "refused": (refused or "") if f.refused is not None else "",
        "outcome": f.outcome or "",
        "rating": f.rating or "",
        "since": f.since.isoformat() if f.since else "",
        "until": f.until.isoformat() if f.until else "",
        "q": f.text or "",
    }
    return f, shown


@router.get("/review")
def review_list(
    request: Request,
    refused: str | None = None,
    outcome: str | None = None,
    rating: str | None = None,
    since: str | None = None,
    until: str | None = None,
    q: str | None = None,
    page: int = 1,
) -> HTMLResponse:
    signed = advisor(request)
    f, shown = _filter(refused, outcome, rating, since, until, q)
    page = max(page, 1)
    entries, total = get_review(request).entries(f, limit=PAGE, offset=(page - 1) * PAGE)
    query = "&".join(f"{k}={v}" for k, v in shown.items() if v)
    return render(
        request,
        "review.html",
        user=signed.user,
        csrf=signed.csrf,
        active="review",
        entries=entries,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        shown=shown,
        query=query,
        outcomes=OUTCOMES,
    )


@router.get("/review.csv")
def review_export(
    request: Request,
    refused: str | None = None,
    outcome: str | None = None,
    rating: str | None = None,
    since: str | None = None,
    until: str | None = None,
    q: str | None = None,
) -> Response:
    advisor(request)
    f, _ = _filter(refused, outcome, rating, since, until, q)
    entries, _total = get_review(request).entries(f, limit=100_000)
    return Response(
        "\ufeff" + review_csv(entries),  # the BOM lets spreadsheet programs read the Swedish letters
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="fragelogg.csv"', "Cache-Control": "no-store"},
    )


@router.get("/review/{entry_id}")
def review_entry(request: Request, entry_id: int) -> HTMLResponse:
    signed = advisor(request)
    entry = get_review(request).entry(entry_id)
    if entry is None:
        return render(
            request, "message.html", status_code=404, user=signed.user, csrf=signed.csrf, key="not_found"
        )
    return render(request, "review_entry.html", user=signed.user, csrf=signed.csrf, active="review", e=entry)


@router.get("/gaps")
def gaps(request: Request, done: str | None = None) -> HTMLResponse:
    signed = advisor(request)
    review = get_review(request)
    return render(
        request,
        "gaps.html",
        user=signed.user,
        csrf=signed.csrf,
        active="gaps",
        gaps=group(review.unanswered(), review.verdicts()),
        weeks=review.weekly(),
        done=done == "1",
    )


@router.post("/gaps/{key}")
def set_gap(
    request: Request,
    key: str,
    csrf: Annotated[str, Form(max_length=100)],
    status: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    signed = checked(request, csrf)
    if status not in GAP_STATUSES or len(key) > 40:
        return RedirectResponse("/admin/gaps", status_code=303)
    get_review(request).set_verdict(key, status, note.strip() or None, signed.user.name)
    get_accounts(request).audit(signed.user.name, f"gap.{status}", key, note.strip() or None)
    return RedirectResponse(f"/admin/gaps?done=1#gap-{key}", status_code=303)


@router.get("/bench")
def bench(request: Request, q: str | None = None, k: int = 10) -> HTMLResponse:
    """The search the chat uses, shown: ranked passages, each retriever's score, and the evidence
    score the refusal rule reads."""
    signed = advisor(request)
    context: dict[str, Any] = {"q": q or "", "k": min(max(k, 1), 30)}
    if q is not None:
        assistant = get_assistant(request)
        try:
            question = check_question(q, request.app.state.settings)
        except AdvisorError as exc:
            context["error"] = message(exc.key, language(request), **exc.params)
        else:
            retriever = assistant.retriever
            query = retriever.analyze(question)
            passages = retriever.search(query, context["k"])
            evidence = retriever.evidence(query, passages)
            threshold = request.app.state.settings.min_coverage
            context.update(
                passages=passages, evidence=evidence, threshold=threshold, refuse=evidence < threshold
            )
            context["terms"] = query.terms
    return render(request, "bench.html", user=signed.user, csrf=signed.csrf, active="bench", **context)


@router.get("/audit")
def audit(request: Request, action: str | None = None) -> HTMLResponse:
    signed = advisor(request)
    if signed.user.role != "admin":
        return render(
            request, "message.html", status_code=403, user=signed.user, csrf=signed.csrf, key="admins_only"
        )
    entries = get_accounts(request).audit_log(limit=500, action=(action or None))
    return render(request, "audit.html", user=signed.user, csrf=signed.csrf, active="audit", entries=entries)
