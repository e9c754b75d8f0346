"""Statute names and references: one table of laws, one way to write a reference."""

from __future__ import annotations

import pytest

from assistant.legalref import LAWS_BY_SFS, LegalReference, find_references
from ingest.markdown import parse_markdown
from ingest.model import Section


@pytest.mark.parametrize(
    ("question", "law"),
    [
        ("Vad säger UF 3 kap. 2 §?", "UF"),
        ("Vad säger 3 kap. 2 § i 2016:1162?", "UF"),
        ("Gäller LUFS 1 kap. 1 §?", "LUFS"),
        ("Gäller LUF 1 kap. 1 §?", "LUF"),
        ("Vad säger 19 a kap. 2 § i 2016:1147?", "LUK"),
    ],
)
def test_every_law_of_the_table_is_recognised_in_a_question(question: str, law: str) -> None:
    assert [r.law for r in find_references(question)] == [law]


@pytest.mark.parametrize(("sfs", "law"), sorted(LAWS_BY_SFS.items()))
def test_a_statute_file_and_a_question_name_the_same_law(sfs: str, law: str) -> None:
    statute = (
        f"---\nbeteckning: {sfs}\nrubrik: En lag\n---\n\n# En lag\n\n## 3 kap. Något\n\n#### 2 §\n\nText.\n"
    )
    [section] = parse_markdown(statute, "x").sections
    assert section.section_ref == f"{law} 3 kap. 2 §"
    assert [str(r) for r in find_references(f"Vad säger {sfs} 3 kap. 2 §?")] == [section.section_ref]


@pytest.mark.parametrize(
    ("law", "chapter", "paragraph", "written"),
    [
        ("LOU", "6", "31", "LOU 6 kap. 31 §"),
        (None, "19 a", "2", "19 a kap. 2 §"),
        ("UF", None, "5", "UF 5 §"),
        (None, None, "3 a", "3 a §"),
    ],
)
def test_a_reference_is_written_one_way(
    law: str | None, chapter: str | None, paragraph: str, written: str
) -> None:
    assert Section("x", law=law, chapter=chapter, paragraph=paragraph).section_ref == written
    if chapter:
        assert str(LegalReference(chapter, paragraph, law)) == written


def test_a_section_without_a_paragraph_has_no_reference() -> None:
    assert Section("x", law="LOU", chapter="6").section_ref is None
