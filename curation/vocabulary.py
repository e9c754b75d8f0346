"""The glossary (English → Swedish) and the Swedish synonym groups, as advisors edit them.

A change is checked before it is written (YAML of the right shape), the version it replaces is kept
under ``<data dir>/vocabulary-versions``, and the new file is written in one step; the caller hands
the reloaded glossary to the running retriever, so the next question uses it without a restart.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant.glossary import BUNDLED, SYNONYMS, Glossary

Kind = Literal["glossary", "synonyms"]
KINDS: tuple[Kind, ...] = ("glossary", "synonyms")
MAX_CHARS = 500_000
VERSION = re.compile(r"^(glossary|synonyms)-(\d{8}T\d{6}\d*Z)-([\w.@+-]+)\.yaml$")


class VocabularyError(Exception):
    """A text that cannot be saved; ``detail`` says where, in one line."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.key = "vocabulary_invalid"
        self.params = {"detail": detail}


@dataclass(frozen=True)
class Version:
    name: str
    kind: str
    at: str
    actor: str


def _check(kind: Kind, raw: str) -> None:
    if len(raw) > MAX_CHARS:
        raise VocabularyError(f"> {MAX_CHARS} tecken / characters")
    try:
        data: Any = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"rad / line {mark.line + 1}" if mark is not None else "YAML"
        raise VocabularyError(f"{where}: {getattr(exc, 'problem', None) or 'YAML'}") from None
    if not isinstance(data, dict):
        raise VocabularyError("filen ska vara en mappning / the file must be a mapping")
    if kind == "glossary":
        terms = data.get("terms", [])
        if not isinstance(terms, list):
            raise VocabularyError("terms: en lista / a list")
        for n, entry in enumerate(terms, start=1):
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("en"), list)
                or not isinstance(entry.get("sv"), list)
            ):
                raise VocabularyError(f"terms #{n}: en: [...] och sv: [...] / en: [...] and sv: [...]")
    else:
        groups = data.get("groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
            raise VocabularyError("groups: en lista av listor / a list of lists")


class Vocabulary:
    def __init__(self, glossary_path: Path | None, versions: Path) -> None:
        self.glossary_path = glossary_path or BUNDLED
        self.versions_dir = versions

    def path(self, kind: Kind) -> Path:
        return self.glossary_path if kind == "glossary" else self.glossary_path.parent / SYNONYMS

    def read(self, kind: Kind) -> str:
        path = self.path(kind)
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def save(self, kind: Kind, raw: str, actor: str) -> Glossary:
        """Check ``raw``, keep the version it replaces, write it; the glossary as it now reads."""
        raw = raw.replace("\r\n", "\n")
        _check(kind, raw)
        path = self.path(kind)
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        who = re.sub(r"[^\w.@+-]", "_", actor) or "okänd"
        if path.exists():
            (self.versions_dir / f"{kind}-{stamp}-{who}.yaml").write_text(self.read(kind), encoding="utf-8")
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(raw)
        os.replace(temporary, path)  # readers see the old file or the new one, never half of one
        return Glossary.load(self.glossary_path)

    def versions(self, kind: Kind | None = None) -> list[Version]:
        """Earlier versions, newest first."""
        found = []
        for file in self.versions_dir.glob("*.yaml") if self.versions_dir.exists() else []:
            match = VERSION.match(file.name)
            if match and (kind is None or match.group(1) == kind):
                at = datetime.strptime(match.group(2)[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
                found.append(Version(file.name, match.group(1), at.isoformat(), match.group(3)))
        return sorted(found, key=lambda v: v.name.split("-", 1)[1], reverse=True)

    def version_text(self, name: str) -> str | None:
        if not VERSION.match(name):
            return None
        file = self.versions_dir / name
        return file.read_text(encoding="utf-8") if file.is_file() else None
