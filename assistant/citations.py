"""Citation markers in answer text, and the numbered sources shown beside an answer."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.types import Citation, Passage

MARKER = re.compile(r"\[(\d{1,2}(?:\s*[,–-]\s*\d{1,2})*)\]")
SNIPPET_CHARS = 280


def cited_numbers(text: str) -> list[int]:
    """The passage numbers an answer cites, in order of first use: [1], [2][3], [1, 4], [2-3]."""
    found: list[int] = []
    for match in MARKER.finditer(text):
        for part in re.split(r"\s*,\s*", match.group(1)):
            bounds = re.split(r"\s*[–-]\s*", part)
            lo, hi = int(bounds[0]), int(bounds[-1])
            for n in range(lo, min(hi, lo + 10) + 1):
                if n not in found:
                    found.append(n)
    return found


def display_source(source: str) -> str:
    return source if "://" in source else Path(source).name


def citation(n: int, passage: Passage, snippet: str | None = None) -> Citation:
    chunk = passage.chunk
    text = chunk.text
    if snippet is None:
        snippet = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return Citation(
        n=n,
        title=chunk.title,
        location=chunk.location,
        page=chunk.page,
        url=chunk.url,
        source=display_source(chunk.source),
        snippet=snippet,
        text=text,
        chunk_id=chunk.id,
    )


def cited_sources(answer: str, passages: list[Passage]) -> list[Citation]:
    """Only the passages the answer actually cites, under the numbers it cites them by."""
    return [citation(n, passages[n - 1]) for n in cited_numbers(answer) if 1 <= n <= len(passages)]
