"""How a procurer's situation reaches the concept map, the synonyms and the evidence gate: a phrasing
parted by possessives and auxiliaries, a phrasing's word at the end of an inflected compound, what
procurers call the kinds of authority, and a place that only says where the asker is."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import analysis
from assistant.concepts import ConceptMap
from assistant.glossary import Glossary
from assistant.retrieval import UNCOVERED_ANCHOR, Retriever
from assistant.service import Assistant
from assistant.settings import Settings
from tests.core.helpers import collect, done_of

MAP = """
concepts:
  - name: Byte av leverantör
    when: [leverantören uppköpt]
    terms: [byte av leverantör]
    paragraphs: ["LOU 17 kap. 13 §"]
  - name: Uppdelning
    when: [dela upp köpen, var för sig]
    terms: [uppdelning]
    paragraphs: ["LOU 5 kap. 7 §"]
  - name: Inga anbud
    when: [inga anbud]
    terms: [inga lämpliga anbud]
    paragraphs: ["LOU 6 kap. 12 §"]
"""


@pytest.fixture
def concepts(tmp_path: Path) -> ConceptMap:
    path = tmp_path / "concepts.yaml"
    path.write_text(MAP, encoding="utf-8")
    return ConceptMap.load(path)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "vårt", "har", "blivit" part the phrasing's words without making it another phrasing.
        ("Leverantören av vårt lönesystem har blivit uppköpt av en koncern.", ["Byte av leverantör"]),
        # Content words still part it, as before.
        ("Leverantören av lönesystemet till skolans kök och matsal uppköpt?", []),
        # A light word that opens a sentence still counts: "det var bråttom. Nu hör en leverantör av
        # sig" is not "var för sig".
        ("Det var bråttom. Nu hör en leverantör av sig.", []),
        # The phrasing's last word at the end of an inflected compound: "konsultköpen" is "köpen".
        ("Chefen vill att vi delar upp konsultköpen per avdelning.", ["Uppdelning"]),
        # A derivational ending is no compound part: "anbudsansökningar" does not end in "inga".
        ("Hur länge ska anbud och anbudsansökningar sparas?", []),
        ("Vi fick inga anbud alls.", ["Inga anbud"]),
    ],
)
def test_phrasings_in_a_situation(concepts: ConceptMap, question: str, expected: list[str]) -> None:
    assert [m.concept.name for m in concepts.match(question)] == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Vad är tröskelvärdet för oss som statlig myndighet?", "centrala upphandlande myndigheter"),
        ("Gäller det statliga myndigheter?", "centrala upphandlande myndigheter"),
    ],
)
def test_the_bundled_synonyms_name_authorities_as_the_threshold_tables_do(
    question: str, expected: str
) -> None:
    assert expected in Glossary.load().synonyms_for(question)


def test_statligt_stod_is_not_a_central_authority() -> None:
    assert "centrala upphandlande myndigheter" not in Glossary.load().synonyms_for("Finns det statligt stöd?")


def test_a_place_that_only_says_where_the_asker_is_does_not_cap_the_evidence(offline: Assistant) -> None:
    retriever = offline.retriever
    own = "Vi är en liten kommun i Norrland. Hur fungerar ett innovationspartnerskap med etapper?"
    asked = "Hur fungerar ett innovationspartnerskap med etapper i Norrland?"
    named = "Vi har fått anbud från Norrland. Hur fungerar ett innovationspartnerskap med etapper?"
    for question in (own, asked, named):
        assert retriever.analyze(question).anchors == ["norrland"]
    assert retriever.analyze(own).own_names == {"norrland"}
    assert not retriever.analyze(asked).own_names
    assert not retriever.analyze(named).own_names

    def evidence(question: str) -> float:
        query = retriever.analyze(question)
        return retriever.evidence(query, retriever.search(query))

    assert evidence(own) > UNCOVERED_ANCHOR
    assert evidence(asked) <= UNCOVERED_ANCHOR
    assert evidence(named) <= UNCOVERED_ANCHOR
    assert not done_of(collect(offline, own)).refused
    assert done_of(collect(offline, asked)).refused


def test_a_country_the_asker_is_in_still_caps_the_evidence(offline: Assistant) -> None:
    # Another country's municipality asks about its own country's rules, which the texts do not hold.
    question = "Vi är en liten kommun i Norge. Hur fungerar ett innovationspartnerskap med etapper?"
    query = offline.retriever.analyze(question)
    assert query.anchors == ["norge"] and not query.own_names
    assert offline.retriever.evidence(query, offline.retriever.search(query)) <= UNCOVERED_ANCHOR
    assert done_of(collect(offline, question)).refused


def test_where_the_asker_heard_a_claim_does_not_cap_the_evidence(offline: Assistant) -> None:
    # The medium of a rumour is not what is asked about; a name in inner capitals is one name.
    heard = (
        "Någon skrev på LinkedIn att det har ändrats. Hur fungerar ett innovationspartnerskap med etapper?"
    )
    asked = "Vad skrev de på LinkedIn om hur ett innovationspartnerskap med etapper fungerar?"
    query = offline.retriever.analyze(heard)
    assert query.anchors == ["linkedin"] and query.own_names == {"linkedin"}
    assert not offline.retriever.analyze(asked).own_names
    assert not done_of(collect(offline, heard)).refused
    assert done_of(collect(offline, asked)).refused


def test_a_span_of_years_asks_about_those_years(offline: Assistant) -> None:
    assert analysis.years("2028-2029") == ["2028", "2029"]
    assert analysis.years("2024") == ["2024"]
    assert analysis.years("12-15") == [] and analysis.years("2024-2025-2026") == []
    question = "Vad blir tröskelvärdena i kronor för 2028–2029? Behöver dem till budgeten."
    query = offline.retriever.analyze(question)
    assert query.anchors == ["2028-2029"]
    assert offline.retriever.evidence(query, offline.retriever.search(query)) <= UNCOVERED_ANCHOR
    assert done_of(collect(offline, question)).refused


def test_a_phrase_synonym_speaks_for_each_word_of_the_phrase(
    offline: Assistant, settings: Settings, tmp_path: Path
) -> None:
    # A threshold table's row names the authority as the law does, never as procurers do.
    row = "varu- och tjänstekontrakt som tilldelas av centrala upphandlande myndigheter; i kronor: 1 546 202."
    question = "Vilket tröskelvärde har vi som statlig myndighet?"
    (tmp_path / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
    (tmp_path / "synonyms.yaml").write_text("groups: []\n", encoding="utf-8")
    without = Retriever(offline.store, settings, glossary=Glossary.load(tmp_path / "glossary.yaml"))
    (tmp_path / "synonyms.yaml").write_text(
        "groups:\n  - [statlig myndighet, centrala upphandlande myndigheter]\n", encoding="utf-8"
    )
    glossary = Glossary.load(tmp_path / "glossary.yaml")
    assert glossary.phrase_synonyms(question) == {
        "statlig": ["centrala upphandlande myndigheter"],
        "myndighet": ["centrala upphandlande myndigheter"],
    }
    assert glossary.phrase_synonyms("Finns det statligt stöd för myndigheten?") == {}
    with_phrase = Retriever(offline.store, settings, glossary=glossary)

    def coverage(retriever: Retriever) -> float:
        return retriever._coverage(row, retriever._weighted_terms(retriever.analyze(question)))

    assert coverage(with_phrase) > coverage(without)
