"""Another country's rules are not Swedish law: a question about them is declined, not answered with
Swedish paragraphs that share its other words."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant import analysis
from assistant.retrieval import UNCOVERED_ANCHOR, Retriever
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.core.helpers import collect, done_of, indexed


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


def test_a_name_counts_as_mentioned_under_its_synonym(
    offline: Assistant, settings: Settings, tmp_path: Path
) -> None:
    # The fixture's statute says "Myndigheten", never this made-up body's name.
    question = "Får Etappverket avsluta partnerskapet efter en etapp?"
    query = offline.retriever.analyze(question)
    passages = offline.retriever.search(query)
    assert query.anchors == ["etappverket"]
    assert offline.retriever.evidence(query, passages) <= UNCOVERED_ANCHOR

    (tmp_path / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
    (tmp_path / "synonyms.yaml").write_text("groups:\n  - [etappverket, myndigheten]\n", encoding="utf-8")
    with_synonym = Retriever(
        offline.store, settings.model_copy(update={"glossary_path": tmp_path / "glossary.yaml"})
    )
    query = with_synonym.analyze(question)
    assert with_synonym.evidence(query, with_synonym.search(query)) > UNCOVERED_ANCHOR


def test_the_situation_before_the_question_weighs_less_than_the_question(offline: Assistant) -> None:
    scenario = "Vi är en kommun som köper städning av skolor. Får vi avsluta partnerskapet efter en etapp?"
    query = offline.retriever.analyze(scenario)
    assert {"kommun", "städning", "skolor"} <= query.context_terms
    assert not {"avsluta", "partnerskapet", "etapp"} & query.context_terms
    assert offline.retriever.analyze("Får vi avsluta partnerskapet efter en etapp?").context_terms == set()
    passages = offline.retriever.search(query)
    equal = offline.retriever.evidence(replace(query, context_terms=set()), passages)
    assert offline.retriever.evidence(query, passages) > equal


def test_every_asking_sentence_is_the_question(offline: Assistant) -> None:
    question = "Vi kör en dialog om sophämtning. Får vi betala deltagarna? Påverkar det upphandlingens värde?"
    context = offline.retriever.analyze(question).context_terms
    assert {"dialog", "sophämtning"} <= context
    assert not {"betala", "deltagarna", "upphandlingens", "värde"} & context


def test_a_reported_question_is_asked_and_a_generic_one_leaves_the_situation_asked(
    offline: Assistant,
) -> None:
    # "Revisorerna undrar om …" reports what is asked; "Vad säger lagen?" asks nothing of its own.
    reported = (
        "Vi köpte en utredning utan annons. Revisorerna undrar om vi borde ha dokumenterat köpet. Vad gäller?"
    )
    context = offline.retriever.analyze(reported).context_terms
    assert "utredning" in context and not {"dokumenterat", "köpet", "revisorerna"} & context
    generic = "Kommunen ska ge ett bolag rätt att driva ett parkeringshus i 25 år. Vad säger lagen?"
    assert offline.retriever.analyze(generic).context_terms == set()


def test_a_question_that_only_refers_back_leaves_the_situation_asked(offline: Assistant) -> None:
    # "Är det okej?" has no words of its own: the situation is what it asks about.
    question = "Varje enhet köper sina egna kontorsmöbler och vi delar upp köpen. Är det okej?"
    assert offline.retriever.analyze(question).context_terms == set()
    assert "okej" not in offline.retriever.analyze(question).terms


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("kommunen är en upphandlande myndighet", "myndigheten"),
        ("myndigheternas beslut", "myndigheten"),
        ("det finns flera möjligheter", "möjligheten"),
    ],
)
def test_a_word_snowball_cuts_short_is_still_found_in_its_forms(text: str, term: str) -> None:
    assert analysis.stem(term) != analysis.uninflected(term)  # the short stem alone misses these
    assert analysis.mentions(text, term)


def test_a_name_counts_only_in_a_passage_that_speaks_to_the_rest_of_the_question(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "remiss"
    folder.mkdir()
    (folder / "remiss.md").write_text(
        "---\ntitle: Remiss om kollektivtrafik\n---\n\n# Remissinstanser\n\n"
        "1. Kammarrätten i Stockholm\n2. Region Skåne\n3. Trafikverket\n4. Sjöfartsverket\n",
        encoding="utf-8",
    )
    (folder / "beslut.md").write_text(
        "---\ntitle: Tilldelningsbeslut\n---\n\n# Vem skriver under ett tilldelningsbeslut\n\n"
        "Vem som får skriva under ett tilldelningsbeslut bestäms i myndighetens delegationsordning.\n",
        encoding="utf-8",
    )
    sync([folder], store)
    retriever = Retriever(store, settings)
    about_the_region = "Enligt Region Skånes delegationsordning, vem får skriva under tilldelningsbeslut?"
    query = retriever.analyze(about_the_region)
    passages = retriever.search(query)
    assert "skånes" in query.anchors
    # The list names the region, the other passage answers in general: neither covers the region's rule.
    assert {p.chunk.title for p in passages} == {"Remiss om kollektivtrafik", "Tilldelningsbeslut"}
    assert retriever.evidence(query, passages) <= UNCOVERED_ANCHOR
    # Asked without the name, the general passage answers.
    general = retriever.analyze("Vem får skriva under tilldelningsbeslut enligt delegationsordningen?")
    assert retriever.evidence(general, retriever.search(general)) > settings.min_coverage


def test_a_name_counts_only_near_the_words_the_question_asks_about_it(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "nyheter"
    fordon = (
        "---\ntitle: Gemensamt köp av terrängfordon\n---\n\n# Tio länder köper samma fordon\n\n"
        "Tio länder har valt samma terrängfordon. Dessa är Danmark, Finland, Norge och Sverige med flera. "
        "Leveranserna börjar nästa år. Fordonen byggs i Örnsköldsvik. Utbildningen sker på plats. "
        "För kommuner gäller en beloppsgräns för direktupphandling som anges i lagen.\n"
    )
    retriever = Retriever(indexed(store, folder, {"fordon.md": fordon}), settings)
    question = "Vilken beloppsgräns gäller för direktupphandling för kommuner i Norge?"
    query = retriever.analyze(question)
    passages = retriever.search(query)
    assert "norge" in query.anchors and passages
    # The page names Norway and has the question's words, but far apart: it does not say Norway's limit.
    assert retriever.evidence(query, passages) <= UNCOVERED_ANCHOR

    (folder / "norge.md").write_text(
        "---\ntitle: Direktupphandling i Norden\n---\n\n# Norge\n\n"
        "I Norge har kommuner en egen beloppsgräns för direktupphandling.\n",
        encoding="utf-8",
    )
    sync([folder], store)
    passages = retriever.search(query)
    assert retriever.evidence(query, passages) > settings.min_coverage


def test_an_abbreviation_does_not_end_the_asking_sentence(offline: Assistant) -> None:
    # "t.ex." and "exkl." are not full stops: the words before them are still what is asked.
    question = (
        "En politiker har hört om statligt stöd. Vilket stöd ger Upphandlingsmyndigheten, t.ex. någon arena?"
    )
    context = offline.retriever.analyze(question).context_terms
    assert "politiker" in context and not {"stöd", "upphandlingsmyndigheten", "arena"} & context
    assert analysis.sentences("Det kostar 2 miljoner exkl. moms. Gäller 6 kap. 31 § LOU? Ja.") == [
        "Det kostar 2 miljoner exkl. moms.",
        "Gäller 6 kap. 31 § LOU?",
        "Ja.",
    ]
