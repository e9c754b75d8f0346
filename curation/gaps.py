"""Gaps in the corpus: refused and down-voted questions grouped by the words they turn on.

Lexical similarity is enough here and costs nothing: two questions whose Swedish stems overlap by at
least half (Jaccard) ask about the same thing. Each group is named by the stems of its earliest
question, so an advisor's verdict (open / resolved, with a note) stays with it as questions are added.
Votes are for advisors to read; nothing here changes ranking.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant import analysis

SIMILAR = 0.5
EXAMPLES = 3


def terms_of(question: str) -> frozenset[str]:
    return frozenset(s for s in (analysis.stem(t) for t in analysis.content_terms(question)) if s)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass
class Gap:
    key: str
    terms: frozenset[str]
    entries: list[dict[str, Any]] = field(default_factory=list)
    status: str = "open"
    note: str | None = None
    updated_by: str | None = None
    updated_at: str | None = None

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def examples(self) -> list[str]:
        """A few of its questions, newest first, each once."""
        seen: dict[str, None] = {}
        for entry in reversed(self.entries):
            seen.setdefault(str(entry["question"]), None)
        return list(seen)[:EXAMPLES]

    @property
    def refused(self) -> int:
        return sum(1 for e in self.entries if e["refused"])

    @property
    def down(self) -> int:
        return sum(1 for e in self.entries if e["rating"] == "down")

    @property
    def last(self) -> str | None:
        return self.entries[-1]["created_at"] if self.entries else None

    @property
    def new_since_verdict(self) -> int:
        """Questions asked after the group was marked resolved: the gap may not be closed."""
        if self.status != "resolved" or not self.updated_at:
            return 0
        return sum(1 for e in self.entries if (e["created_at"] or "") > self.updated_at)


def group(entries: Iterable[dict[str, Any]], verdicts: dict[str, dict[str, Any]] | None = None) -> list[Gap]:
    """Group ``entries`` (oldest first) by similar question; the largest groups first, open before
    resolved."""
    gaps: list[Gap] = []
    for entry in entries:
        terms = terms_of(str(entry["question"]))
        best = max(gaps, key=lambda g: similarity(terms, g.terms), default=None)
        if best is not None and similarity(terms, best.terms) >= SIMILAR:
            best.entries.append(entry)
            continue
        key = (
            hashlib.sha1(" ".join(sorted(terms)).encode()).hexdigest()[:16] if terms else f"id-{entry['id']}"
        )
        gaps.append(Gap(key=key, terms=terms, entries=[entry]))
    for gap in gaps:
        verdict = (verdicts or {}).get(gap.key)
        if verdict:
            gap.status = verdict["status"]
            gap.note = verdict["note"]
            gap.updated_by = verdict["updated_by"]
            gap.updated_at = verdict["updated_at"]
    return sorted(gaps, key=lambda g: (g.status == "resolved" and not g.new_since_verdict, -g.count))


# Cells a spreadsheet would read as a formula (=, +, -, @, or a tab / carriage return first).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "created_at",
    "channel",
    "language",
    "question",
    "query",
    "mode",
    "refused",
    "outcome",
    "evidence",
    "elapsed_ms",
    "rating",
    "comment",
)


def safe_cell(value: object) -> str:
    """A CSV cell no spreadsheet runs as a formula: such text is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def review_csv(entries: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow([safe_cell(entry.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()
