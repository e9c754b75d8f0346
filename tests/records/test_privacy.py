"""The masking rules: personal data is replaced by its kind, procurement facts are left alone."""

from __future__ import annotations

import pytest

from assistant.privacy import PLACEHOLDERS, find, introduced_names, mask

# (text, masked) — one case per rule.
MASKED = [
    ("personnummer 850709-9805.", "personnummer «personnummer»."),
    ("pnr 19850709-9805", "pnr «personnummer»"),
    ("pnr 198507099805", "pnr «personnummer»"),
    ("pnr 8507099805 tack", "pnr «personnummer» tack"),  # ten digits, check digit agrees
    ("över hundra: 120314+1234", "över hundra: «personnummer»"),
    ("samordningsnummer 850769-9802", "samordningsnummer «samordningsnummer»"),
    ("mejla anna.svensson@kommun.se!", "mejla «e-post»!"),
    ("mail A.B+x@sub.example.co.uk", "mail «e-post»"),
    ("ring 08-123 45 67", "ring «telefon»"),
    ("ring 070-123 45 67 i dag", "ring «telefon» i dag"),
    ("ring 0701234567", "ring «telefon»"),
    ("ring +46 70 123 45 67", "ring «telefon»"),
    ("ring +46 (0)8 123 45 67", "ring «telefon»"),
    ("ring 0046 8 123 45 67", "ring «telefon»"),
    ("ring (08) 123 45 67", "ring «telefon»"),
    ("ring 031-12 34 56", "ring «telefon»"),
    ("Jag heter Anna Svensson och undrar", "Jag heter «namn» och undrar"),
    ("jag heter anna, vad gäller?", "jag heter «namn», vad gäller?"),
    ("Mitt namn är Karl-Erik Öberg. Vad gäller?", "Mitt namn är «namn». Vad gäller?"),
    ("My name is John Smith. What applies?", "My name is «namn». What applies?"),
    ("Jag heter Anna Vad gäller", "Jag heter «namn» Vad gäller"),
]

# Text that must come back unchanged: the stuff of procurement questions.
UNCHANGED = [
    "LOU 19 kap. 7 § gäller",
    "5 kap. 3 § och 6 kap. 31 § LOU",
    "upp till 1 200 000 kronor",
    "belopp 1 050 000 000 kronor och 100 000 000 SEK",
    "tröskelvärdet 615 312 kr",
    "från 2024-01-01 till 2027-12-31",
    "datum 01-02-2024",
    "dnr 2023/01234-56",
    "org.nr 212000-0142",  # an organisation number is not personal data
    "0,5 procent av 10 000 000",
    "ett tal 8507099806",  # ten digits whose check digit disagrees
    "Jag heter inte så",
    "kontakta upphandlingsmyndigheten@",
]


@pytest.mark.parametrize(("text", "masked"), MASKED)
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize("text", UNCHANGED)
def test_procurement_facts_are_left_alone(text: str) -> None:
    assert mask(text) == text
    assert find(text) == []


def test_the_issue_question_keeps_its_question_and_loses_the_person() -> None:
    question = (
        "Jag heter Anna Svensson, personnummer 850709-9805, mejl anna.svensson@kommun.se, "
        "tel 070-123 45 67. Vad är tröskelvärdet för direktupphandling?"
    )
    masked = mask(question)
    assert masked == (
        "Jag heter «namn», personnummer «personnummer», mejl «e-post», tel «telefon». "
        "Vad är tröskelvärdet för direktupphandling?"
    )
    for secret in ("Anna", "Svensson", "850709", "9805", "kommun.se", "123 45 67"):
        assert secret not in masked


def test_masking_is_idempotent() -> None:
    once = mask("Jag heter Anna, 850709-9805, a@b.se, 08-123 45 67")
    assert mask(once) == once
    assert set(PLACEHOLDERS.values()) >= {"«namn»", "«personnummer»", "«e-post»", "«telefon»"}


def test_empty_text() -> None:
    assert mask("") == ""


def test_a_name_the_question_introduces_is_masked_where_else_it_appears() -> None:
    names = introduced_names("Hej, jag heter Anna Svensson. Vad gäller?")
    assert names == ["Anna Svensson", "Anna", "Svensson"]
    assert mask("Hej Anna Svensson! Anna, beloppet är 700 000 kr.", names) == (
        "Hej «namn»! «namn», beloppet är 700 000 kr."
    )
    assert mask("Annasson och Annan gäller inte.", names) == "Annasson och Annan gäller inte."
