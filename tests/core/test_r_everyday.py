"""Everyday words, Swedish or English, reach the law's concepts through the bundled data (corpus/concepts.yaml,
corpus/glossary.yaml)."""

from __future__ import annotations

import pytest

from assistant.glossary import Glossary
from tests.core.helpers import concept_names


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        # "direktköp" is what procurers say; the law says "direktupphandling", in any inflection.
        (
            "Måste jag dokumentera ett direktköp av papper?",
            "Dokumentation vid direktupphandling",
        ),
        ("Får vi göra ett direktköp av stolar?", "Direktupphandling och direktupphandlingsgränsen"),
    ],
)
def test_a_direct_purchase_is_a_direct_award(question: str, concept: str) -> None:
    assert concept in concept_names(question)


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "Can a municipality award cleaning to a company it owns without a tender?",
            "Intern upphandling från eget bolag (Teckal)",
        ),
        (
            "We run the district heating network. Which act applies?",
            "När gäller LUF (försörjningssektorerna)",
        ),
        ("The operator keeps the entrance fees. Is that a concession?", "Vad är en koncession"),
    ],
)
def test_an_english_situation_reaches_its_concept_through_the_glossary(question: str, concept: str) -> None:
    swedish, _ = Glossary.load().expand(question)
    assert concept in concept_names(" ".join([question, *swedish]))
