"""Everyday words in the bundled concept map (corpus/concepts.yaml) reach the law's concepts."""

from __future__ import annotations

import pytest

from assistant.concepts import ConceptMap


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        # "direktköp" is what procurers say; the law says "direktupphandling", in any inflection.
        (
            "Måste jag dokumentera ett direktköp av papper?",
            "Dokumentation och riktlinjer vid direktupphandling",
        ),
        ("Får vi göra ett direktköp av stolar?", "Direktupphandling och direktupphandlingsgränsen"),
    ],
)
def test_a_direct_purchase_is_a_direct_award(question: str, concept: str) -> None:
    assert concept in [m.concept.name for m in ConceptMap.load().match(question)]
