"""Mounting the Slack bot in the web app: ``POST /slack/events`` (events, interactivity and the slash
command on one URL), Socket Mode as an option, and draining answers under way at shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from records import ConversationStore
from web.deps import get_assistant, get_conversations
from web.metrics import observe_answer
from web.slack.bot import SlackBot

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def mount_slack(app: FastAPI) -> SlackBot:
    """Add the Slack route to ``app`` and keep the bot on ``app.state.slack``.

    The bot reaches the core and the records through the same lazily built ``app.state`` objects as
    the web routes, so Slack and the web chat share one assistant and one store.
    """
    # The dependency functions only read ``request.app.state``; a request scope naming the app is
    # enough to call them outside a request (Socket Mode has none).
    state_request = Request({"type": "http", "app": app, "headers": []})

    def assistant() -> Any:
        return get_assistant(state_request)

    def conversations() -> ConversationStore:
        return get_conversations(state_request)

    bot = SlackBot(
        app.state.settings,
        assistant=assistant,
        conversations=conversations,
        on_answer=lambda answer: observe_answer(app, answer, "slack"),
    )
    app.state.slack = bot
    handler = AsyncSlackRequestHandler(bot.app)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    app.add_api_route(EVENTS_PATH, slack_events, methods=["POST"], include_in_schema=False)
    return bot


@asynccontextmanager
async def slack_running(app: FastAPI) -> AsyncIterator[None]:
    """For the app's lifespan: Socket Mode connected when an app token is set; answers drained at the end."""
    bot: SlackBot | None = getattr(app.state, "slack", None)
    if bot is None:
        yield
        return
    socket = None
    connecting: asyncio.Task[None] | None = None
    token = bot.settings.slack_app_token
    if token is not None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket = AsyncSocketModeHandler(bot.app, token.get_secret_value())
        # In the background: the client keeps retrying until Slack is reachable, and the web app
        # (health, the chat) must not wait for that.
        connecting = asyncio.get_running_loop().create_task(socket.connect_async())  # type: ignore[no-untyped-call]
        log.info("slack: socket mode connecting")
    try:
        yield
    finally:
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
        if connecting is not None and not connecting.done():
            connecting.cancel()
        await bot.drain()
