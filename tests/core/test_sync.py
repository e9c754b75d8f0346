"""What a sync takes in, what --prune may remove, and how bad input is reported (ingest/pipeline.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.store import ChunkStore
from ingest.pipeline import sync
from tests.fakes import GUIDE, STATUTE


def test_pruning_one_folder_leaves_the_documents_of_another(store: ChunkStore, tmp_path: Path) -> None:
    # `advisor ingest --sources` prunes its own folder; corpus/ must survive that.
    corpus, fetched = tmp_path / "corpus", tmp_path / "fetched"
    corpus.mkdir()
    fetched.mkdir()
    (corpus / "dialog.md").write_text(GUIDE, encoding="utf-8")
    (fetched / "lou.md").write_text(STATUTE, encoding="utf-8")
    (fetched / "gammal.md").write_text("# Gammal\n\nEn sida som tas bort från källorna.\n", encoding="utf-8")
    sync([corpus], store)
    sync([fetched], store)
    (fetched / "gammal.md").unlink()
    report = sync([fetched], store, prune=True)
    assert [Path(s).name for s in report.removed] == ["gammal.md"]
    assert sorted(Path(d["source"]).name for d in store.lexical.documents()) == ["dialog.md", "lou.md"]
    assert store.collection.count() == store.counts()[1]


def test_pruning_a_single_file_removes_nothing_else(store: ChunkStore, docs: Path) -> None:
    sync([docs], store)
    report = sync([docs / "dialog.md"], store, prune=True)
    assert report.removed == [] and store.counts()[0] == 2


@dataclass(frozen=True)
class Layout:
    name: str
    files: list[str]  # written into the synced folder, each a small Markdown document
    indexed: list[str]


LAYOUTS = [
    Layout("a dotfile", ["synlig.md", ".dold.md"], ["synlig.md"]),
    Layout("a file in a dot-folder", ["synlig.md", ".git/anteckning.md"], ["synlig.md"]),
    Layout("a dot-folder deeper down", ["a/synlig.md", "a/.cache/kopia.md"], ["a/synlig.md"]),
    Layout("dots inside names are fine", ["v1.2/not.hidden.md"], ["v1.2/not.hidden.md"]),
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda c: c.name)
def test_hidden_files_and_folders_are_skipped(store: ChunkStore, tmp_path: Path, layout: Layout) -> None:
    folder = tmp_path / "docs"
    for name in layout.files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"# {name}\n\nText om upphandling.\n", encoding="utf-8")
    report = sync([folder], store)
    assert sorted(str(Path(s).relative_to(folder.resolve())) for s in report.added) == layout.indexed
    assert report.ok


def test_a_synced_folder_may_itself_sit_below_a_dot_folder(store: ChunkStore, tmp_path: Path) -> None:
    folder = tmp_path / ".cache" / "docs"  # only what is hidden below the synced folder is skipped
    folder.mkdir(parents=True)
    (folder / "dialog.md").write_text(GUIDE, encoding="utf-8")
    assert len(sync([folder], store).added) == 1


# --- bad input is reported, one line per file ----------------------------------------------------------


@pytest.mark.parametrize(
    ("front_matter", "says"),
    [
        ("title: Dialog: före annonsering\nsummary: x", "line 2"),  # a colon in an unquoted value
        ('title: "Dialog\nsummary: x', "YAML"),  # an unclosed quote
        ("- title\n- summary", "list"),  # not key: value lines at all
    ],
)
def test_invalid_front_matter_fails_that_file_with_a_reason_naming_it(
    store: ChunkStore, docs: Path, front_matter: str, says: str
) -> None:
    (docs / "trasig.md").write_text(f"---\n{front_matter}\n---\n\n# Rubrik\n\nText.\n", encoding="utf-8")
    report = sync([docs], store)
    assert len(report.added) == 2  # the others go on
    [(name, reason)] = report.failed
    assert Path(name).name == "trasig.md"
    assert "trasig.md" in reason and says in reason and "\n" not in reason
    assert not any(d["source"] == name for d in store.lexical.documents())


def test_empty_front_matter_is_no_front_matter(store: ChunkStore, docs: Path) -> None:
    (docs / "tom.md").write_text("---\n\n---\n\n# Tom\n\nText om upphandling.\n", encoding="utf-8")
    assert sync([docs], store).ok


MANIFEST_ROWS = "file,url,title\ndialog.md,https://example.org/dialog,Tidig dialog (webbsida)\n"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (MANIFEST_ROWS.encode("utf-8"), None),
        (MANIFEST_ROWS.encode("utf-16"), "UnicodeDecodeError"),
        (b"file,url\ndialog.md," + b"x" * 200_000 + b"\n", "csv.Error"),  # over the csv field limit
        (b"namn,url\ndialog.md,https://example.org/dialog\n", "'file'"),
    ],
    ids=["readable", "not UTF-8", "not CSV", "no file column"],
)
def test_an_unreadable_manifest_is_reported_not_skipped(
    store: ChunkStore, docs: Path, content: bytes, says: str | None
) -> None:
    (docs / "INDEX.csv").write_bytes(content)
    report = sync([docs], store)
    assert len(report.added) == 2  # the documents are indexed either way
    dialog = next(d for d in store.lexical.documents() if str(d["source"]).endswith("dialog.md"))
    if says is None:
        assert report.ok and dialog["url"] == "https://example.org/dialog"
        return
    [(name, reason)] = report.failed
    assert Path(name).name == "INDEX.csv" and says in reason and "INDEX.csv" in reason
    assert dialog["url"] is None
