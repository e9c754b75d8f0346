"""Markdown to Slack mrkdwn, Slack's text back to plain text, and blocks within Slack's limits."""

from __future__ import annotations

import pytest

from tests.slack.helpers import block_text, buttons
from web.slack.render import (
    MAX_BLOCKS,
    SECTION_CHARS,
    AnswerView,
    Reference,
    answer_blocks,
    from_slack,
    split_text,
    to_mrkdwn,
)


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("**fet** och __fet__", "*fet* och *fet*"),
        ("*kursiv* och 2 * 3 * 4", "_kursiv_ och 2 * 3 * 4"),
        ("## Rubrik\nText", "*Rubrik*\nText"),
        ("- ett\n* två\n+ tre", "• ett\n• två\n• tre"),
        ("[LOU](https://lagen.nu/2016:1145?a=1&b=2)", "<https://lagen.nu/2016:1145?a=1&amp;b=2|LOU>"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("<@U123> <!channel>", "&lt;@U123&gt; &lt;!channel&gt;"),  # no mentions smuggled in by an answer
        ("~~struken~~", "~struken~"),
        ("`**kod**` och **fet**", "`**kod**` och *fet*"),
        ("```python\nx = a < b\n```", "```\nx = a &lt; b\n```"),
        ("Etapper [1] och delmål [2].", "Etapper [1] och delmål [2]."),
    ],
)
def test_markdown_becomes_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert to_mrkdwn(markdown) == mrkdwn


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("<@U0BOT> Vad gäller?", "Vad gäller?"),
        ("Fråga <@U0BOT> om &lt;LOU&gt; &amp; LUF", "Fråga om <LOU> & LUF"),
        ("Se <https://x.se/a|sidan> och <https://y.se>", "Se sidan och https://y.se"),
        ("Hej <@U0OTHER|anna> i <#C123|upphandling>", "Hej @anna i upphandling"),
    ],
)
def test_slack_text_becomes_plain_text(slack: str, plain: str) -> None:
    assert from_slack(slack, "U0BOT") == plain


def view(text: str, citations: int = 1, **overrides: object) -> AnswerView:
    values: dict = {
        "text": text,
        "citations": [
            {"n": n, "title": f"Dokument {n}", "location": f"{n} §", "page": None, "url": None}
            for n in range(1, citations + 1)
        ],
        "refused": False,
        "mode": "llm",
        "language": "sv",
        "conversation_id": "c" * 32,
        "message_id": "m" * 32,
    }
    values.update(overrides)
    return AnswerView(**values)


def test_a_long_answer_is_split_into_sections_within_the_limit_and_loses_nothing() -> None:
    paragraphs = [f"Stycke {i}. " + "ord " * 150 for i in range(40)]  # ~24,000 characters
    blocks = answer_blocks(view("\n\n".join(paragraphs)), public_url=None)
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) > 1
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in sections)
    joined = " ".join(b["text"]["text"] for b in sections)
    assert all(f"Stycke {i}." in joined for i in range(40))
    assert len(blocks) <= MAX_BLOCKS


def test_an_answer_longer_than_fifty_blocks_is_cut_and_says_so() -> None:
    blocks = answer_blocks(view("ord " * 60_000, citations=25), public_url="https://advisor.example.se")
    assert len(blocks) == MAX_BLOCKS
    assert "Svaret är förkortat här" in block_text(blocks)
    assert blocks[-1]["type"] == "actions", "the buttons survive the cut"
    assert "[25] Dokument 25" in block_text(blocks), "and so do the sources"


def test_sources_are_compact_context_blocks_of_at_most_ten_elements() -> None:
    blocks = answer_blocks(view("Svar [1].", citations=12), public_url=None)
    contexts = [b for b in blocks if b["type"] == "context"]
    assert [len(b["elements"]) for b in contexts] == [10, 2]
    assert contexts[0]["elements"][0]["text"] == "[1] Dokument 1 · 1 §"


def test_the_web_link_is_offered_only_with_a_public_url() -> None:
    assert "open_web" not in buttons(answer_blocks(view("Svar."), public_url=None))
    link = buttons(answer_blocks(view("Svar."), public_url="https://advisor.example.se/"))["open_web"]
    assert link["url"] == "https://advisor.example.se/c/" + "c" * 32


def test_buttons_speak_the_answers_language_and_carry_its_ids() -> None:
    english = buttons(answer_blocks(view("Answer.", language="en"), public_url=None))
    assert english["escalate"]["text"]["text"] == "Ask an advisor"
    ref = Reference.loads(english["feedback_down"]["value"])
    assert ref == Reference("c" * 32, "m" * 32, "en")
    assert (
        buttons(answer_blocks(view("Svar."), public_url=None))["escalate"]["text"]["text"]
        == "Fråga en rådgivare"
    )


def test_split_text_cuts_at_paragraphs_then_words() -> None:
    assert split_text("a" * 10 + "\n\n" + "b" * 10, limit=15) == ["a" * 10, "b" * 10]
    assert all(len(p) <= 15 for p in split_text("ord " * 40, limit=15))
    assert split_text("x" * 40, limit=15) == ["x" * 15, "x" * 15, "x" * 10]
