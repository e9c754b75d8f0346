"""The glossary and synonym groups, edited in the advisors' area: checked, versioned, and in use for
the next question without a restart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from curation.messages import text
from curation.vocabulary import KINDS, Kind, Vocabulary, VocabularyError
from web.admin.auth import Signed
from web.admin.deps import get_accounts
from web.admin.pages import advisor, checked, language, render
from web.deps import get_assistant

router = APIRouter(prefix="/admin/vocabulary", include_in_schema=False)
VERSIONS = "vocabulary-versions"


def _vocabulary(request: Request) -> Vocabulary:
    settings = request.app.state.settings
    return Vocabulary(settings.glossary_path, settings.data_dir / VERSIONS)


def _page(
    request: Request,
    signed: Signed,
    kind: Kind,
    *,
    draft: str | None = None,
    error: str | None = None,
    done: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    vocabulary = _vocabulary(request)
    return render(
        request,
        "vocabulary.html",
        status_code=status_code,
        user=signed.user,
        csrf=signed.csrf,
        active="vocabulary",
        kind=kind,
        kinds=KINDS,
        content=vocabulary.read(kind) if draft is None else draft,
        versions=vocabulary.versions(kind)[:30],
        error=error,
        done=done,
    )


@router.get("")
def vocabulary(request: Request, kind: str = "glossary", done: str | None = None) -> HTMLResponse:
    signed = advisor(request)
    return _page(request, signed, kind if kind in KINDS else "glossary", done=done == "1")


@router.post("/{kind}")
def save(
    request: Request,
    kind: str,
    csrf: Annotated[str, Form(max_length=100)],
    content: Annotated[str, Form(max_length=500_000)],
) -> Response:
    signed = checked(request, csrf)
    if kind not in KINDS:
        return RedirectResponse("/admin/vocabulary", status_code=303)
    chosen: Kind = kind
    try:
        glossary = _vocabulary(request).save(chosen, content, signed.user.name)
    except VocabularyError as exc:
        message = text(exc.key, language(request), **exc.params)
        return _page(request, signed, chosen, draft=content, error=message, status_code=422)
    # The running retriever reads the new words from the next question on.
    get_assistant(request).retriever.glossary = glossary
    get_accounts(request).audit(
        signed.user.name, f"vocabulary.{chosen}", str(_vocabulary(request).path(chosen).name)
    )
    return RedirectResponse(f"/admin/vocabulary?kind={chosen}&done=1", status_code=303)


@router.get("/versions/{name}")
def version(request: Request, name: str) -> Response:
    advisor(request)
    found = _vocabulary(request).version_text(name)
    if found is None:
        return PlainTextResponse("", status_code=404)
    return PlainTextResponse(
        found,
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
