"""The answer without a language model: the most relevant sentences of the best passages, quoted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import analysis
from assistant.types import Passage

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])|\n{2,}|\n(?=[-•*]|\d+\.\s)")
MAX_SENTENCE = 420


@dataclass(frozen=True)
class Excerpt:
    n: int  # the passage's number in the answer
    sentences: list[str]


def sentences(text: str) -> list[str]:
    parts = [re.sub(r"\s+", " ", s).strip(" -•*") for s in SENTENCE.split(text)]
    return [p if len(p) <= MAX_SENTENCE else p[:MAX_SENTENCE].rsplit(" ", 1)[0] + " …" for p in parts if p]


def _score(sentence: str, terms: list[str]) -> float:
    text = analysis.normalize(sentence)
    hits = sum(1 for t in terms if analysis.mentions(text, t))
    # Prefer sentences that say something over fragments and headings.
    return hits + (0.2 if len(sentence) > 60 else 0.0)


def select(
    passages: list[Passage], terms: list[str], max_passages: int = 3, per_passage: int = 2
) -> list[Excerpt]:
    """For each of the best passages, its ``per_passage`` best sentences in reading order."""
    excerpts: list[Excerpt] = []
    for n, passage in enumerate(passages[:max_passages], start=1):
        candidates = sentences(passage.text)
        if not candidates:
            continue
        ranked = sorted(range(len(candidates)), key=lambda i: (-_score(candidates[i], terms), i))
        keep = sorted(ranked[:per_passage])
        if n > 1 and _score(candidates[ranked[0]], terms) < 1:
            continue  # a lower-ranked passage that shares no word with the question adds noise
        excerpts.append(Excerpt(n=n, sentences=[candidates[i] for i in keep]))
    return excerpts


def render(excerpts: list[Excerpt], intro: str, passages: list[Passage]) -> str:
    lines = [intro, ""]
    for ex in excerpts:
        where = passages[ex.n - 1].chunk.location or passages[ex.n - 1].chunk.title
        quote = " ".join(ex.sentences)
        lines.append(f"> {quote} [{ex.n}]")
        lines.append(f"> — {where}" if where else "")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
