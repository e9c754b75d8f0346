"""What loaders produce: a document as an ordered list of sections with their place in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.legalref import format_reference


@dataclass
class Section:
    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    law: str | None = None
    chapter: str | None = None
    paragraph: str | None = None
    flagged: str | None = None  # set by a loader that saw what the text no longer shows (see screening)

    @property
    def section_ref(self) -> str | None:
        return format_reference(self.law, self.chapter, self.paragraph) if self.paragraph else None


@dataclass
class LoadedDocument:
    title: str
    sections: list[Section]
    meta: dict[str, Any] = field(default_factory=dict)  # sources, tags, summary, updated, url
    language: str | None = None
    url: str | None = None
    notes: list[str] = field(default_factory=list)  # one line each: what was dropped, and why
