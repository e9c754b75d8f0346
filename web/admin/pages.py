"""The advisors' pages: sign-in and sign-out, and the documents page (upload with status, enable or
disable, delete). Plain server-rendered HTML; one small script follows uploads until they are done.

Every state-changing form carries the session's CSRF token; the sign-in form carries a token of its
own (a cookie and a field that must match). Failed sign-ins are counted per name and per address.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from curation.documents import DocumentError
from records.models import FINAL_STATUSES
from web.admin.auth import (
    LANGUAGE_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Signed,
    end_session,
    same,
    session,
    set_cookie,
    start_session,
)
from web.admin.deps import get_accounts, get_documents, get_worker
from web.admin.texts import LANGUAGES, texts_for

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix="/admin", include_in_schema=False)
# How many failed sign-ins from one address, relative to the per-name limit: an office behind one
# address may have several advisors mistyping at once.
ADDRESS_FACTOR = 4


class SignInNeeded(Exception):
    """A page asked for without a live advisor's session: the answer is the sign-in page."""

    def __init__(self, notice: str) -> None:
        super().__init__(notice)
        self.notice = notice


def language(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE, "sv")
    return chosen if chosen in LANGUAGES else "sv"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    return templates.TemplateResponse(
        request,
        template,
        {"t": texts_for(lang), "lang": lang, "other": "en" if lang == "sv" else "sv", **context},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def advisor(request: Request) -> Signed:
    signed = session(request)
    if signed is None:
        raise SignInNeeded("session_needed")
    if not signed.user.is_advisor:
        raise SignInNeeded("not_advisor")
    return signed


def checked(request: Request, csrf: str) -> Signed:
    """The advisor of a state-changing form, whose CSRF token must be the session's."""
    signed = advisor(request)
    if not same(csrf, signed.csrf):
        raise SignInNeeded("csrf_failed")
    return signed


def sign_in_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    target = f"/admin/login?notice={exc.notice}&next={quote(request.url.path)}"
    return RedirectResponse(target, status_code=303)


def _back(notice: str | None = None, **query: str) -> RedirectResponse:
    params = "&".join(f"{k}={quote(v)}" for k, v in ({"done": notice} if notice else {}).items())
    params += "".join(f"&{k}={quote(v)}" for k, v in query.items())
    return RedirectResponse(f"/admin?{params.lstrip('&')}" if params else "/admin", status_code=303)


# --- signing in and out -------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, notice: str | None = None, next: str = "/admin") -> HTMLResponse:
    return _login_form(request, notice=notice if notice in NOTICES else None, next_path=next)


NOTICES = ("session_needed", "not_advisor", "csrf_failed", "signed_out")


def _login_form(
    request: Request,
    *,
    notice: str | None = None,
    error: str | None = None,
    next_path: str = "/admin",
    name: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        notice=notice,
        error=error,
        csrf=token,
        next=_local(next_path),
        name=name,
    )
    set_cookie(request, response, LOGIN_COOKIE, token, 3600)
    return response


def _local(path: str) -> str:
    """Only a path on this site is followed after sign-in (no open redirect)."""
    if path == "/":  # the chat, when it requires sign-in
        return path
    return path if path.startswith("/admin") and "//" not in path and "\\" not in path else "/admin"


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=300)] = "/admin",
) -> Response:
    if not same(csrf, request.cookies.get(LOGIN_COOKIE, "")):
        return _login_form(request, error="csrf_failed", next_path=next, name=name, status_code=403)
    accounts = get_accounts(request)
    settings = request.app.state.settings
    window = timedelta(minutes=settings.login_window_minutes)
    address = f"ip:{request.client.host if request.client else '?'}"
    by_name = f"name:{name.casefold()}"
    if (
        accounts.recent_failures(by_name, window) >= settings.login_max_failures
        or accounts.recent_failures(address, window) >= settings.login_max_failures * ADDRESS_FACTOR
    ):
        return _login_form(request, error="login_limited", next_path=next, name=name, status_code=429)
    user = accounts.authenticate(name, password)
    if user is None:
        accounts.record_failure(by_name, address)
        return _login_form(request, error="login_failed", next_path=next, name=name, status_code=401)
    accounts.clear_failures(by_name)
    accounts.audit(user.name, "session.sign_in")
    response = RedirectResponse(_local(next), status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # a session this browser had before is not carried over; the new cookie replaces it
        accounts.revoke_session(previous)
    start_session(request, response, user)
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)]) -> Response:
    signed = session(request)
    if signed is None or not same(csrf, signed.csrf):
        return RedirectResponse("/admin/login?notice=csrf_failed", status_code=303)
    response = RedirectResponse("/admin/login?notice=signed_out", status_code=303)
    end_session(request, response)
    return response


@router.get("/language")
def switch_language(request: Request, to: str = "sv", next: str = "/admin") -> Response:
    response = RedirectResponse(_local(next) if next != "/admin/login" else next, status_code=303)
    set_cookie(request, response, LANGUAGE_COOKIE, to if to in LANGUAGES else "sv", 365 * 24 * 3600)
    return response


# --- documents ----------------------------------------------------------------------------------


@router.get("")
def documents_page(request: Request, done: str | None = None, uploads: str | None = None) -> HTMLResponse:
    signed = advisor(request)
    documents = get_documents(request)
    get_worker(request)  # started with the first page, so uploads a stopped server left go on
    listed = [d for d in documents.all() if d.get("enabled") is not None]
    followed = []
    for upload_id in filter(None, (uploads or "").split(",")[:50]):
        try:
            followed.append(documents.get(upload_id))
        except DocumentError:
            continue
    return render(
        request,
        "documents.html",
        active="documents",
        user=signed.user,
        csrf=signed.csrf,
        documents=listed,
        uploads=followed,
        final=FINAL_STATUSES,
        done=done if done in ("done_enabled", "done_disabled", "done_deleted") else None,
    )


# Under /api/documents on purpose: the body limit there is the uploads' own (files × their largest
# size, see web.middleware), not the 1 MB every other form gets.
UPLOAD_FORM = "/api/documents/form"
form_router = APIRouter(include_in_schema=False)


@form_router.post(UPLOAD_FORM)
def upload(request: Request, files: list[UploadFile], csrf: Annotated[str, Form(max_length=100)]) -> Response:
    signed = checked(request, csrf)
    documents = get_documents(request)
    worker = get_worker(request)
    ids = []
    for file in files[: request.app.state.settings.max_upload_files]:
        if not file.filename:
            continue
        entry = documents.accept(file.filename, file.file, signed.user.name)
        if entry.status == "queued":
            worker.submit(entry.id)
        ids.append(entry.id)
    return _back(uploads=",".join(ids))


@router.post("/documents/{doc_id}/enabled")
def set_enabled(
    request: Request,
    doc_id: str,
    csrf: Annotated[str, Form(max_length=100)],
    enabled: Annotated[bool, Form()],
) -> Response:
    signed = checked(request, csrf)
    try:
        get_documents(request).update(doc_id, signed.user.name, enabled=enabled)
    except DocumentError:
        return _back()
    return _back("done_enabled" if enabled else "done_disabled")


@router.get("/documents/{doc_id}")
def document_page(request: Request, doc_id: str, done: str | None = None) -> HTMLResponse:
    signed = advisor(request)
    documents = get_documents(request)
    try:
        document = documents.get(doc_id)
        chunks = documents.chunks(doc_id)
    except DocumentError:
        return render(
            request, "message.html", status_code=404, user=signed.user, csrf=signed.csrf, key="not_found"
        )
    return render(
        request,
        "document.html",
        active="documents",
        user=signed.user,
        csrf=signed.csrf,
        d=document,
        chunks=chunks,
        done=done == "1",
    )


@router.post("/documents/{doc_id}/edit")
def edit(
    request: Request,
    doc_id: str,
    csrf: Annotated[str, Form(max_length=100)],
    title: Annotated[str, Form(min_length=1, max_length=300)],
    tags: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    signed = checked(request, csrf)
    words = [t.strip() for t in tags.split(",") if t.strip()][:50]
    try:
        get_documents(request).update(doc_id, signed.user.name, title=title.strip(), tags=words)
    except DocumentError:
        return _back()
    return RedirectResponse(f"/admin/documents/{doc_id}?done=1", status_code=303)


@router.post("/documents/{doc_id}/reindex")
def reindex(request: Request, doc_id: str, csrf: Annotated[str, Form(max_length=100)]) -> Response:
    signed = checked(request, csrf)
    try:
        entry = get_documents(request).reindex(doc_id, signed.user.name)
    except DocumentError:
        return _back()
    get_worker(request).submit(entry.id)
    return _back(uploads=entry.id)


@router.post("/documents/{doc_id}/delete")
def delete(request: Request, doc_id: str, csrf: Annotated[str, Form(max_length=100)]) -> Response:
    signed = checked(request, csrf)
    try:
        get_documents(request).delete(doc_id, signed.user.name)
    except DocumentError:
        return _back()
    return _back("done_deleted")
