"""``advisor backup`` / ``advisor restore``: a copy that opens and answers like the original."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.settings import get_settings
from assistant.store import ChunkStore
from cli.main import app
from tests.fakes import HashEmbedder
from tests.support.llm_stub import LLMStub

runner = CliRunner()
QUESTION = "Hur går en förfrågan om information till?"


def ask() -> dict[str, object]:
    result = runner.invoke(app, ["ask", "--json", QUESTION])
    assert result.exit_code == 0, result.output
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_a_backup_restored_into_an_empty_data_dir_answers_the_same(
    stub_embeddings: LLMStub, docs: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["ingest", str(docs)]).exit_code == 0
    before = ask()
    copy = tmp_path / "copy"
    made = runner.invoke(app, ["backup", str(copy)])
    assert made.exit_code == 0, made.output
    manifest = json.loads((copy / "backup.json").read_text(encoding="utf-8"))
    assert (manifest["documents"], manifest["chunks"]) == ChunkStore(get_settings()).counts()
    assert manifest["vectors"] == manifest["chunks"]

    shutil.rmtree(get_settings().data_dir)
    restored = runner.invoke(app, ["restore", str(copy)])
    assert restored.exit_code == 0, restored.output
    after = ask()
    assert after["answer"] == before["answer"] and after["sources"] == before["sources"]


def test_backup_and_restore_refuse_what_would_lose_data_in_one_line(
    stub_embeddings: LLMStub, docs: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["ingest", str(docs)]).exit_code == 0
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["backup", str(busy)])
    assert refused.exit_code == 1 and "inte tom" in refused.output and "Traceback" not in refused.output
    assert (busy / "keep.txt").read_text(encoding="utf-8") == "mine"

    half = tmp_path / "half"  # a copy that never finished has no manifest
    half.mkdir()
    (half / "index.sqlite3").write_bytes(b"")
    assert "backup.json" in runner.invoke(app, ["restore", str(half)]).output

    copy = tmp_path / "copy"
    assert runner.invoke(app, ["backup", str(copy)]).exit_code == 0
    onto_data = runner.invoke(app, ["restore", str(copy)])
    assert onto_data.exit_code == 1 and "--replace" in onto_data.output
    replaced = runner.invoke(app, ["restore", "--replace", str(copy)])
    assert replaced.exit_code == 0, replaced.output
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("data.before-restore-")]
    assert len(aside) == 1 and (aside[0] / "index.sqlite3").exists()


def test_a_backup_after_reembedding_counts_the_generation_in_use(
    stub_embeddings: LLMStub, docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import store as store_module

    monkeypatch.setattr(store_module, "RESOLVE_EVERY_S", 0.0)
    assert runner.invoke(app, ["ingest", str(docs)]).exit_code == 0
    # Another model's collection stays beside the new one (servers not yet reconfigured use it).
    other = ChunkStore(get_settings(), embedder=HashEmbedder(dimension=32, name="test:hash-32"))
    other.switch_grace_s = 0
    other.reembed()
    assert runner.invoke(app, ["reembed"]).exit_code == 0
    made = runner.invoke(app, ["backup", str(tmp_path / "copy")])
    assert made.exit_code == 0, made.output
    manifest = json.loads((tmp_path / "copy" / "backup.json").read_text(encoding="utf-8"))
    assert manifest["vectors"] == manifest["chunks"] > 0


def test_backup_with_a_shared_index_says_what_to_back_up_instead(
    stub_embeddings: LLMStub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ADVISOR_CHROMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ADVISOR_DATABASE_URL", "postgresql://advisor@127.0.0.1:9/advisor")
    refused = runner.invoke(app, ["backup", str(tmp_path / "copy")])
    assert refused.exit_code == 1 and "pg_dump" in refused.output and "Traceback" not in refused.output
