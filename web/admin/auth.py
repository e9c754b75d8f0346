"""Who is asking: a personal API token (``Authorization: Bearer``) or a signed-in browser session.

A session is a random token in an ``HttpOnly``, ``SameSite=Lax`` cookie (``Secure`` over HTTPS), kept
in the database only as its hash. Every state-changing request made with a session carries a CSRF
token derived from the session's own token, which a page from another site can neither read nor
compute. A request with a Bearer token carries no cookie, so it needs none.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response

from records.accounts import User
from web.admin.deps import get_accounts
from web.admin.errors import AdminError

SESSION_COOKIE = "advisor_session"
LOGIN_COOKIE = "advisor_login"  # the sign-in form's CSRF token, before there is a session
LANGUAGE_COOKIE = "advisor_lang"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Signed:
    """A signed-in browser: its user, and the CSRF token its forms carry."""

    user: User
    csrf: str


def csrf_for(session_token: str) -> str:
    return hashlib.sha256(f"csrf:{session_token}".encode()).hexdigest()


def same(given: str | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


def session(request: Request) -> Signed | None:
    """The signed-in user of this browser, if its session is live (not expired, not revoked)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    user = get_accounts(request).session_user(token)
    return Signed(user, csrf_for(token)) if user is not None else None


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",  # behind a proxy, uvicorn's proxy_headers set the scheme
    )


def start_session(request: Request, response: Response, user: User) -> None:
    lifetime = timedelta(hours=request.app.state.settings.session_hours)
    token = get_accounts(request).create_session(user.id, lifetime)
    set_cookie(request, response, SESSION_COOKIE, token, int(lifetime.total_seconds()))


def end_session(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        get_accounts(request).revoke_session(token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def advisor_user(request: Request) -> User:
    """The advisor (or admin) behind an API request: by Bearer token, or by session with its CSRF
    header on a state-changing request.

    No credentials, or unknown, revoked or expired ones, are 401; a procurer or a disabled user is
    403, and so is a session's state-changing request without its CSRF token.
    """
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AdminError("not_authenticated")
        user = get_accounts(request).token_user(token.strip())
    else:
        signed = session(request)
        if signed is None:
            raise AdminError("not_authenticated")
        if request.method not in SAFE_METHODS and not same(request.headers.get(CSRF_HEADER), signed.csrf):
            raise AdminError("csrf")
        user = signed.user
    if user is None:
        raise AdminError("not_authenticated")
    if not user.is_advisor:
        raise AdminError("forbidden")
    return user
