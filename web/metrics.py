"""Prometheus metrics for operators: ``GET /metrics``, off unless ``ADVISOR_METRICS_ENABLED`` is set.

Requests by route template and status, their duration, answers by channel, mode and outcome with
the time from question to stored answer, language-model fallbacks (answers given as excerpts because
the model failed or was withheld), and uploads by status (read from the records at scrape time, so a
job another process finished counts too). Each app has its own registry; nothing is process-global.
With ``ADVISOR_METRICS_TOKEN`` set, a scrape must send it as a bearer token.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from records import Answer

ANSWER_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "advisor_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "advisor_http_request_seconds",
            "Time to the end of the response, by route template (a chat's includes its stream).",
            ["route"],
            registry=self.registry,
        )
        self.answers = Counter(
            "advisor_answers",
            "Answers stored, by channel, mode and outcome (answered, no_evidence, injection).",
            ["channel", "mode", "outcome"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "advisor_answer_seconds",
            "Time from a question's arrival to its complete answer, by channel.",
            ["channel"],
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.llm_fallbacks = Counter(
            "advisor_llm_fallbacks",
            "Answers given as cited excerpts although a language model is configured (it failed or was withheld).",
            registry=self.registry,
        )

    def observe_answer(self, answer: Answer, channel: str, *, llm_configured: bool) -> None:
        self.answers.labels(channel, answer.mode, answer.outcome or "answered").inc()
        if answer.elapsed_ms is not None:
            self.answer_seconds.labels(channel).observe(answer.elapsed_ms / 1000)
        if llm_configured and answer.mode == "extractive" and not answer.refused:
            self.llm_fallbacks.inc()


class _Uploads(Collector):
    """Uploads by status, counted in the records when scraped."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from sqlalchemy import func, select

        from records.models import UploadRow
        from web.deps import get_conversations

        family = GaugeMetricFamily("advisor_uploads", "Uploaded files by status.", labels=["status"])
        store = get_conversations(Request({"type": "http", "app": self.app, "headers": []}))
        with store.engine.connect() as connection:
            rows = connection.execute(select(UploadRow.status, func.count()).group_by(UploadRow.status))
            for status, count in rows:
                family.add_metric([str(status)], float(count))
        yield family


class _Counting:
    """Counts every request under its route template (``/api/documents/{doc_id}``, never the id)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.request_seconds.labels(route).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI) -> None:
    """``app.state.metrics`` always (adapters observe into it); the route and the request counting
    only when metrics are enabled."""
    metrics = Metrics()
    app.state.metrics = metrics
    settings = app.state.settings
    if not settings.metrics_enabled:
        return
    metrics.registry.register(_Uploads(app))
    app.add_middleware(_Counting, metrics=metrics)
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None

    @app.get("/metrics", include_in_schema=False)
    def scrape(request: Request) -> Response:
        if token is not None:
            sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(sent.encode(), token.encode()):
                return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


def observe_answer(app: Any, answer: Answer, channel: str) -> None:
    metrics: Metrics | None = getattr(app.state, "metrics", None)
    if metrics is not None:
        metrics.observe_answer(answer, channel, llm_configured=app.state.settings.llm_enabled)
