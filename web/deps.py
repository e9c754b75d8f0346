"""FastAPI dependencies as named aliases; tests swap them through ``app.dependency_overrides``.

The assistant and the conversation store are built on first use and kept on ``app.state``, so an app
whose tests override them never loads a model or opens a database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from records import ConversationStore

_build_lock = threading.Lock()
T = TypeVar("T")


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _built(request: Request, name: str, build: Callable[[Settings], T]) -> T:
    """``app.state.<name>``, built from the settings on first use (once, whichever thread asks)."""
    state = request.app.state
    if getattr(state, name) is None:
        with _build_lock:
            if getattr(state, name) is None:
                setattr(state, name, build(state.settings))
    value: T = getattr(state, name)
    return value


# Sync on purpose: FastAPI runs these in the thread pool, so a slow first build (loading the
# embedding model, opening Chroma) does not block the event loop.
def get_assistant(request: Request) -> Assistant:
    return _built(request, "assistant", build_assistant)


def get_conversations(request: Request) -> ConversationStore:
    return _built(request, "conversations", lambda settings: ConversationStore.from_url(settings.sql_url))


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
