"""Official documents listed in ``corpus/sources.yaml``, fetched when the machine is online.

Each entry is downloaded into ``<data dir>/sources/<id>.<format>`` with a manifest (``INDEX.csv``)
that gives its official URL and title, and that folder is then synced like any other: an unchanged
download writes nothing, and an entry removed from the list is pruned from the index.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.errors import InvalidInputError

MAX_BYTES = 50 * 1024 * 1024
CONTENT_TYPES = {"pdf": ("application/pdf",), "html": ("text/html", "application/xhtml+xml")}
ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}$")


class SourceEntry(BaseModel):
    id: str = Field(pattern=ID.pattern)
    title: str
    url: str = Field(pattern=r"^https?://")
    publisher: str = ""
    covers: str = ""
    language: str = "sv"
    format: str = Field(default="html", pattern="^(html|pdf)$")

    @property
    def filename(self) -> str:
        return f"{self.id}.{self.format}"


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def load_sources(path: Path) -> list[SourceEntry]:
    """The entries of a sources file; a malformed file is refused with the line's problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = [SourceEntry.model_validate(e) for e in raw.get("sources", [])]
    except OSError as exc:
        raise InvalidInputError(f"{path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"{path.name}: ogiltig YAML / invalid YAML") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInputError(f"{path.name}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise InvalidInputError(f"{path.name}: id förekommer två gånger / duplicate id")
    return entries


def fetch_sources(
    entries: list[SourceEntry], folder: Path, *, client: httpx.Client | None = None
) -> FetchReport:
    """Download every entry into ``folder``; a failed one keeps its earlier copy, if any."""
    folder.mkdir(parents=True, exist_ok=True)
    report = FetchReport()
    own_client = client is None
    client = client or httpx.Client(timeout=30, follow_redirects=True, headers={"User-Agent": "advisor"})
    try:
        for entry in entries:
            try:
                body = _download(client, entry)
            except (httpx.HTTPError, ValueError) as exc:
                report.failed.append((entry.url, _reason(exc)))
                continue
            target = folder / entry.filename
            if not target.exists() or target.read_bytes() != body:
                target.write_bytes(body)
            report.fetched.append(entry.id)
    finally:
        if own_client:
            client.close()
    keep = {e.filename for e in entries}
    for stale in folder.iterdir():
        if stale.is_file() and stale.name != "INDEX.csv" and stale.name not in keep:
            stale.unlink()
    _write_manifest(folder, entries)
    return report


def _download(client: httpx.Client, entry: SourceEntry) -> bytes:
    with client.stream("GET", entry.url) as response:
        response.raise_for_status()
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind and kind not in CONTENT_TYPES[entry.format]:
            raise ValueError(f"väntade {entry.format}, fick {kind} / expected {entry.format}, got {kind}")
        body = bytearray()
        for part in response.iter_bytes():
            body.extend(part)
            if len(body) > MAX_BYTES:
                raise ValueError(f"större än {MAX_BYTES // 2**20} MB / larger than {MAX_BYTES // 2**20} MB")
    return bytes(body)


def _reason(exc: Exception) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.HTTPError):
        return f"kunde inte hämtas / could not be fetched ({type(exc).__name__})"
    return str(exc)


def _write_manifest(folder: Path, entries: list[SourceEntry]) -> None:
    present = [e for e in entries if (folder / e.filename).exists()]
    with (folder / "INDEX.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "url", "title"])
        for entry in present:
            writer.writerow([entry.filename, entry.url, entry.title])
