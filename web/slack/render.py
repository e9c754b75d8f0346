"""The core's answers as Slack messages: Markdown to mrkdwn, section blocks within Slack's limits,
sources as a compact context block, and the buttons under every answer.

Only this module knows Slack's text format; the core writes Markdown and knows nothing of Slack.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from web.slack.texts import t

# Slack's limits: characters in a section block's text, blocks in a message, elements in a context
# block, characters in a button's value.
SECTION_CHARS = 3000
MAX_BLOCKS = 50
CONTEXT_ELEMENTS = 10
VALUE_CHARS = 2000
# Fallback text of a message (notifications, and what conversations.replies gives back as history).
FALLBACK_CHARS = 12000

Block = dict[str, Any]


@dataclass(frozen=True)
class AnswerView:
    """A stored answer as Slack shows it."""

    text: str  # Markdown, as the core wrote it
    citations: list[dict[str, Any]]
    refused: bool
    mode: str
    language: str
    conversation_id: str
    message_id: str


# --- text ----------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack's three control characters, escaped as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.S)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.M)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_BOLD_MARK = "\x00"


def to_mrkdwn(markdown: str) -> str:
    """The core's Markdown as Slack mrkdwn: bold, italics, headings, lists, links; code left as code."""
    parts = _CODE.split(markdown)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a code span or block: only escaped (and a fence's language tag dropped)
            out.append(escape(re.sub(r"^```[\w+-]*\n", "```\n", part)))
        else:
            out.append(_prose(part))
    return "".join(out)


def _prose(text: str) -> str:
    text = escape(text)
    text = _HEADING.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '/')}>", text)
    text = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(1) or m.group(2)}{_BOLD_MARK}", text)
    text = _ITALIC.sub(lambda m: f"_{m.group(1)}_", text)
    text = _STRIKE.sub(lambda m: f"~{m.group(1)}~", text)
    return text.replace(_BOLD_MARK, "*")


_SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_LABELLED = re.compile(r"<[^<>|]+\|([^<>]+)>")
_SLACK_BARE = re.compile(r"<([^<>|]+)>")


def from_slack(text: str, bot_user_id: str | None = None) -> str:
    """A Slack message's text as plain text: the bot's mention dropped, links and escapes undone."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _SLACK_MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _SLACK_LABELLED.sub(lambda m: m.group(1), text)
    text = _SLACK_BARE.sub(lambda m: m.group(1).lstrip("#!"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()


def split_text(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at paragraphs, lines or words."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


# --- blocks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """What a button under an answer carries: which stored answer it is about, and its language."""

    conversation_id: str
    message_id: str
    language: str = "sv"

    def dumps(self) -> str:
        data = {"c": self.conversation_id, "m": self.message_id, "l": self.language}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def loads(cls, value: str | None) -> Reference | None:
        try:
            data = json.loads(value or "")
            return cls(str(data["c"]), str(data["m"]), "en" if data.get("l") == "en" else "sv")
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def source_line(citation: dict[str, Any], language: str) -> str:
    """``[n] title · § or heading · page``, the title a link when the source has one."""
    title = escape(str(citation.get("title") or citation.get("source") or ""))
    url = citation.get("url")
    if url and str(url).startswith(("http://", "https://")):
        title = f"<{escape(str(url))}|{title.replace('|', '/')}>"
    parts = [f"[{citation.get('n')}] {title}"]
    if citation.get("location"):
        parts.append(escape(str(citation["location"])))
    if citation.get("page"):
        parts.append(f"{t('page', language)} {citation['page']}")
    return " · ".join(parts)


def source_blocks(citations: list[dict[str, Any]], language: str) -> list[Block]:
    """The sources as context blocks: one line each, at most ten elements a block."""
    lines = [source_line(c, language) for c in citations]
    blocks = []
    for start in range(0, len(lines), CONTEXT_ELEMENTS):
        elements = [
            {"type": "mrkdwn", "text": line[:SECTION_CHARS]}
            for line in lines[start : start + CONTEXT_ELEMENTS]
        ]
        blocks.append({"type": "context", "elements": elements})
    return blocks


def answer_blocks(view: AnswerView, *, public_url: str | None, shareable: bool = False) -> list[Block]:
    """The answer, its sources and its buttons, within Slack's block limits."""
    language = view.language
    sources = [] if view.refused else source_blocks(view.citations, language)
    tail: list[Block] = [*sources]
    if view.refused:
        tail.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": t("refused_hint", language)}]}
        )
    tail.append(actions_block(view, public_url=public_url, shareable=shareable))
    room = MAX_BLOCKS - len(tail)
    sections = split_text(to_mrkdwn(view.text)) or [" "]
    if len(sections) > room:
        sections = sections[: room - 1]
        tail.insert(
            0, {"type": "context", "elements": [{"type": "mrkdwn", "text": t("truncated", language)}]}
        )
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections]
    blocks[0]["block_id"] = f"answer:{view.message_id}"
    return blocks + tail


def actions_block(view: AnswerView, *, public_url: str | None, shareable: bool) -> Block:
    language = view.language
    ref = Reference(view.conversation_id, view.message_id, language).dumps()
    advisor: Block = _button("escalate", t("ask_advisor", language), ref)
    if view.refused:
        advisor["style"] = "primary"
    elements: list[Block] = []
    if shareable:
        elements.append(_button("share", t("share", language), ref, style="primary"))
    elements += [
        _button("feedback_up", t("helpful", language), ref),
        _button("feedback_down", t("not_helpful", language), ref),
        advisor,
    ]
    if public_url:
        link = f"{public_url.rstrip('/')}/c/{view.conversation_id}"
        elements.append({**_button("open_web", t("open_web", language), ref), "url": link})
    return {"type": "actions", "block_id": "answer_actions", "elements": elements}


def _button(action_id: str, label: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": value[:VALUE_CHARS],
    }
    if style:
        button["style"] = style
    return button


def fallback_text(view: AnswerView) -> str:
    """The message's plain ``text``: what notifications show and what the thread's history reads."""
    return to_mrkdwn(view.text)[:FALLBACK_CHARS]


def is_answer(message: dict[str, Any]) -> bool:
    """Whether a message in a thread is one of the bot's answers (not a note such as an error)."""
    return any(str(b.get("block_id", "")).startswith("answer:") for b in message.get("blocks") or [])


# --- the hand-off to an advisor ----------------------------------------------------------------------


def escalation_blocks(
    *,
    escalation_id: int,
    question: str,
    answer: AnswerView,
    requested_by: str,
    thread_link: str | None,
) -> list[Block]:
    """The question, the answer and its sources as the advisors' channel sees them."""
    language = "sv"  # the advisors' channel speaks Swedish
    origin = (
        t("escalation_from", language, user=requested_by, link=thread_link)
        if thread_link
        else t("escalation_from_nolink", language, user=requested_by)
    )
    answer_text = split_text(to_mrkdwn(answer.text), SECTION_CHARS - 100)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": t("escalation_title", language)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": origin}]},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"{t('escalation_question', language)}\n{escape(question)}"[:SECTION_CHARS],
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"{t('escalation_answer', language)}\n{answer_text[0] if answer_text else ''}",
            },
        },
        *source_blocks(answer.citations, language)[:3],
        escalation_actions(escalation_id),
    ]
    return blocks


def escalation_actions(escalation_id: int) -> Block:
    value = str(escalation_id)
    return {
        "type": "actions",
        "block_id": "escalation_actions",
        "elements": [
            _button("escalation_take", t("take"), value),
            _button("escalation_resolve", t("resolve"), value, style="primary"),
        ],
    }


def status_block(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def comment_modal(language: str, metadata: str) -> dict[str, Any]:
    """The optional comment after 👎."""
    return {
        "type": "modal",
        "callback_id": "feedback_comment",
        "private_metadata": metadata[:3000],
        "title": {"type": "plain_text", "text": t("comment_title", language)[:24]},
        "submit": {"type": "plain_text", "text": t("comment_submit", language)},
        "close": {"type": "plain_text", "text": t("comment_cancel", language)},
        "blocks": [
            {
                "type": "input",
                "block_id": "comment",
                "optional": True,
                "label": {"type": "plain_text", "text": t("comment_label", language)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }
