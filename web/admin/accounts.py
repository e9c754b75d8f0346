"""Accounts, for admins: add a user (admin, advisor or procurer), disable or enable one, and give
one a personal API token, shown once on the page that made it. Every change is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from curation.messages import text
from records.accounts import AccountError
from records.models import ROLES
from web.admin.auth import Signed
from web.admin.deps import get_accounts
from web.admin.pages import advisor, checked, language, render

router = APIRouter(prefix="/admin/accounts", include_in_schema=False)


def _admin(signed: Signed) -> bool:
    return signed.user.role == "admin"


def _page(
    request: Request,
    signed: Signed,
    *,
    status_code: int = 200,
    error: str | None = None,
    token: tuple[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "accounts.html",
        status_code=status_code,
        user=signed.user,
        csrf=signed.csrf,
        active="accounts",
        users=get_accounts(request).users(),
        roles=ROLES,
        error=error,
        token=token,
        done=done,
    )


def _forbidden(request: Request, signed: Signed) -> HTMLResponse:
    return render(
        request,
        "message.html",
        status_code=403,
        user=signed.user,
        csrf=signed.csrf,
        key="admins_only_accounts",
    )


@router.get("")
def accounts(request: Request, done: str | None = None) -> HTMLResponse:
    signed = advisor(request)
    if not _admin(signed):
        return _forbidden(request, signed)
    return _page(request, signed, done="saved" if done == "1" else None)


@router.post("")
def add(
    request: Request,
    csrf: Annotated[str, Form(max_length=100)],
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
    repeat: Annotated[str, Form(max_length=1024)],
) -> Response:
    signed = checked(request, csrf)
    if not _admin(signed):
        return _forbidden(request, signed)
    if password != repeat:
        return _page(request, signed, status_code=422, error=text("password_mismatch", language(request)))
    accounts_ = get_accounts(request)
    try:
        made = accounts_.add_user(name.strip(), role, password)
    except AccountError as exc:
        return _page(request, signed, status_code=422, error=text(exc.key, language(request), **exc.params))
    accounts_.audit(signed.user.name, "user.add", made.name, details={"role": made.role})
    return RedirectResponse("/admin/accounts?done=1", status_code=303)


@router.post("/{name}/disabled")
def set_disabled(
    request: Request,
    name: str,
    csrf: Annotated[str, Form(max_length=100)],
    disabled: Annotated[bool, Form()],
) -> Response:
    signed = checked(request, csrf)
    if not _admin(signed):
        return _forbidden(request, signed)
    if name == signed.user.name and disabled:
        return _page(request, signed, status_code=422, error=text("account_self", language(request)))
    accounts_ = get_accounts(request)
    try:
        accounts_.set_disabled(name, disabled)
    except AccountError as exc:
        return _page(request, signed, status_code=404, error=text(exc.key, language(request), **exc.params))
    accounts_.audit(signed.user.name, "user.disable" if disabled else "user.enable", name)
    return RedirectResponse("/admin/accounts?done=1", status_code=303)


@router.post("/{name}/tokens")
def create_token(request: Request, name: str, csrf: Annotated[str, Form(max_length=100)]) -> Response:
    """The new token is in this response only: never in a URL, a log or the database."""
    signed = checked(request, csrf)
    if not _admin(signed):
        return _forbidden(request, signed)
    accounts_ = get_accounts(request)
    try:
        token = accounts_.create_token(name)
    except AccountError as exc:
        return _page(request, signed, status_code=404, error=text(exc.key, language(request), **exc.params))
    accounts_.audit(signed.user.name, "token.create", name, details={"prefix": token[:12]})
    return _page(request, signed, token=(name, token))
