"""The chat model: any OpenAI-compatible endpoint through langchain-openai."""

from __future__ import annotations

from typing import Any

from assistant.settings import Settings


def build_chat_model(settings: Settings) -> Any:
    """A streaming ChatOpenAI for the configured endpoint, or None when no LLM is configured."""
    if not settings.llm_enabled:
        return None
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.openai_base_url,
        api_key=key,  # type: ignore[arg-type]
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_retries=0,  # one retry policy, the core's (Assistant._generate), not two stacked
        max_tokens=settings.llm_max_tokens,  # type: ignore[call-arg]
        streaming=True,
    )
