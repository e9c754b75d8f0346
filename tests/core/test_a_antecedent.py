"""A quoted sentence that opens on what the sentence before it introduced brings that sentence along:
"Genom arenan ska …" is read after "Myndigheten ska inrätta en upphandlingsarena."."""

from __future__ import annotations

from assistant import analysis, extractive
from tests.core.helpers import passage

PAGE = (
    "Regeringen ger myndigheten ett uppdrag om innovation. "
    "Myndigheten ska inrätta en upphandlingsarena. "
    "Genom arenan ska kommuner och regioner stimuleras att göra fler innovationsupphandlingar. "
    "Redovisning sker senast i mars."
)


def quoted(question: str, text: str) -> list[str]:
    excerpts = extractive.select([passage(1, text, "Uppdrag")], analysis.content_terms(question), question)
    return excerpts[0].sentences


def test_a_sentence_naming_what_the_one_before_introduced_brings_it_along() -> None:
    shown = quoted("Hur ska kommuner och regioner stimuleras att göra fler innovationsupphandlingar?", PAGE)
    assert shown[:2] == [
        "Myndigheten ska inrätta en upphandlingsarena.",
        "Genom arenan ska kommuner och regioner stimuleras att göra fler innovationsupphandlingar.",
    ]


def test_a_sentence_that_opens_on_something_new_stands_alone() -> None:
    page = PAGE.replace("Genom arenan ska", "Genom bidrag ska")
    shown = quoted("Hur ska kommuner och regioner stimuleras att göra fler innovationsupphandlingar?", page)
    assert shown[0].startswith("Genom bidrag ska")


def test_this_and_such_refer_back_too() -> None:
    text = "Avtalet får förlängas en gång. Detta gäller inte ramavtal som har löpt i fyra år."
    assert quoted("Gäller det inte ramavtal som har löpt i fyra år?", text) == text.replace(
        ". D", ".|D"
    ).split("|")
