"""``GET /api/health``: is the index reachable, how much is in it, is a language model configured, is Slack on."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from assistant.errors import AdvisorError
from web.deps import AssistantDep, SettingsDep
from web.errors import text
from web.schemas import Health

router = APIRouter(prefix="/api", tags=["health"])


class HealthReport(Health):
    slack: bool = Field(
        default=False, description="Whether the Slack bot is on (bot token and signing secret set)."
    )
    max_question_chars: int = Field(
        description="The longest question the server takes; the page's text box stops there too."
    )


@router.get(
    "/health",
    response_model=HealthReport,
    summary="Index size and whether a language model is configured",
    responses={503: {"description": "The index cannot be read."}},
)
def health(assistant: AssistantDep, settings: SettingsDep) -> HealthReport | JSONResponse:
    try:
        info = assistant.status()
    except AdvisorError as exc:
        report = HealthReport(
            status="unavailable",
            documents=0,
            chunks=0,
            llm=settings.llm_enabled,
            detail=text(exc.key, None, detail=exc.detail, **exc.params),
            slack=settings.slack_enabled,
            max_question_chars=settings.max_question_chars,
        )
        return JSONResponse(report.model_dump(), status_code=503)
    return HealthReport(
        status="ok",
        documents=int(info.get("documents") or 0),
        chunks=int(info.get("chunks") or 0),
        llm=info.get("llm_model") is not None,
        mode=info.get("mode"),
        embedding_model=info.get("embedding_model"),
        llm_model=info.get("llm_model"),
        slack=settings.slack_enabled,
        max_question_chars=settings.max_question_chars,
    )
