"""The answer without a language model: the most relevant sentences of the best passages, quoted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import analysis
from assistant.types import Passage

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9(\"”])")
# A full stop after these does not end a sentence ("6 kap. 31 §", "t.ex. RFI", "prop. 2015/16:195").
ABBREVIATIONS = re.compile(
    r"(?:\b(?:kap|t\.ex|bl\.a|s\.k|m\.m|d\.v\.s|dvs|jfr|prop|dir|bet|rskr|nr|st|p|s|ca|resp|art|e\.g|i\.e)"
    r"|\b[A-ZÅÄÖ])\.$"
)
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
EMPHASIS = re.compile(r"(\*\*|__|`)")
MAX_SENTENCE = 420


@dataclass(frozen=True)
class Excerpt:
    n: int  # the passage's number in the answer
    sentences: list[str]


def _split_sentences(paragraph: str) -> list[str]:
    pieces: list[str] = []
    for piece in SENTENCE_END.split(paragraph):
        if pieces and ABBREVIATIONS.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return pieces


def sentences(text: str) -> list[str]:
    """Quotable units of a passage: sentences, list items, and table rows read as "a – b – c"."""
    units: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        prose: list[str] = []
        row_above = False  # the line above was a table row, so a rule line here ends a header
        for line in block.splitlines():
            stripped = line.strip()
            row = stripped.startswith("|")
            rule = row and TABLE_RULE.match(stripped) is not None
            item = LIST_ITEM.match(stripped) is not None
            if (row or item) and prose:  # prose read so far comes before the row or item, as on the page
                units.extend(_split_sentences(" ".join(prose)))
                prose = []
            if rule:
                # The row above was the header: let it introduce the rows, like a lead-in ending ":".
                # A chunk cut between a header and its rule starts at the rule; it has no header.
                if row_above:
                    units[-1] = units[-1].rstrip(":") + ":"
            elif row:
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                units.append(" – ".join(c for c in cells if c))
            elif item:
                units.append(LIST_ITEM.sub("", stripped))
            elif stripped:
                prose.append(stripped)
            row_above = row and not rule
        if prose:
            units.extend(_split_sentences(" ".join(prose)))
    cleaned = [EMPHASIS.sub("", re.sub(r"\s+", " ", u)).strip() for u in units]
    return [u if len(u) <= MAX_SENTENCE else u[:MAX_SENTENCE].rsplit(" ", 1)[0] + " …" for u in cleaned if u]


def _score(sentence: str, terms: list[str]) -> float:
    text = analysis.normalize(sentence)
    hits = sum(1 for t in terms if analysis.mentions(text, t))
    # Prefer sentences that say something over fragments and headings.
    return hits + (0.2 if len(sentence) > 60 else 0.0)


def select(
    passages: list[Passage], terms: list[str], max_passages: int = 3, per_passage: int = 2
) -> list[Excerpt]:
    """For each of the best passages, its ``per_passage`` best sentences in reading order; a
    sentence that introduces a list (ends with ":") brings the first items of the list along."""
    excerpts: list[Excerpt] = []
    for n, passage in enumerate(passages[:max_passages], start=1):
        candidates = sentences(passage.text)
        if not candidates:
            continue
        ranked = sorted(range(len(candidates)), key=lambda i: (-_score(candidates[i], terms), i))
        if n > 1 and _score(candidates[ranked[0]], terms) < 1:
            continue  # a lower-ranked passage that shares no word with the question adds noise
        keep: set[int] = set()
        for i in ranked[:per_passage]:
            keep.add(i)
            if candidates[i].endswith(":"):
                keep.update(range(i + 1, min(i + 4, len(candidates))))
        excerpts.append(Excerpt(n=n, sentences=[candidates[i] for i in sorted(keep)]))
    return excerpts


def render(excerpts: list[Excerpt], intro: str, passages: list[Passage]) -> str:
    lines = [intro, ""]
    for ex in excerpts:
        chunk = passages[ex.n - 1].chunk
        where = " › ".join(x for x in (chunk.title, chunk.location) if x)
        for i, sentence in enumerate(ex.sentences):
            marker = f" [{ex.n}]" if i == len(ex.sentences) - 1 else ""
            lines.append(f"> {sentence}{marker}")
        lines.append(f"— {where}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
