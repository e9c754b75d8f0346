"""The Slack bot: Bolt's ``AsyncApp``, the listeners for mentions, direct messages, thread replies and
``/fraga``, and the answer task each question becomes.

Slack gets its acknowledgement at once (``process_before_response=False``); the answer is a task the
bot keeps a reference to, so shutdown can wait for it. Like the web chat, the bot only translates the
core's events: it posts one message when the core is done (a refusal may follow tokens), with the
sources and the buttons handled in ``web.slack.actions``. Message text is never logged: ids, keys and
timings only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncBoltRequest, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from assistant.events import Done, Error, Sources
from assistant.settings import Settings
from assistant.types import Turn
from records import Answer, ConversationStore, SlackStore
from web.errors import STATUS_BY_KEY
from web.slack.render import AnswerView, answer_blocks, fallback_text, from_slack, is_answer
from web.slack.texts import t

log = logging.getLogger(__name__)

COMMAND = "/fraga"
WORKING_REACTION = "eyes"
# The subtypes a person's message may carry and still be a question (not an edit, a join, a bot).
QUESTION_SUBTYPES = (None, "thread_broadcast", "file_share")


@dataclass(frozen=True)
class Outcome:
    """How the core's answer ended: an answer to store and show, or a message for the asker."""

    answer: Answer | None = None
    problem: str | None = None  # the user-facing text when there is no answer


class SlackBot:
    """One Bolt app over the shared core and records; built by ``web.slack.mount_slack``."""

    def __init__(
        self,
        settings: Settings,
        *,
        assistant: Callable[[], Any],
        conversations: Callable[[], ConversationStore],
        on_answer: Callable[[Answer], None] | None = None,
    ) -> None:
        assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
        self.settings = settings
        self._on_answer = on_answer  # the operators' metrics hear of each stored answer
        self._assistant = assistant
        self._conversations = conversations
        self._slack_store: SlackStore | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        base_url = (
            settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
        )
        self.client = AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=base_url,
            timeout=30,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(max_retry_count=2),
                AsyncRateLimitErrorRetryHandler(max_retry_count=2),
                AsyncServerErrorRetryHandler(max_retry_count=2),
            ],
        )
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            process_before_response=False,
            logger=logging.getLogger("web.slack.bolt"),
        )
        self.app.use(self._skip_redeliveries)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command(COMMAND)(self._on_command)
        from web.slack.actions import register

        register(self)

    # --- shared parts ----------------------------------------------------------------------------

    async def stores(self) -> tuple[ConversationStore, SlackStore]:
        """The conversation store (built on first use, in a thread) and the Slack store beside it."""
        conversations = await asyncio.to_thread(self._conversations)
        if self._slack_store is None or self._slack_store.engine is not conversations.engine:
            self._slack_store = SlackStore(conversations.engine)
        return conversations, self._slack_store

    def spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Run ``work`` after Slack's ack, keeping a reference so shutdown can drain it."""

        async def guarded() -> None:
            try:
                await work
            except Exception:
                log.exception("slack %s failed", what)

        task = asyncio.get_running_loop().create_task(guarded())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for the answers under way (up to ``timeout``), then cancel what is left."""
        if not self.tasks:
            return
        _, pending = await asyncio.wait(set(self.tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("slack: %d answer(s) cancelled at shutdown", len(pending))
            await asyncio.wait(pending, timeout=5)

    async def call(self, method: str, **kwargs: Any) -> dict[str, Any] | None:
        """A Web API call whose failure is logged (the error key, never the text) instead of raised."""
        try:
            response = await getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            log.warning(
                "slack %s failed: %s (HTTP %s)", method, exc.response.get("error"), exc.response.status_code
            )
            return None
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("slack %s failed: %s", method, type(exc).__name__)
            return None
        data: dict[str, Any] = dict(response.data) if isinstance(response.data, dict) else {}
        return data

    # --- hygiene ---------------------------------------------------------------------------------

    async def _skip_redeliveries(
        self, req: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        """A retried delivery (``X-Slack-Retry-Num``) or an event id seen before is acked, not answered."""
        body = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id")
        retry = (req.headers.get("x-slack-retry-num") or [""])[0]
        if retry not in ("", "0"):
            log.info(
                "slack event %s: redelivery %s (%s) skipped",
                event_id,
                retry,
                _header(req, "x-slack-retry-reason"),
            )
            return BoltResponse(status=200, body="")
        if event_id:
            _, slack = await self.stores()
            if not await asyncio.to_thread(slack.claim_event, f"e:{event_id}"):
                log.info("slack event %s seen before; skipped", event_id)
                return BoltResponse(status=200, body="")
        return await next()

    # --- triggers ----------------------------------------------------------------------------------

    async def _on_mention(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("bot_id"):
            return
        self.spawn(self.answer_in_thread(event, context), "mention")

    async def _on_message(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("bot_id") or event.get("subtype") not in QUESTION_SUBTYPES or not event.get("user"):
            return  # other bots, edits, deletions, joins
        if event.get("channel_type") == "im":
            self.spawn(self.answer_in_thread(event, context), "direct message")
            return
        thread_ts = event.get("thread_ts")
        if not self.settings.slack_thread_replies or not thread_ts or thread_ts == event.get("ts"):
            return
        _, slack = await self.stores()
        known = await asyncio.to_thread(
            slack.thread_conversation, context.team_id or "", event.get("channel", ""), thread_ts
        )
        if known is not None:
            self.spawn(self.answer_in_thread(event, context), "thread reply")

    async def _on_command(
        self, ack: Callable[..., Awaitable[None]], command: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        self.spawn(self.answer_command(command, respond), "command")

    # --- answering -----------------------------------------------------------------------------------

    async def answer_in_thread(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """Answer a message in its thread: history from the thread, 👀 while working, one post."""
        channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
        root = str(event.get("thread_ts") or ts)
        team = context.team_id or str(event.get("team") or "")
        conversations, slack = await self.stores()
        # A mention arrives as app_mention and as message: whichever comes first answers it.
        if not await asyncio.to_thread(slack.claim_event, f"m:{channel}:{ts}"):
            return
        started = time.monotonic()
        await self.call("reactions_add", channel=channel, timestamp=ts, name=WORKING_REACTION)
        try:
            question = from_slack(str(event.get("text") or ""), context.bot_user_id)
            conversation_id = await asyncio.to_thread(slack.thread_conversation, team, channel, root)
            history: list[Turn] | None = []
            if root != ts:
                history = await self._thread_history(channel, root, ts, context)
                if history is None and conversation_id is not None:
                    history = await asyncio.to_thread(conversations.history, conversation_id)
            outcome = await self.ask(question, history or [])
            if outcome.answer is None:
                await self._post_note(channel, root, outcome.problem or t("internal"))
                return
            exchange = await asyncio.to_thread(
                conversations.record_exchange, conversation_id, question, outcome.answer, channel="slack"
            )
            self._answered(outcome.answer)
            if conversation_id is None:
                await asyncio.to_thread(slack.link_thread, team, channel, root, exchange.conversation_id)
            view = _view(outcome.answer, exchange.conversation_id, exchange.message_id)
            posted = await self.call(
                "chat_postMessage",
                channel=channel,
                thread_ts=root,
                text=fallback_text(view),
                blocks=answer_blocks(view, public_url=self.settings.public_url),
                unfurl_links=False,
                unfurl_media=False,
            )
            if posted is None:  # the answer could not be shown: say so in words Slack will take
                await self._post_note(channel, root, t("internal", view.language))
            log.info(
                "slack answer: channel=%s ts=%s conversation=%s message=%s refused=%s mode=%s ms=%d",
                channel,
                ts,
                exchange.conversation_id,
                exchange.message_id,
                outcome.answer.refused,
                outcome.answer.mode,
                (time.monotonic() - started) * 1000,
            )
        finally:
            await self.call("reactions_remove", channel=channel, timestamp=ts, name=WORKING_REACTION)

    async def answer_command(self, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/fraga …``: answered privately (ephemeral), with a button to share it in the channel."""
        question = from_slack(str(command.get("text") or ""))
        if not question:
            await respond_safely(respond, text=t("slash_usage"), response_type="ephemeral")
            return
        outcome = await self.ask(question, [])
        if outcome.answer is None:
            await respond_safely(respond, text=outcome.problem or t("internal"), response_type="ephemeral")
            return
        conversations, _ = await self.stores()
        exchange = await asyncio.to_thread(
            conversations.record_exchange, None, question, outcome.answer, channel="slack"
        )
        self._answered(outcome.answer)
        view = _view(outcome.answer, exchange.conversation_id, exchange.message_id)
        await respond_safely(
            respond,
            text=fallback_text(view),
            blocks=answer_blocks(view, public_url=self.settings.public_url, shareable=True),
            response_type="ephemeral",
        )
        log.info(
            "slack command answer: conversation=%s message=%s refused=%s",
            exchange.conversation_id,
            exchange.message_id,
            outcome.answer.refused,
        )

    def _answered(self, answer: Answer) -> None:
        if self._on_answer is not None:
            self._on_answer(answer)

    async def ask(self, question: str, history: list[Turn]) -> Outcome:
        """Run the core to the end; its answer, or the one-line message the asker gets instead."""
        try:
            assistant = await asyncio.to_thread(self._assistant)
            events = assistant.answer(question, history=history, language=None)
        except Exception:
            log.exception("slack: the assistant could not be built")
            return Outcome(problem=_both("internal"))
        citations: list[dict[str, Any]] = []
        started = time.perf_counter()
        try:
            async for event in events:
                if isinstance(event, Sources):
                    citations = [c.as_dict() for c in event.citations]
                elif isinstance(event, Done):
                    elapsed_ms = round((time.perf_counter() - started) * 1000)
                    return Outcome(answer=Answer.of(event, citations, elapsed_ms))
                elif isinstance(event, Error):
                    if STATUS_BY_KEY.get(event.key, 500) >= 500:
                        log.warning("slack: the core failed: %s", event.key)
                    return Outcome(problem=event.message or _both(event.key))
        except Exception:  # a bug in the core: logged, the asker told only that it failed
            log.exception("slack: answering failed")
            return Outcome(problem=_both("internal"))
        finally:
            await events.aclose()
        return Outcome(problem=_both("internal"))

    async def _thread_history(
        self, channel: str, root: str, current_ts: str, context: AsyncBoltContext
    ) -> list[Turn] | None:
        """The thread before this message, as the core takes history; None when Slack cannot say."""
        replies = await self.call("conversations_replies", channel=channel, ts=root, limit=200)
        if replies is None:
            return None
        turns = []
        for message in replies.get("messages") or []:
            ts = str(message.get("ts", ""))
            if ts == current_ts or _later(ts, current_ts):
                continue
            if message.get("bot_id") or message.get("user") == context.bot_user_id:
                ours = message.get("user") == context.bot_user_id or message.get("bot_id") == context.bot_id
                if ours and is_answer(message):
                    turns.append(Turn(role="assistant", content=from_slack(str(message.get("text") or ""))))
                continue
            if message.get("subtype") not in QUESTION_SUBTYPES:
                continue
            text = from_slack(str(message.get("text") or ""), context.bot_user_id)
            if text:
                turns.append(Turn(role="user", content=text))
        return turns

    async def _post_note(self, channel: str, thread_ts: str, text: str) -> None:
        await self.call(
            "chat_postMessage", channel=channel, thread_ts=thread_ts, text=text, unfurl_links=False
        )


def _view(answer: Answer, conversation_id: str, message_id: str) -> AnswerView:
    return AnswerView(
        text=answer.text,
        citations=answer.citations,
        refused=answer.refused,
        mode=answer.mode,
        language=answer.language,
        conversation_id=conversation_id,
        message_id=message_id,
    )


def _both(key: str) -> str:
    """A message in Swedish and English, for failures before the asker's language is known."""
    return f"{t(key, 'sv')} / {t(key, 'en')}"


def _later(ts: str, than: str) -> bool:
    try:
        return float(ts) > float(than)
    except ValueError:
        return False


def _header(req: AsyncBoltRequest, name: str) -> str:
    return (req.headers.get(name) or [""])[0]


async def respond_safely(respond: AsyncRespond, **kwargs: Any) -> None:
    """Answer through the interaction's ``response_url``; a failure is logged, not raised."""
    try:
        response = await respond(**kwargs)
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("slack response_url failed: %s", type(exc).__name__)
        return
    if response.status_code != 200:
        log.warning("slack response_url failed: HTTP %s", response.status_code)
