"""Another country's rules are not Swedish law: a question about them is declined, not answered with
Swedish paragraphs that share its other words."""

from __future__ import annotations

import pytest

from assistant import analysis
from assistant.service import Assistant
from tests.core.helpers import collect, done_of


@pytest.mark.parametrize(
    ("term", "foreign"),
    [
        ("norska", True),
        ("danskt", True),
        ("tyska", True),
        ("finland", True),
        ("norges", True),
        ("svenska", False),  # Swedish law is the topic
        ("engelska", False),  # "på engelska" asks about a language
        ("nordiska", False),
        ("tyskar", False),
    ],
)
def test_another_country_is_recognised(term: str, foreign: bool) -> None:
    assert analysis.is_foreign(term) is foreign


def test_a_question_about_another_countrys_rules_is_declined(offline: Assistant) -> None:
    swedish = "Hur fungerar ett innovationspartnerskap med etapper?"
    norwegian = "Hur fungerar ett innovationspartnerskap med etapper enligt de norska reglerna?"
    assert not done_of(collect(offline, swedish)).refused
    query = offline.retriever.analyze(norwegian)
    assert "norska" in query.anchors
    assert done_of(collect(offline, norwegian)).refused
