"""Guards every request passes before a router sees it, as plain ASGI middleware.

* ``SecurityHeaders`` — the same protective headers on every response (API, static files, docs);
* ``HostCheck`` — only the configured ``Host`` names are answered (DNS rebinding against a server on
  a procurer's own machine);
* ``BodyLimit`` — a body larger than the setting is refused (413) before it is read into memory;
* ``RateLimit`` — questions and searches per client and minute (429 with ``Retry-After``);

and ``AnswerSlots``, the cap on answers computed at once that the chat and search routes take a
turn from: a burst waits its turn for a while, then is told the server is busy (503), and a client
that leaves while waiting never reaches retrieval.

Every refusal has the API's error shape (``web.errors``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import is_postgres
from web.errors import error_response
from web.schemas import describe

log = logging.getLogger(__name__)

__all__ = [
    "API_CSP",
    "DOCS_CSP",
    "AnswerSlots",
    "BodyLimit",
    "Busy",
    "ClientLeft",
    "HostCheck",
    "RateLimit",
    "SecurityHeaders",
    "allowed_hosts",
    "answer_slots",
    "install_guards",
]

# The chat page's own policy is set by web.routers.page; everything else gets one of these.
API_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI starts itself with an inline script, and ReDoc styles itself inline and uses workers.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    """Adds the protective headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = (DOCS_CSP if path.startswith(DOCS_PATHS) else API_CSP).encode()
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = list(HEADERS) + [(b"content-security-policy", csp)]
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def allowed_hosts(hosts: list[str], public_url: str | None) -> list[str]:
    """The configured host names, with the public URL's host added."""
    names = [h.strip().lower() for h in hosts if h.strip()]
    if public_url:
        host = urlsplit(public_url).hostname
        if host and host.lower() not in names:
            names.append(host.lower())
    return names


def _host_name(header: str) -> str:
    """``example.se:8000`` → ``example.se``; ``[::1]:8000`` → ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostCheck:
    """Refuses (400 ``invalid_host``) a request whose ``Host`` is not one of ``hosts``."""

    def __init__(self, app: ASGIApp, hosts: list[str]) -> None:
        self.app = app
        self.any = "*" in hosts
        self.exact = {h for h in hosts if not h.startswith("*")}
        self.suffixes = tuple(h[1:] for h in hosts if h.startswith("*."))

    def allows(self, host: str) -> bool:
        name = _host_name(host)
        return self.any or name in self.exact or (bool(self.suffixes) and name.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), None)
        # HTTP/1.0 without Host cannot be a rebinding attack: the browser always sends one.
        if host is not None and not self.allows(host):
            await error_response("invalid_host")(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses (413 ``body_too_large``) a body larger than ``limit`` bytes without reading it: by its
    ``Content-Length`` at once, or, for a body sent in chunks, as soon as the chunks pass the limit."""

    def __init__(self, app: ASGIApp, limit: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = limit
        # Path prefix → its own limit (the advisors' uploads are larger than any question).
        self.overrides = sorted((overrides or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.overrides if path.startswith(prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await error_response("bad_request")(scope, receive, send)
                return
            if size > limit:
                await self._refuse(limit, scope, receive, send)
                return
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await self._refuse(limit, scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the app makes of the cut body is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    @staticmethod
    async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response("body_too_large", limit=limit)
        response.headers["connection"] = "close"
        await response(scope, receive, send)


class RateLimit:
    """At most ``per_minute`` requests per client to each of ``paths`` (a token bucket per client and
    path: bursts up to ``per_minute``, refilled evenly); more get 429 ``rate_limited``."""

    MAX_CLIENTS = 10_000

    def __init__(
        self,
        app: ASGIApp,
        per_minute: int,
        paths: tuple[str, ...] = ("/api/chat", "/api/search"),
        clock: Callable[[], float] = time.monotonic,
        shared: Callable[[], Callable[[str, int], float]] | None = None,
    ) -> None:
        """``shared`` builds (on first use) a ``take(key, per_minute)`` that counts in a database every
        server process shares; without it the buckets are this process's own."""
        self.app = app
        self.per_minute = per_minute
        self.paths = paths
        self.clock = clock
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}  # (tokens, when)
        self._shared_factory = shared
        self._shared: Callable[[str, int], float] | None = None

    def take(self, client: str, path: str) -> float:
        """0 when the request may pass, else the seconds until it would."""
        now = self.clock()
        rate = self.per_minute / 60.0
        tokens, when = self.buckets.get((client, path), (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - when) * rate)
        if tokens < 1.0:
            self.buckets[(client, path)] = (tokens, now)
            return (1.0 - tokens) / rate
        self.buckets[(client, path)] = (tokens - 1.0, now)
        if len(self.buckets) > self.MAX_CLIENTS:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have filled up again: they are the same as no bucket."""
        rate = self.per_minute / 60.0
        full = [
            key
            for key, (tokens, when) in self.buckets.items()
            if tokens + (now - when) * rate >= self.per_minute
        ]
        for key in full:
            del self.buckets[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or self.per_minute <= 0
            or scope.get("method") != "POST"
            or scope.get("path") not in self.paths
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        if self._shared_factory is None:
            wait = self.take(address, scope["path"])
        else:
            if self._shared is None:
                self._shared = self._shared_factory()
            try:
                wait = await asyncio.to_thread(self._shared, f"{scope['path']} {address}", self.per_minute)
            except Exception:  # the database is away: answering matters more than counting (logged)
                log.warning("shared rate limit unavailable; request let through", exc_info=True)
                wait = 0.0
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            response = error_response("rate_limited", retry_after=retry_after)
            response.headers["retry-after"] = str(retry_after)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class Busy(Exception):
    """No turn came free in time."""


class ClientLeft(Exception):
    """The client went away while waiting for a turn."""


class AnswerSlots:
    """At most ``size`` answers at once; a request waits up to ``timeout`` seconds for a turn.

    One semaphore per event loop (tests run apps on several loops over their lifetime).
    """

    POLL_S = 0.1

    def __init__(self, size: int, timeout: float) -> None:
        self.size = size
        self.timeout = timeout
        self._semaphores: dict[int, asyncio.Semaphore] = {}
        self.in_use = 0

    def _semaphore(self) -> asyncio.Semaphore:
        loop = id(asyncio.get_running_loop())
        if loop not in self._semaphores:
            self._semaphores = {loop: asyncio.Semaphore(self.size)}
        return self._semaphores[loop]

    async def acquire(self, gone: Callable[[], Awaitable[bool]] | None = None) -> None:
        """Wait for a turn: ``Busy`` after ``timeout``; ``ClientLeft`` once ``gone()`` says so."""
        semaphore = self._semaphore()
        deadline = time.monotonic() + self.timeout
        while True:
            if not semaphore.locked():  # a free turn: take it without waiting (even with timeout 0)
                await semaphore.acquire()
                break
            left = deadline - time.monotonic()
            try:
                await asyncio.wait_for(semaphore.acquire(), timeout=max(0.0, min(self.POLL_S, left)))
                break
            except TimeoutError:
                if gone is not None and await gone():
                    raise ClientLeft() from None
                if time.monotonic() >= deadline:
                    raise Busy() from None
        self.in_use += 1
        if gone is not None and await gone():  # it left just as its turn came
            self.release()
            raise ClientLeft()

    def release(self) -> None:
        self.in_use -= 1
        self._semaphore().release()

    @asynccontextmanager
    async def turn(self, gone: Callable[[], Awaitable[bool]] | None = None) -> AsyncIterator[None]:
        await self.acquire(gone)
        try:
            yield
        finally:
            self.release()


def answer_slots(app: Any) -> AnswerSlots:
    """The app's ``AnswerSlots``, made from its settings on first use."""
    slots: AnswerSlots | None = getattr(app.state, "answer_slots", None)
    if slots is None:
        settings = app.state.settings
        slots = AnswerSlots(settings.max_concurrent_answers, settings.answer_queue_timeout_s)
        app.state.answer_slots = slots
    return slots


def install_guards(app: Any) -> None:
    """Install the guards on ``app`` from its settings (outermost first: headers on every answer,
    then the host, the body size and the rate)."""
    settings = app.state.settings
    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute, shared=_shared_limits(settings))
    # An upload to the advisors' area may carry its files at their largest (their own settings).
    per_file = settings.upload_limit_mb * 1024 * 1024
    files = getattr(settings, "max_upload_files", 1)
    uploads = max(settings.max_body_bytes, per_file * files + 1024 * 1024)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, overrides={"/api/documents": uploads})
    app.add_middleware(HostCheck, hosts=allowed_hosts(settings.allowed_hosts, settings.public_url))
    app.add_middleware(SecurityHeaders)
    answer_slots(app)
    _document_limits(app)


def _shared_limits(settings: Any) -> Callable[[], Callable[[str, int], float]] | None:
    """With the records in PostgreSQL, every server process (on any machine) counts a client's
    requests in one place; with SQLite there is one server process per data dir, counting in memory."""
    if not is_postgres(settings.sql_url):
        return None

    def build() -> Callable[[str, int], float]:
        from records import build_engine, upgrade
        from records.limits import SharedRateLimits

        engine = build_engine(settings.sql_url)
        upgrade(engine)  # the first request may come before anything else has opened the database
        return SharedRateLimits(engine).take

    return build


def _document_limits(app: Any) -> None:
    """The OpenAPI document states this server's question limit (a setting) and its error types."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            describe(build(), app.state.settings.max_question_chars, app.state.settings.max_upload_files)
        schema: dict[str, Any] = app.openapi_schema
        return schema

    app.openapi = openapi
