"""The offline answer leads with the sentence that answers: of the asked shape, covering the most
of the question — even when it stands in a passage retrieval ranked third."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant import analysis, extractive
from assistant.shape import Shape, fits, shape_of
from assistant.types import Chunk, Passage


@dataclass(frozen=True)
class Asked:
    question: str
    shape: Shape


ASKED = [
    Asked("Hur mycket får en kommun direktupphandla för?", Shape.AMOUNT),
    Asked("Vilket tröskelvärde gäller för byggentreprenader?", Shape.AMOUNT),
    Asked("What is the threshold for works contracts?", Shape.AMOUNT),
    Asked("Hur länge ska anbuden sparas?", Shape.DURATION),
    Asked("How quickly must we assess a request to join?", Shape.DURATION),
    Asked("Vad menas med ett innovationspartnerskap?", Shape.DEFINITION),
    Asked("Vilka förfaranden finns det?", Shape.LIST),
    Asked("Får vi förlänga avtalet ett år till?", Shape.PERMISSION),
    Asked("Berätta om upphandling av städtjänster.", Shape.OTHER),
]


@pytest.mark.parametrize("case", ASKED, ids=lambda c: c.question[:40])
def test_the_shape_of_a_question(case: Asked) -> None:
    assert shape_of(case.question) is case.shape


@pytest.mark.parametrize(
    ("sentence", "shape", "expected"),
    [
        ("Gränsen är 700 000 kronor för en kommun.", Shape.AMOUNT, True),
        ("Gränsen är 28 procent av tröskelvärdet.", Shape.AMOUNT, True),
        ("Gränsen beror på vem som köper.", Shape.AMOUNT, False),
        ("Anbuden ska bevaras i tio år.", Shape.DURATION, True),
        ("Beslut ska fattas inom 10 arbetsdagar.", Shape.DURATION, True),
        ("Anbuden ska bevaras.", Shape.DURATION, False),
        ("Med innovationspartnerskap avses ett förfarande i etapper.", Shape.DEFINITION, True),
        ("Följande förfaranden finns:", Shape.LIST, True),
    ],
)
def test_a_sentence_fits_the_asked_shape(sentence: str, shape: Shape, expected: bool) -> None:
    assert fits(sentence, shape) is expected


def passage(rank: int, text: str, title: str) -> Passage:
    chunk = Chunk(id=f"c{rank}", doc_id=f"d{rank}", text=text, title=title, source=f"{title}.md")
    return Passage(chunk=chunk, rank=rank)


QUESTION = "Hur mycket får en kommun direktupphandla för?"
PASSAGES = [
    passage(
        1,
        "En kommun som direktupphandlar ska dokumentera skälen. Direktupphandling är vanligt.",
        "Dokumentation",
    ),
    passage(2, "Direktupphandling används ofta av en kommun för mindre köp.", "Översikt"),
    passage(
        3,
        "Reglerna gäller alla myndigheter. En kommun får direktupphandla när värdet understiger 700 000 kronor.",
        "Gränser",
    ),
]


def test_the_sentence_that_answers_leads_even_from_the_third_passage() -> None:
    excerpts = extractive.select(PASSAGES, analysis.content_terms(QUESTION), QUESTION)
    assert excerpts[0].passage.chunk.title == "Gränser"
    assert excerpts[0].sentences[0] == "En kommun får direktupphandla när värdet understiger 700 000 kronor."
    # Numbered as shown, whatever rank retrieval gave each passage.
    assert [ex.n for ex in excerpts] == list(range(1, len(excerpts) + 1))
    text = extractive.render(excerpts, "Utdrag:")
    assert text.index("700 000 kronor") < text.index("dokumentera")
    assert "[1]" in text.split("— Gränser")[0]


def test_without_the_asked_shape_the_retrieval_order_stands() -> None:
    question = "Måste en kommun dokumentera en direktupphandling?"
    excerpts = extractive.select(PASSAGES, analysis.content_terms(question), question)
    assert excerpts[0].passage.chunk.title == "Dokumentation"


def test_a_passage_sharing_no_word_with_the_question_is_left_out() -> None:
    unrelated = passage(4, "Solen skiner över Sundsvall i juni.", "Väder")
    excerpts = extractive.select(
        [*PASSAGES, unrelated], analysis.content_terms(QUESTION), QUESTION, max_excerpts=5
    )
    assert "Väder" not in [ex.passage.chunk.title for ex in excerpts]


def test_a_paragraph_the_question_names_leads_whatever_its_sentences_share() -> None:
    named = passage(2, "Anbudstiden får inte vara kortare än 35 dagar.", "LOU")
    named.exact_reference = True
    question = "Vad säger 11 kap. 2 § om en kommun som direktupphandlar?"
    excerpts = extractive.select([PASSAGES[0], named], analysis.content_terms(question), question)
    assert excerpts[0].passage is named


def test_the_same_words_in_another_law_are_quoted_once() -> None:
    lou = passage(1, "En kommun får direktupphandla när värdet understiger 700 000 kronor.", "LOU")
    luf = passage(2, "En kommun får direktupphandla när värdet understiger 700 000 kronor.", "LUF")
    excerpts = extractive.select([lou, luf, PASSAGES[0]], analysis.content_terms(QUESTION), QUESTION)
    assert [ex.passage.chunk.title for ex in excerpts] == ["LOU", "Dokumentation"]
    assert [ex.n for ex in excerpts] == [1, 2]
