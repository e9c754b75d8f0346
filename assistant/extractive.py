"""The answer without a language model: the most relevant sentences of the best passages, quoted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import analysis
from assistant.shape import fits, shape_of
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
SHAPE_BONUS = 0.3  # a sentence of the asked shape (an amount, a time …) over one that only shares words
RANK_PENALTY = 0.02
EXACT = 10.0  # above any sentence's score  # per retrieval rank, between passages whose best sentences answer alike


@dataclass(frozen=True)
class Excerpt:
    n: int  # its number in the answer, as shown: 1, 2, 3
    passage: Passage
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


class _Scorer:
    """How well a sentence answers: the share of the question's words it mentions, each weighted by
    how specific it is, plus a bonus when it has the asked shape (an amount for "hur mycket")."""

    def __init__(self, terms: list[str], question: str) -> None:
        self.weights = {t: analysis.specificity(t) for t in terms}
        self.total = sum(self.weights.values()) or 1.0
        self.shape = shape_of(question)

    def __call__(self, sentence: str) -> float:
        text = analysis.normalize(sentence)
        covered = sum(w for t, w in self.weights.items() if analysis.mentions(text, t)) / self.total
        if not covered:
            return 0.0
        # Prefer sentences that say something over fragments and headings.
        return (
            covered
            + (SHAPE_BONUS if fits(sentence, self.shape) else 0.0)
            + (0.05 if len(sentence) > 60 else 0)
        )


def select(
    passages: list[Passage],
    terms: list[str],
    question: str = "",
    *,
    max_excerpts: int = 3,
    per_passage: int = 3,
    pool: int = 5,
) -> list[Excerpt]:
    """Excerpts that lead with the answer: of the ``pool`` best passages, those whose best sentence
    answers best come first (a passage further down the ranking may hold the sentence that answers),
    each with its ``per_passage`` best sentences — the best one first in the first excerpt, then
    reading order; a sentence that introduces a list (ends with ":") brings the first items along."""
    score = _Scorer(terms, question)
    ranked_passages: list[tuple[float, int, Passage, list[str], list[float]]] = []
    for rank, passage in enumerate(passages[:pool]):
        candidates = sentences(passage.text)
        if not candidates:
            continue
        scores = [score(c) for c in candidates]
        # The retrieval rank still counts a little: ties go to the passage retrieval put first. A
        # paragraph the question names ("Vad säger 11 kap. 2 §?") is what was asked for: it leads.
        best = EXACT if passage.exact_reference else max(scores) - RANK_PENALTY * rank
        ranked_passages.append((best, rank, passage, candidates, scores))
    ranked_passages.sort(key=lambda item: (-item[0], item[1]))

    excerpts: list[Excerpt] = []
    quoted: list[list[str]] = []
    for best, _rank, passage, candidates, scores in ranked_passages:
        if len(excerpts) == max_excerpts:
            break
        if excerpts and best <= 0:
            break  # a passage that shares no word with the question adds noise
        if candidates in quoted:
            continue  # the same words in another law (LOU and LUF often agree) say nothing new
        quoted.append(candidates)
        order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
        keep: set[int] = set()
        for i in order[:per_passage]:
            keep.add(i)
            if candidates[i].endswith(":"):
                keep.update(range(i + 1, min(i + 4, len(candidates))))
        shown = sorted(keep)
        if not excerpts:  # the sentence that answers opens the answer
            shown.remove(order[0])
            shown.insert(0, order[0])
        excerpts.append(Excerpt(len(excerpts) + 1, passage, [candidates[i] for i in shown]))
    return excerpts


def render(excerpts: list[Excerpt], intro: str) -> str:
    lines = [intro, ""]
    for ex in excerpts:
        chunk = ex.passage.chunk
        where = " › ".join(x for x in (chunk.title, chunk.location) if x)
        for i, sentence in enumerate(ex.sentences):
            marker = f" [{ex.n}]" if i == len(ex.sentences) - 1 else ""
            lines.append(f"> {sentence}{marker}")
        lines.append(f"— {where}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
