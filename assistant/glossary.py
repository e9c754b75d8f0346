"""The bilingual procurement glossary advisors edit (``corpus/glossary.yaml``): English → Swedish."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant import analysis

BUNDLED = Path(__file__).resolve().parent.parent / "corpus" / "glossary.yaml"


@dataclass(frozen=True)
class Glossary:
    entries: tuple[tuple[str, tuple[str, ...]], ...]  # English phrase → Swedish terms, longest first

    @classmethod
    def load(cls, path: Path | None = None) -> Glossary:
        path = path or BUNDLED
        if not path.exists():
            return cls(())
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        pairs: list[tuple[str, tuple[str, ...]]] = []
        for entry in data.get("terms", []):
            sv = tuple(str(t) for t in entry.get("sv", []))
            for en in entry.get("en", []):
                pairs.append((analysis.normalize(str(en)), sv))
        pairs.sort(key=lambda p: -len(p[0]))
        return cls(tuple(pairs))

    def expand(self, question: str) -> tuple[list[str], str]:
        """Swedish terms for the English phrases in ``question``, and the question with them removed."""
        text = f" {' '.join(analysis.words(question))} "
        found: list[str] = []
        for phrase, sv in self.entries:
            pattern = re.compile(rf"\b{re.escape(phrase)}(?:s|es)?\b")
            if pattern.search(text):
                text = pattern.sub(" ", text)
                found.extend(t for t in sv if t not in found)
        return found, text.strip()
