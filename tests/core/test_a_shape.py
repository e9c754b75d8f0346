"""Shapes a scenario question asks for that the first reading missed: a bound ("the maximum fine"),
a length ("maxlängd", "löptid"), and an amount a table gives in thousands under a header that names
its unit."""

from __future__ import annotations

import pytest

from assistant import analysis, extractive
from assistant.shape import Shape, fits, shape_of
from tests.core.helpers import passage


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("If the authority goes after them, what is the maximum fine?", Shape.AMOUNT),
        ("Vilken är den högsta avgiften vi kan få?", Shape.AMOUNT),
        ("Finns det någon maxlängd på en koncession?", Shape.DURATION),
        ("Vilken löptid får ett ramavtal ha?", Shape.DURATION),
        ("What is the maximum length of a framework agreement?", Shape.DURATION),
        ("Hur länge får ett ramavtal som mest gälla?", Shape.DURATION),
        ("Vad är ett ramavtal?", Shape.DEFINITION),
        # A time asked for in everyday words, where "när kan" alone would ask for conditions.
        ("Beslutet gick ut i fredags, när kan vi tidigast skriva på avtalet?", Shape.DURATION),
        ("Hinner de fortfarande begära överprövning av avtalet?", Shape.DURATION),
        ("Avtalet skrevs för fyra månader sedan. Är det inte för sent nu?", Shape.DURATION),
        ("Hur kort tid får leverantörerna för att skicka in ansökningar?", Shape.DURATION),
        # How old something may be is a length of time too.
        ("VD:n dömdes för sex år sedan. Är domen för gammal för att räknas?", Shape.DURATION),
        ("How old can a conviction be before it no longer counts?", Shape.DURATION),
        ("När kan vi använda förhandlat förfarande?", Shape.CONDITION),
        # A time of its own where it asks: the law's time is the answer.
        ("Får ett ramavtal löpa i sex år? Vi är en region.", Shape.DURATION),
        ("Kan vi utesluta en leverantör vars vd dömdes för sju år sedan?", Shape.DURATION),
        ("Can our framework agreement run for six years?", Shape.DURATION),
        ("Hur långt får ett sådant avtal vara?", Shape.DURATION),
        # A time in the situation only leaves the question as it asks.
        ("Vi har haft avtalet i två år. Kan vi förlänga det?", Shape.PERMISSION),
    ],
)
def test_a_bound_asked_for_is_an_amount_unless_it_is_a_length_of_time(question: str, shape: Shape) -> None:
    assert shape_of(question) is shape


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Byggentreprenadkontrakt 5 538 000 59 880 179", True),
        ("Tjänstekontrakt – 221 000 – 2 389 585", True),
        ("Lag (2016:1145) om offentlig upphandling", False),
        ("CPV-koderna 73000000-2 och 73300000-5", False),
        ("Enligt 5 kap. 1 § gäller 12 månader.", False),
    ],
)
def test_a_number_in_thousands_is_an_amount(sentence: str, expected: bool) -> None:
    assert fits(sentence, Shape.AMOUNT) is expected


def test_the_table_row_with_the_amount_leads_an_answer_to_what_the_threshold_is() -> None:
    question = "Vilket tröskelvärde gäller för byggentreprenadkontrakt?"
    prose = passage(
        1, "Tröskelvärdet för ett byggentreprenadkontrakt beräknas på kontraktets hela värde.", "LOU"
    )
    table = passage(
        2, "Kontrakt Tröskelvärdet i kronor\nByggentreprenadkontrakt 5 538 000 59 880 179", "Tillkännagivande"
    )
    passages = [prose, table]
    excerpts = extractive.select(passages, analysis.content_terms(question), question)
    assert excerpts[0].passage.chunk is table.chunk
    assert "59 880 179" in excerpts[0].sentences[0]
