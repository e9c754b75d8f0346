"""How a procurer's situation reaches the concept map: a phrasing parted by possessives and
auxiliaries, a phrasing's word at the end of an inflected compound."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.concepts import ConceptMap

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
