"""An English reader of Swedish quotes gets their figures in English: "tio dagar = ten days"."""

from __future__ import annotations

from pathlib import Path

from assistant.figures import gloss
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from tests.core.helpers import answer_text, collect, done_of, indexed

STATUTE = """---
title: Lag om avtalsspärr
---

# 20 kap. Avtalsspärr

## 1 §

Efter att underrättelsen om tilldelningsbeslut har skickats gäller avtalsspärr i tio dagar.
Under avtalsspärren får avtal inte ingås.
"""


def test_each_figure_is_glossed_once_in_the_order_given() -> None:
    assert gloss(
        [
            "Koncessioner med längre löptid än fem år; avtalsspärr i 10 dagar.",
            "Direktupphandling får användas under 700 000 kronor, i euro: 221 000 euro.",
            "Fem år gäller; ett år; 30 procent; 12 kap. 5 §; lag (2021:1110).",
        ]
    ) == [
        ("fem år", "five years"),
        ("10 dagar", "10 days"),
        ("700 000 kronor", "SEK 700 000"),
        ("221 000 euro", "EUR 221 000"),
        ("ett år", "one year"),
        ("30 procent", "30 percent"),
    ]
    assert gloss(["Lag (2021:1110). Se 19 kap. 2 §."]) == []


def test_an_english_question_gets_the_figures_in_english_and_a_swedish_one_does_not(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    assistant = Assistant(settings, store=indexed(store, tmp_path / "docs", {"sparr.md": STATUTE}))
    english = collect(assistant, "How long is the standstill period after the award decision?")
    assert not done_of(english).refused
    assert "> Efter att underrättelsen" in answer_text(english)  # the quote stays Swedish
    assert "in English: tio dagar = ten days." in answer_text(english)
    swedish = collect(assistant, "Hur länge gäller avtalsspärren efter tilldelningsbeslutet?")
    assert not done_of(swedish).refused
    assert "tio dagar" in answer_text(swedish) and "ten days" not in answer_text(swedish)
