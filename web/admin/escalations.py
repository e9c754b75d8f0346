"""The escalation queue: questions handed to an advisor from Slack ("Fråga en rådgivare"), open,
taken or resolved, with a link to the thread. Taking and resolving are advisors' actions (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from records.slack import SlackStore
from web.admin.deps import get_accounts, get_review
from web.admin.pages import advisor, checked, render

router = APIRouter(prefix="/admin/escalations", include_in_schema=False)
STATUSES = ("open", "taken", "resolved")


def _store(request: Request) -> SlackStore:
    return SlackStore(get_review(request).engine)  # the same records database; no engine of its own


def _link(url: str | None) -> str | None:
    """Only a web link is offered as one (never ``javascript:`` or the like)."""
    return url if url and url.startswith(("https://", "http://")) else None


@router.get("")
def queue(request: Request, status: str | None = None) -> HTMLResponse:
    signed = advisor(request)
    chosen = status if status in STATUSES else None
    escalations = _store(request).escalations(chosen)[::-1]  # newest first
    questions = get_review(request).questions_of([e.message_id for e in escalations if e.message_id])
    return render(
        request,
        "escalations.html",
        user=signed.user,
        csrf=signed.csrf,
        active="escalations",
        escalations=escalations,
        questions=questions,
        link=_link,
        chosen=chosen or "",
        statuses=STATUSES,
    )


@router.post("/{escalation_id}/take")
def take(request: Request, escalation_id: int, csrf: Annotated[str, Form(max_length=100)]) -> Response:
    signed = checked(request, csrf)
    if _store(request).take_escalation(escalation_id, signed.user.name) is not None:
        get_accounts(request).audit(signed.user.name, "escalation.take", str(escalation_id))
    return RedirectResponse(f"/admin/escalations#escalation-{escalation_id}", status_code=303)


@router.post("/{escalation_id}/resolve")
def resolve(
    request: Request,
    escalation_id: int,
    csrf: Annotated[str, Form(max_length=100)],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    signed = checked(request, csrf)
    done = _store(request).resolve_escalation(escalation_id, signed.user.name, note.strip() or None)
    if done is not None:
        get_accounts(request).audit(
            signed.user.name, "escalation.resolve", str(escalation_id), note.strip() or None
        )
    return RedirectResponse(f"/admin/escalations#escalation-{escalation_id}", status_code=303)
