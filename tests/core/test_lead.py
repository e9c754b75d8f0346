"""The offline answer leads with the sentence that answers: of the asked shape, covering the most
of the question — even when it stands in a passage retrieval ranked third."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant import analysis, extractive
from assistant.shape import Shape, fits, shape_of
from tests.core.helpers import passage


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


ASKED_MORE = [
    Asked("Hur många anbudssökande måste vi bjuda in?", Shape.COUNT),
    Asked("I vilka lägen får man använda förhandlat förfarande?", Shape.CONDITION),
    Asked("When may we use the negotiated procedure?", Shape.CONDITION),
    # The situation before the question does not decide what is asked.
    Asked("Vi måste köpa ett system snabbt. När är det okej att förhandla?", Shape.CONDITION),
]


@pytest.mark.parametrize("case", ASKED_MORE, ids=lambda c: c.question[:40])
def test_counts_conditions_and_the_asking_sentence(case: Asked) -> None:
    assert shape_of(case.question) is case.shape


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Vid selektivt förfarande får antalet inte vara mindre än fem.", True),
        ("Antalet ska vara 3.", True),
        ("Detta följer av 10 kap. 1 §.", False),
    ],
)
def test_a_count_is_a_number_that_is_not_a_paragraph(sentence: str, expected: bool) -> None:
    assert fits(sentence, Shape.COUNT) is expected


STATUTE = (
    "Ett förhandlat förfarande får användas, om\n\n"
    "1. behovet inte kan tillgodoses utan anpassning av lättillgängliga lösningar,\n\n"
    "2. upphandlingen inbegriper innovativa lösningar, eller\n\n"
    "3. kontraktet inte kan tilldelas utan förhandlingar, eller\n\n"
    "4. specifikationerna inte kan utarbetas med tillräcklig precision."
)


def test_a_lead_in_without_a_colon_introduces_the_numbered_items() -> None:
    found = extractive.units(STATUTE)
    assert [u.leads for u in found] == [True, False, False, False, False]
    assert [u.item for u in found] == [False, True, True, True, True]


def test_a_condition_question_is_answered_by_the_whole_short_list() -> None:
    question = "När får vi använda ett förhandlat förfarande?"
    other = passage(1, "Ett förhandlat förfarande får också användas efter ett avbrutet förfarande.", "Annat")
    listing = passage(2, STATUTE, "Villkor")
    excerpts = extractive.select([other, listing], analysis.content_terms(question), question)
    assert excerpts[0].passage is listing
    assert excerpts[0].sentences[0].startswith("Ett förhandlat förfarande får användas, om")
    assert "specifikationerna inte kan utarbetas med tillräcklig precision." in excerpts[0].sentences


def test_an_item_that_answers_brings_its_lead_in() -> None:
    question = "Räcker det att lösningarna är lättillgängliga?"
    first = passage(1, "Lättillgängliga lösningar räcker ofta, och lösningarna är lättillgängliga.", "Guide")
    listing = passage(2, STATUTE, "Villkor")
    excerpts = extractive.select([first, listing], analysis.content_terms(question), question, per_passage=1)
    assert excerpts[1].passage is listing
    shown = excerpts[1].sentences
    assert shown[0] == "Ett förhandlat förfarande får användas, om"
    assert "behovet inte kan tillgodoses utan anpassning av lättillgängliga lösningar," in shown


def test_a_synonym_of_a_question_word_counts_as_that_word() -> None:
    question = "Ska värdet räknas med eller utan moms?"
    text = (
        "Värdet ska räknas på det totala beloppet. Optioner räknas in i värdet. "
        "Premier räknas också in i värdet. Värdet ska bestämmas exklusive mervärdesskatt."
    )
    terms = analysis.content_terms(question)
    plain = extractive.select([passage(1, text, "LOU")], terms, question, per_passage=1)
    assert "mervärdesskatt" not in " ".join(plain[0].sentences)
    with_synonyms = extractive.select(
        [passage(1, text, "LOU")], terms, question, alternatives={"moms": ["mervärdesskatt"]}, per_passage=1
    )
    assert with_synonyms[0].sentences == ["Värdet ska bestämmas exklusive mervärdesskatt."]


def test_a_sentence_that_refers_back_comes_with_the_one_before() -> None:
    question = "Får vi ange ett visst fabrikat i kravspecifikationen?"
    text = (
        "Kravspecifikationen får ange ett fabrikat om det annars inte går att beskriva behovet. "
        "En sådan hänvisning ska följas av orden eller likvärdigt. Priset utvärderas separat."
    )
    excerpts = extractive.select(
        [passage(1, text, "LOU")], analysis.content_terms(question), question, per_passage=1
    )
    assert excerpts[0].sentences[-1] == "En sådan hänvisning ska följas av orden eller likvärdigt."


def test_a_word_every_passage_shares_counts_less_than_the_one_asked_about() -> None:
    question = "Får vi betala ersättning i en dialog?"
    passages = [
        passage(1, "I en dialog får leverantörerna lämna förslag.", "Dialog"),
        passage(2, "Dialogen ska pågå tills lösningen är hittad.", "Syfte"),
        passage(3, "Myndigheten får besluta om ersättning för deltagande.", "Ersättning"),
    ]
    excerpts = extractive.select(passages, analysis.content_terms(question), question)
    assert excerpts[0].passage.chunk.title == "Ersättning"


def test_nearly_the_same_paragraph_in_another_law_is_quoted_once_unless_a_figure_differs() -> None:
    question = "Hur länge får ett ramavtal löpa hos en upphandlande myndighet?"
    lou = passage(1, "Ett ramavtal hos en upphandlande myndighet får löpa i högst fyra år.", "LOU")
    # LUK says the same and adds a sentence.
    luk = passage(
        2,
        "Ett ramavtal hos en upphandlande myndighet eller enhet får löpa i högst fyra år. "
        "Prövningstillstånd krävs vid överklagande till kammarrätten.",
        "LUK",
    )
    luf = passage(3, "Ett ramavtal hos en upphandlande enhet får löpa i högst åtta år.", "LUF")
    excerpts = extractive.select([lou, luk, luf], analysis.content_terms(question), question)
    assert [ex.passage.chunk.title for ex in excerpts] == ["LOU", "LUF"]


def test_the_law_a_question_names_leads_through_the_passage_title() -> None:
    question = "Hur länge får ett ramavtal löpa enligt LUF?"
    lou = passage(1, "Ett ramavtal får löpa i högst fyra år.", "Lag om offentlig upphandling (LOU)")
    luf = passage(
        2, "Ett ramavtal får löpa i högst åtta år.", "Lag om upphandling inom försörjningssektorerna (LUF)"
    )
    excerpts = extractive.select([lou, luf], analysis.content_terms(question), question)
    assert excerpts[0].passage is luf
