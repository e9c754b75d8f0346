"""The rules of retrieval and the evidence measure (assistant/retrieval.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from assistant.retrieval import Retriever
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.core.helpers import collect, done_of, indexed


@dataclass(frozen=True)
class Cited:
    question: str
    refused: bool


CITED = [
    # The rule today: a question that cites a paragraph the index holds counts as fully covered,
    # whatever else it asks about. (Debatable: the name it also asks about is never checked.)
    Cited("Gäller 19 a kap. 2 § LOU för kanelbullar på Centralstationen?", refused=False),
    Cited("Vad säger 6 kap. 31 a § LOU om kanelbullar?", refused=False),
    # A paragraph the index does not hold earns nothing; the rest of the question is weighed as usual.
    Cited("Gäller 99 kap. 1 § LOU för kanelbullar på Centralstationen?", refused=True),
]


@pytest.mark.parametrize("case", CITED, ids=lambda c: c.question)
def test_a_question_citing_a_held_paragraph_counts_as_covered(offline: Assistant, case: Cited) -> None:
    query = offline.retriever.analyze(case.question)
    passages = offline.retriever.search(query)
    assert (offline.retriever.evidence(query, passages) == 1.0) is not case.refused
    assert done_of(collect(offline, case.question)).refused is case.refused


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("Vad innebär 6 kap. 31 a § LOU?", "LOU 6 kap. 31 a §"),
        ("Får myndigheten avsluta partnerskapet enligt 6 kap. 31 a § LOU?", "LOU 6 kap. 31 a §"),
        ("Hur delas partnerskapet in i etapper enligt 6 kap. 31 § LOU?", "LOU 6 kap. 31 §"),
    ],
)
def test_the_cited_paragraph_is_first_and_only_once(offline: Assistant, question: str, section: str) -> None:
    passages = offline.search(question, k=offline.settings.top_k)
    ids = [p.chunk.id for p in passages]
    assert len(ids) == len(set(ids)), "a passage appears twice"
    assert passages[0].chunk.section_ref == section and passages[0].exact_reference
    assert [p.rank for p in passages if p.chunk.section_ref == section] == [1]
    assert len(passages) == offline.settings.top_k  # the duplicate's place goes to another passage


def test_an_untranslated_english_word_weighs_half(offline: Assistant) -> None:
    # "standstill period" and "innovation partnership" are in the glossary; "mean" is not.
    query = offline.retriever.analyze("What does the standstill period mean for an innovation partnership?")
    assert query.language == "en" and query.weak_terms == {"mean"}
    as_full = replace(query, weak_terms=set())
    weak = {alts[0]: w for w, alts in offline.retriever._weighted_terms(query)}
    full = {alts[0]: w for w, alts in offline.retriever._weighted_terms(as_full)}
    assert weak["mean"] == pytest.approx(full["mean"] / 2)
    assert {t: w for t, w in weak.items() if t != "mean"} == {t: w for t, w in full.items() if t != "mean"}
    # The passages never say "mean"; counting it half costs the question less.
    passages = offline.retriever.search(query)
    assert offline.retriever.evidence(query, passages) > offline.retriever.evidence(as_full, passages)


def test_a_passage_of_the_asked_shape_ranks_above_one_that_only_shares_words(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "ramavtal"
    folder.mkdir()
    (folder / "anvanda.md").write_text(
        "# Ramavtal i praktiken\n\n"
        "Ett ramavtal används ofta av kommuner. Ramavtal för ramavtal: avrop från ramavtal sker löpande "
        "och ramavtalet följs upp av ramavtalsägaren varje år.\n",
        encoding="utf-8",
    )
    (folder / "begrepp.md").write_text(
        "# Begrepp\n\nMed ramavtal avses ett avtal som fastställer villkoren för senare kontrakt.\n",
        encoding="utf-8",
    )
    sync([folder], store)
    retriever = Retriever(store, settings)
    query = retriever.analyze("Vad menas med ett ramavtal?")
    assert retriever.search(query, 2)[0].chunk.source.endswith("begrepp.md")


def test_one_guide_does_not_fill_the_best_passages(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    sections = "".join(
        f"## Hur länge gäller avtalsspärren, del {n}\n\n"
        f"Avtalsspärren efter tilldelningsbeslutet gäller i tio dagar när beslutet skickas elektroniskt, del {n}.\n\n"
        for n in range(1, 6)
    )
    texts = {
        "lang.md": f"---\ntitle: Lång guide om avtalsspärr\n---\n\n{sections}",
        "kort.md": "---\ntitle: Kort om tilldelning\n---\n\n# Tilldelningsbeslut\n\n"
        "Ett tilldelningsbeslut skickas till alla anbudsgivare; sedan följer en spärrtid.\n",
    }
    retriever = Retriever(indexed(store, tmp_path / "guider", texts), settings)
    passages = retriever.search(
        retriever.analyze("Hur länge gäller avtalsspärren efter tilldelningsbeslutet?"), 4
    )
    titles = [p.chunk.title for p in passages]
    # Two sections of the long guide, then the other document, before the long guide's third.
    assert titles[:2] == ["Lång guide om avtalsspärr"] * 2
    assert titles[2] == "Kort om tilldelning"
