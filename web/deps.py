"""FastAPI dependencies as named aliases; tests swap them through ``app.dependency_overrides``.

The assistant and the conversation store are built on first use and kept on ``app.state``, so an app
whose tests override them never loads a model or opens a database.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from web.persistence import ConversationStore

_build_lock = threading.Lock()


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# Sync on purpose: FastAPI runs these in the thread pool, so a slow first build (loading the
# embedding model, opening Chroma) does not block the event loop.
def get_assistant(request: Request) -> Assistant:
    state = request.app.state
    if state.assistant is None:
        with _build_lock:
            if state.assistant is None:
                state.assistant = build_assistant(state.settings)
    assistant: Assistant = state.assistant
    return assistant


def get_conversations(request: Request) -> ConversationStore:
    state = request.app.state
    if state.conversations is None:
        with _build_lock:
            if state.conversations is None:
                state.conversations = ConversationStore.from_url(state.settings.sql_url)
    conversations: ConversationStore = state.conversations
    return conversations


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
