"""The answer without a language model: the most relevant sentences of the best passages, quoted."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from assistant import analysis
from assistant.legalref import find_references
from assistant.shape import Shape, fits, shape_of
from assistant.types import Passage

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9(\"”])")
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
EMPHASIS = re.compile(r"(\*\*|__|`)")
# A statute sentence runs long, and its last clause is often the condition asked about ("… och detta
# har fastställts genom ett avgörande som har fått laga kraft"): only a runaway unit is cut.
MAX_SENTENCE = 700
# A sentence of the asked shape (an amount, a time …) counts this much more than one that only shares
# the same words.
SHAPE_GAIN = 0.5
RANK_PENALTY = 0.02  # per retrieval rank, between passages whose best sentences answer alike
EXACT = 10.0  # above any sentence's score
# A word every candidate passage mentions still counts this share of its weight: it is the topic,
# not what tells the answering sentence from the rest.
FOCUS_FLOOR = 0.5
LIST_ITEMS = 3  # items a lead-in brings along from a long list
WHOLE_LIST = 5  # a list this short is quoted whole
FOLLOWERS = 2  # sentences that refer back, brought along after a quoted one
# A quoted sentence whose first words name, in the definite form, what the sentence before it
# introduced ("… en innovationsupphandlingsarena. Genom arenan …") brings that sentence along.
OPENING_WORDS = 3
DEFINITE_ENDINGS = ("en", "et", "na", "n", "t")
MIN_BASE = 4
REFERS_BACK = re.compile(
    r"^(en sådan|ett sådant|sådana|sådan|detta|dessa|denna|det gäller|i så fall|då får|då ska)\b",
    re.IGNORECASE,
)
# Asked shapes a lead-in to a list answers: "Vilka …?", "När får vi …?" (the conditions, listed).
LISTING = frozenset({Shape.LIST, Shape.CONDITION})
SAME_WORDS = 0.8  # share of words two passages have in common to be the same text in two laws
HEADING_SHARE = 0.25  # of a word's weight, when only the passage's title or headings mention it
# A word only the situation before the asking sentence uses ("Vi är en kommun som köper skolskjuts …")
# counts this share: the sentence that answers covers what is asked, not the setting.
SITUATION_SHARE = 0.4


@dataclass(frozen=True)
class Excerpt:
    n: int  # its number in the answer, as shown: 1, 2, 3
    passage: Passage
    sentences: list[str]


def _split_sentences(paragraph: str) -> list[str]:
    return analysis.sentences(paragraph, SENTENCE_END)


@dataclass(frozen=True)
class Unit:
    """A quotable unit: a sentence, a list item or a table row; ``leads`` when it introduces the
    items after it ("… får användas, om" before "1. …", a table's header row)."""

    text: str
    item: bool = False
    leads: bool = False


def units(text: str) -> list[Unit]:
    """Quotable units of a passage: sentences, list items, and table rows read as "a – b – c"."""
    raw: list[tuple[str, bool]] = []  # (text, is an item or a row)
    for block in re.split(r"\n\s*\n", text):
        prose: list[str] = []
        row_above = False  # the line above was a table row, so a rule line here ends a header
        for line in block.splitlines():
            stripped = line.strip()
            row = stripped.startswith("|")
            rule = row and TABLE_RULE.match(stripped) is not None
            item = LIST_ITEM.match(stripped) is not None
            if (row or item) and prose:  # prose read so far comes before the row or item, as on the page
                raw.extend((u, False) for u in _split_sentences(" ".join(prose)))
                prose = []
            if rule:
                # The row above was the header: let it introduce the rows, like a lead-in ending ":".
                # A chunk cut between a header and its rule starts at the rule; it has no header.
                if row_above:
                    raw[-1] = (raw[-1][0].rstrip(":") + ":", False)
            elif row:
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                raw.append((" – ".join(c for c in cells if c), True))
            elif item:
                raw.append((LIST_ITEM.sub("", stripped), True))
            elif stripped:
                prose.append(stripped)
            row_above = row and not rule
        if prose:
            raw.extend((u, False) for u in _split_sentences(" ".join(prose)))
    cleaned = [(EMPHASIS.sub("", re.sub(r"\s+", " ", u)).strip(), item) for u, item in raw]
    kept = [
        (u if len(u) <= MAX_SENTENCE else u[:MAX_SENTENCE].rsplit(" ", 1)[0] + " …", item)
        for u, item in cleaned
        if u
    ]
    found: list[Unit] = []
    for i, (u, item) in enumerate(kept):
        # A statute's lead-in ends without a full stop ("… får användas, om") before numbered items.
        before_items = i + 1 < len(kept) and kept[i + 1][1] and not item
        leads = u.endswith(":") or (before_items and not u.endswith((".", "!", "?")))
        found.append(Unit(u, item, leads))
    return found


def sentences(text: str) -> list[str]:
    """The texts of a passage's quotable units (see ``units``)."""
    return [u.text for u in units(text)]


class _Scorer:
    """How well a sentence answers: the share of the question's words it mentions (under any of their
    ``alternatives``), each weighted by how specific it is and by how few of the candidate passages
    mention it, plus a bonus when it has the asked shape (an amount for "hur mycket").

    The second weight helps find the answer among passages that all share the question's topic: when
    every passage speaks of the dialogue, the one that also speaks of the payment asked about answers.
    """

    def __init__(
        self,
        terms: list[str],
        question: str,
        alternatives: Mapping[str, Sequence[str]] | None = None,
        candidates: Sequence[str] = (),
        situation: Collection[str] = (),
    ) -> None:
        alternatives = alternatives or {}
        self.forms = {t: [t, *(a for a in alternatives.get(t, ()) if a != t)] for t in terms}
        self.shape = shape_of(question)
        texts = [analysis.normalize(c) for c in candidates]
        weights: dict[str, float] = {}
        for term in terms:
            share = sum(1 for text in texts if self._mentioned(text, term)) / len(texts) if texts else 0.0
            weights[term] = analysis.specificity(term) * (1.0 - (1.0 - FOCUS_FLOOR) * share)
            if term in situation:
                weights[term] *= SITUATION_SHARE
        self.weights = weights
        self.asked = [t for t in terms if t not in situation]
        self.total = sum(weights.values()) or 1.0

    def unanswered(self, shown: Sequence[str]) -> set[str]:
        """The asked words (not the situation's) that none of ``shown`` mentions."""
        texts = [analysis.normalize(t) for t in shown]
        return {t for t in self.asked if not any(self._mentioned(text, t) for text in texts)}

    def mentions(self, sentence: str, term: str) -> bool:
        return self._mentioned(analysis.normalize(sentence), term)

    def _mentioned(self, text: str, term: str) -> bool:
        return any(
            all(analysis.mentions(text, w) for w in analysis.content_terms(form) or [form])
            for form in self.forms[term]
        )

    def __call__(self, sentence: str, *, introduces: bool = False, heading: str = "") -> float:
        """``heading``: the title and headings the sentence stands under ("… (LUF) › LUF 7 kap. 2 §")
        — a word of the question they mention counts for the sentence at HEADING_SHARE."""
        text = analysis.normalize(sentence)
        above = analysis.normalize(heading)
        covered = sum(
            w
            if self._mentioned(text, t)
            else HEADING_SHARE * w
            if above and self._mentioned(above, t)
            else 0.0
            for t, w in self.weights.items()
        )
        covered /= self.total
        if not covered:
            return 0.0
        shaped = fits(sentence, self.shape) or (introduces and self.shape in LISTING)
        # Prefer sentences that say something over fragments and headings.
        # The shape multiplies what a sentence covers: a rule saying "får" that speaks only to the
        # situation ("en myndighet får använda …") does not lead over one that speaks to what is asked.
        return covered * (1 + (SHAPE_GAIN if shaped else 0.0)) + (0.05 if len(sentence) > 60 else 0)


def _heading(passage: Passage) -> str:
    chunk = passage.chunk
    return " ".join([chunk.title, *chunk.heading_path])


def _same_words(a: list[str], b: list[str]) -> bool:
    """Whether two passages say nearly the same (LOU and LUF often differ by "myndighet"/"enhet"),
    with the same figures: "fyra år" in one law and "åtta år" in the other are two answers."""
    wa, wb = set(analysis.words(" ".join(a))), set(analysis.words(" ".join(b)))
    # Statute numbers ("2021:1110" beside "2021:1111") tell the laws apart, not the rules.
    if any(fits(w, Shape.COUNT) for w in wa ^ wb if ":" not in w):
        return False
    # The shorter one's words nearly all in the longer one: it adds nothing (LUK repeats a LOU
    # paragraph and adds a sentence; a PDF's hyphenation "före-lägganden" costs a word or two).
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= SAME_WORDS


def select(
    passages: list[Passage],
    terms: list[str],
    question: str = "",
    *,
    alternatives: Mapping[str, Sequence[str]] | None = None,
    situation: Collection[str] = (),
    max_excerpts: int = 3,
    per_passage: int = 3,
    pool: int = 5,
) -> list[Excerpt]:
    """Excerpts that lead with the answer: of the ``pool`` best passages, those whose best sentence
    answers best come first (a passage further down the ranking may hold the sentence that answers),
    each with its ``per_passage`` best sentences — the best one first in the first excerpt, then
    reading order; a sentence that introduces a list (ends with ":") brings the first items along.
    ``alternatives`` are other words for a term (synonyms, the words of a concept it evokes);
    ``situation`` the terms only the situation before the asking sentence uses (they count less)."""
    split = [(rank, passage, units(passage.text)) for rank, passage in enumerate(passages[:pool])]
    score = _Scorer(
        terms, question, alternatives, [f"{_heading(p)} {p.text}" for _, p, _ in split], situation
    )
    ranked_passages: list[tuple[float, int, Passage, list[Unit], list[float]]] = []
    for rank, passage, candidates in split:
        if not candidates:
            continue
        scores = [
            score(
                _read_with_list(candidates, i) if score.shape in LISTING else u.text,
                introduces=u.leads,
                heading=_heading(passage),
            )
            for i, u in enumerate(candidates)
        ]
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
        texts = [u.text for u in candidates]
        if any(_same_words(texts, q) for q in quoted):
            continue  # the same words in another law (LOU and LUF often agree) say nothing new
        quoted.append(texts)
        order = _by_score(scores)
        shown = _readable(candidates, order[:per_passage])
        if not excerpts:  # the sentence that answers opens the answer, after what it needs to be read
            lead = _lead_in(candidates, order[0])
            if (
                lead is None
                and order[0]
                and _refers_to_previous(candidates[order[0] - 1], candidates[order[0]])
            ):
                lead = order[0] - 1
            first = [lead, order[0]] if lead is not None else [order[0]]
            shown = first + [i for i in shown if i not in first]
        excerpts.append(Excerpt(len(excerpts) + 1, passage, [texts[i] for i in shown]))
    law = _law_behind(excerpts, ranked_passages, per_passage)
    if law is not None:
        excerpts.append(law)
    elif len(excerpts) == max_excerpts:
        more = _complement(excerpts, ranked_passages, quoted, score, per_passage)
        if more is not None:
            excerpts.append(more)
    return excerpts


def _law_behind(
    excerpts: list[Excerpt],
    ranked: list[tuple[float, int, Passage, list[Unit], list[float]]],
    per_passage: int,
) -> Excerpt | None:
    """The paragraph a quoted guide rests on ("… (6 kap. 29 §)"), the first guide quoted first, when
    it is among the passages and not yet quoted: the guidance says it in our words, the law in its
    own, and a lawyer reads the law."""
    quoted_ids = {ex.passage.chunk.id for ex in excerpts}
    guides = [ex for ex in excerpts if ex.passage.chunk.law is None]
    for ref in (r for ex in guides for r in find_references(" ".join(ex.sentences))):
        for _best, _rank, passage, candidates, scores in ranked:
            chunk = passage.chunk
            if (
                chunk.id in quoted_ids
                or chunk.law is None
                or (ref.law is not None and chunk.law != ref.law)
                or (chunk.chapter, chunk.paragraph) != (ref.chapter, ref.paragraph)
            ):
                continue
            shown = _readable(candidates, _by_score(scores)[:per_passage])
            return Excerpt(len(excerpts) + 1, passage, [candidates[i].text for i in shown])
    return None


def _complement(
    excerpts: list[Excerpt],
    ranked: list[tuple[float, int, Passage, list[Unit], list[float]]],
    quoted: list[list[str]],
    score: _Scorer,
    per_passage: int,
) -> Excerpt | None:
    """One excerpt more, from a passage not yet quoted, when it says something the question asks
    that none of the quoted sentences speaks to: the second half of "Får vi betala deltagarna, och
    påverkar det värdet?" is often answered by another passage than the first."""
    missing = score.unanswered([s for ex in excerpts for s in ex.sentences])
    if not missing:
        return None
    shown_ids = {ex.passage.chunk.id for ex in excerpts}
    for best, _rank, passage, candidates, scores in ranked:
        texts = [u.text for u in candidates]
        if best <= 0 or passage.chunk.id in shown_ids or any(_same_words(texts, q) for q in quoted):
            continue
        answering = [i for i in _by_score(scores) if any(score.mentions(texts[i], t) for t in missing)]
        if not answering:
            continue
        shown = _readable(candidates, answering[:per_passage])
        return Excerpt(len(excerpts) + 1, passage, [texts[i] for i in shown])
    return None


def _by_score(scores: list[float]) -> list[int]:
    """Unit indices, best scored first; ties in reading order."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def _readable(candidates: list[Unit], chosen: list[int]) -> list[int]:
    """The ``chosen`` units with what they need to be read (a list's lead-in or items, the sentence a
    chosen one refers back to, the sentences that refer back to them), in reading order."""
    keep: set[int] = set()
    for i in chosen:
        keep.update(_with_list(candidates, i))
    keep |= {i - 1 for i in keep if i > 0 and _refers_to_previous(candidates[i - 1], candidates[i])}
    return sorted(_followers(candidates, keep))


def _refers_to_previous(previous: Unit, unit: Unit) -> bool:
    """Whether ``unit`` opens on what the sentence before it introduced: "Detta gäller …", or a noun
    in its definite form whose indefinite one ends a word there ("UHM ska inrätta en
    innovationsupphandlingsarena. Genom arenan ska …")."""
    if unit.item or previous.item or previous.leads:
        return False
    if REFERS_BACK.match(unit.text):
        return True
    before = analysis.words(previous.text)
    for word in analysis.words(unit.text)[:OPENING_WORDS]:
        for ending in DEFINITE_ENDINGS:
            base = word[: -len(ending)]
            if word.endswith(ending) and len(base) >= MIN_BASE and any(w.endswith(base) for w in before):
                return True
    return False


def _read_with_list(candidates: list[Unit], i: int) -> str:
    """A lead-in is read with its items: "… får användas, om" answers "När får vi …?" only through
    the conditions that follow it."""
    if not candidates[i].leads:
        return candidates[i].text
    return " ".join(candidates[j].text for j in sorted(_with_list(candidates, i)))


def _lead_in(candidates: list[Unit], i: int) -> int | None:
    """The unit that introduces item ``i``, if it is an item of a list."""
    if not candidates[i].item:
        return None
    j = i - 1
    while j >= 0 and candidates[j].item:
        j -= 1
    return j if j >= 0 and candidates[j].leads else None


def _with_list(candidates: list[Unit], i: int) -> set[int]:
    """Unit ``i`` with what it needs to be read: a lead-in brings its items, an item its lead-in —
    "1. den upphandlande myndighetens behov …" says nothing without "… får användas, om". A short
    list comes whole (a list of conditions or proposals is the answer, not one of its items); of a
    long one, the first items."""
    keep = {i}
    lead = i if candidates[i].leads else _lead_in(candidates, i)
    if lead is None:
        return keep
    end = lead + 1
    while end < len(candidates) and candidates[end].item:
        end += 1
    items = range(lead + 1, end)
    keep.add(lead)
    keep.update(items if len(items) <= WHOLE_LIST else items[:LIST_ITEMS])
    return keep


def _followers(candidates: list[Unit], keep: set[int]) -> set[int]:
    """Sentences that refer back to a kept one ("En sådan hänvisning ska följas av …") go with it:
    they share no word with the question, yet often say what it asks."""
    more = set(keep)
    for i in sorted(keep):
        j = i + 1
        while j < len(candidates) and j - i <= FOLLOWERS and REFERS_BACK.match(candidates[j].text):
            more.add(j)
            j += 1
    return more


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
