"""Sign-in for the chat, for deployments that require it (``ADVISOR_CHAT_REQUIRES_SIGN_IN``).

The public chat stays open by default. When the setting is on, the chat page and its API take any
live account — a procurer's too — by session or API token; without one the page leads to the sign-in
and the API answers 401. A pure ASGI middleware: the chat's stream passes through untouched.
"""

from __future__ import annotations

import json

from anyio import to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from curation.messages import text
from web.admin.auth import SESSION_COOKIE
from web.admin.deps import get_accounts

PAGE = "/"
API = ("/api/chat", "/api/search", "/api/feedback", "/api/conversations")


class ChatSignIn:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._guarded(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if await to_thread.run_sync(self._signed_in, request):
            await self.app(scope, receive, send)
            return
        if scope["path"] == PAGE:
            headers = [(b"location", b"/admin/login?next=/"), (b"cache-control", b"no-store")]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps(
            {"detail": text("not_authenticated"), "key": "not_authenticated"}, ensure_ascii=False
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"www-authenticate", b"Bearer"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _guarded(scope: Scope) -> bool:
        if not scope["app"].state.settings.chat_requires_sign_in:
            return False
        path: str = scope["path"]
        return path == PAGE or path.startswith(API)

    @staticmethod
    def _signed_in(request: Request) -> bool:
        accounts = get_accounts(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            user = accounts.token_user(token.strip())
        else:
            cookie = request.cookies.get(SESSION_COOKIE)
            user = accounts.session_user(cookie) if cookie else None
        return user is not None and not user.disabled
