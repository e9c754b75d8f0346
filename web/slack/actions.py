"""The buttons under an answer and what follows them: 👍/👎 (with the optional comment modal), the
hand-off to an advisor ("Fråga en rådgivare") with its take/resolve buttons, sharing a private
``/fraga`` answer, and the link to the web chat.

Feedback goes through the same ``ConversationStore.add_feedback`` as the web chat's, on the same
message id. Every listener acks first; the work is a task the bot keeps (see ``SlackBot.spawn``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncRespond

from web.slack.render import (
    AnswerView,
    Reference,
    answer_blocks,
    comment_modal,
    escalation_actions,
    escalation_blocks,
    fallback_text,
    status_block,
)
from web.slack.texts import t

if TYPE_CHECKING:
    from web.slack.bot import SlackBot

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[None]]


def register(bot: SlackBot) -> None:
    """Attach the button, modal and hand-off listeners to the bot's Bolt app."""
    from web.slack.bot import respond_safely

    app = bot.app

    async def stored_answer(ref: Reference) -> tuple[str, AnswerView] | None:
        """The question and the stored answer a button refers to, or None when it is gone."""
        conversations, _ = await bot.stores()
        convo = await asyncio.to_thread(conversations.conversation, ref.conversation_id)
        if convo is None:
            return None
        messages = convo["messages"]
        for i, message in enumerate(messages):
            if message["id"] == ref.message_id and message["role"] == "assistant":
                question = next((m["content"] for m in reversed(messages[:i]) if m["role"] == "user"), "")
                view = AnswerView(
                    text=message["content"],
                    citations=list(message["citations"] or []),
                    refused=bool(message["refused"]),
                    mode=message["mode"] or "",
                    language=message["language"] or ref.language,
                    conversation_id=ref.conversation_id,
                    message_id=ref.message_id,
                )
                return question, view
        return None

    async def store_feedback(ref: Reference, rating: str, comment: str | None) -> bool:
        conversations, _ = await bot.stores()
        stored = await asyncio.to_thread(
            conversations.add_feedback, ref.conversation_id, ref.message_id, rating, comment
        )
        log.info(
            "slack feedback: conversation=%s message=%s rating=%s stored=%s",
            ref.conversation_id,
            ref.message_id,
            rating,
            stored,
        )
        return stored

    # --- 👍 / 👎 --------------------------------------------------------------------------------

    @app.action("feedback_up")
    async def feedback_up(ack: Ack, action: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        ref = Reference.loads(action.get("value"))

        async def work() -> None:
            stored = ref is not None and await store_feedback(ref, "up", None)
            language = ref.language if ref else "sv"
            text = t("thanks" if stored else "gone", language)
            await respond_safely(respond, text=text, response_type="ephemeral", replace_original=False)

        bot.spawn(work(), "feedback")

    @app.action("feedback_down")
    async def feedback_down(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        ref = Reference.loads(action.get("value"))

        async def work() -> None:
            if ref is None or not await store_feedback(ref, "down", None):
                await respond_safely(
                    respond, text=t("gone"), response_type="ephemeral", replace_original=False
                )
                return
            # The trigger expires three seconds after the click: open the modal before anything else.
            opened = await bot.call(
                "views_open", trigger_id=body.get("trigger_id"), view=comment_modal(ref.language, ref.dumps())
            )
            if opened is None:
                await respond_safely(
                    respond, text=t("thanks", ref.language), response_type="ephemeral", replace_original=False
                )

        bot.spawn(work(), "feedback")

    @app.view("feedback_comment")
    async def feedback_comment(ack: Ack, view: dict[str, Any]) -> None:
        await ack()
        ref = Reference.loads(view.get("private_metadata"))
        values = (view.get("state") or {}).get("values") or {}
        comment = str(((values.get("comment") or {}).get("text") or {}).get("value") or "").strip()
        if ref is not None:
            bot.spawn(_result_ignored(store_feedback(ref, "down", comment or None)), "feedback comment")

    # --- the hand-off to an advisor ----------------------------------------------------------------

    @app.action("escalate")
    async def escalate(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        bot.spawn(hand_off(Reference.loads(action.get("value")), body, respond), "escalation")

    async def hand_off(ref: Reference | None, body: dict[str, Any], respond: AsyncRespond) -> None:
        language = ref.language if ref else "sv"
        target = bot.settings.slack_escalation_channel
        if not target:
            await respond_safely(
                respond,
                text=t("no_escalation_channel", language),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        found = await stored_answer(ref) if ref is not None else None
        if ref is None or found is None:
            await respond_safely(
                respond, text=t("gone", language), response_type="ephemeral", replace_original=False
            )
            return
        question, answer = found
        user = str((body.get("user") or {}).get("id") or "")
        link = await _thread_link(bot, body)
        _, slack = await bot.stores()
        escalation = await asyncio.to_thread(
            slack.open_escalation, ref.conversation_id, ref.message_id, requested_by=user, thread_link=link
        )
        posted = await bot.call(
            "chat_postMessage",
            channel=target,
            text=t("escalation_title"),
            blocks=escalation_blocks(
                escalation_id=escalation.id,
                question=question,
                answer=answer,
                requested_by=user,
                thread_link=link,
            ),
            unfurl_links=False,
            unfurl_media=False,
        )
        if posted is None:
            await respond_safely(
                respond, text=t("internal", language), response_type="ephemeral", replace_original=False
            )
            return
        await asyncio.to_thread(
            slack.escalation_posted, escalation.id, str(posted.get("channel")), str(posted.get("ts"))
        )
        log.info(
            "slack escalation %d: conversation=%s message=%s",
            escalation.id,
            ref.conversation_id,
            ref.message_id,
        )
        said = "escalated" if link else "escalated_private"  # a private answer has no thread to report in
        await respond_safely(
            respond, text=t(said, language), response_type="ephemeral", replace_original=False
        )

    @app.action("escalation_take")
    async def take(ack: Ack, action: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        bot.spawn(advise(action, body, resolve=False), "escalation")

    @app.action("escalation_resolve")
    async def resolve(ack: Ack, action: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        bot.spawn(advise(action, body, resolve=True), "escalation")

    async def advise(action: dict[str, Any], body: dict[str, Any], *, resolve: bool) -> None:
        """An advisor takes or resolves an escalation: recorded, the post updated, the asker told."""
        try:
            escalation_id = int(action.get("value") or "")
        except ValueError:
            return
        advisor = str((body.get("user") or {}).get("id") or "")
        _, slack = await bot.stores()
        if resolve:
            escalation = await asyncio.to_thread(slack.resolve_escalation, escalation_id, advisor)
        else:
            escalation = await asyncio.to_thread(slack.take_escalation, escalation_id, advisor)
        if escalation is None:
            return
        message = body.get("message") or {}
        kept = [
            b
            for b in message.get("blocks") or []
            if b.get("block_id") not in ("escalation_actions", "escalation_status")
        ]
        if escalation.status == "resolved":
            status = t("resolved", user=escalation.resolved_by)
            tail = [{**status_block(status), "block_id": "escalation_status"}]
        else:
            actions = escalation_actions(escalation.id)
            actions["elements"] = [e for e in actions["elements"] if e["action_id"] == "escalation_resolve"]
            tail = [
                {**status_block(t("taken", user=escalation.taken_by)), "block_id": "escalation_status"},
                actions,
            ]
        channel = (body.get("channel") or {}).get("id") or escalation.posted_channel
        ts = message.get("ts") or escalation.posted_ts
        if channel and ts:
            await bot.call(
                "chat_update", channel=channel, ts=ts, text=t("escalation_title"), blocks=kept + tail
            )
        log.info("slack escalation %d: %s", escalation.id, escalation.status)
        if resolve:
            thread = await asyncio.to_thread(slack.thread_of, escalation.conversation_id)
            if thread is not None:
                await bot.call(
                    "chat_postMessage",
                    channel=thread.channel_id,
                    thread_ts=thread.thread_ts,
                    text=t("resolved_thread", user=advisor),
                )

    # --- sharing a private answer, the web link ---------------------------------------------------

    @app.action("share")
    async def share(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        ref = Reference.loads(action.get("value"))

        async def work() -> None:
            found = await stored_answer(ref) if ref is not None else None
            if found is None:
                await respond_safely(
                    respond, text=t("gone"), response_type="ephemeral", replace_original=False
                )
                return
            _, view = found
            user = str((body.get("user") or {}).get("id") or "")
            shared = [status_block(t("shared_by", view.language, user=user))]
            await respond_safely(
                respond,
                text=fallback_text(view),
                blocks=shared + answer_blocks(view, public_url=bot.settings.public_url),
                response_type="in_channel",
                replace_original=False,
            )
            await respond_safely(respond, delete_original=True)

        bot.spawn(work(), "share")

    @app.action("open_web")
    async def open_web(ack: Ack) -> None:
        await ack()  # a link button: Slack opens the URL, and still tells the app it was clicked

    # Last, so they take only what nothing above took: a button or modal of an older version still
    # in a channel. Acked quietly; unhandled, Bolt would answer 404 and log the payload, text and all.
    @app.action(re.compile(".*"))
    async def unknown_action(ack: Ack, action: dict[str, Any]) -> None:
        await ack()
        log.info("slack: unknown action %s ignored", str(action.get("action_id"))[:64])

    @app.view(re.compile(".*"))
    async def unknown_view(ack: Ack) -> None:
        await ack()


async def _result_ignored(work: Awaitable[Any]) -> None:
    await work


async def _thread_link(bot: SlackBot, body: dict[str, Any]) -> str | None:
    """A link to the answer in its thread (none for a private answer, which has no place to link)."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id")
    ts = (body.get("message") or {}).get("ts") or container.get("message_ts")
    if container.get("is_ephemeral") or not channel or not ts:
        return None
    found = await bot.call("chat_getPermalink", channel=channel, message_ts=ts)
    return str(found["permalink"]) if found and found.get("permalink") else None
