"""``advisor bench --scale``: the generated corpus, the report's shape, and hits only on real chunks."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from assistant.settings import Settings
from cli import bench
from tests.fakes import HashEmbedder

# Lower-case sentences without numbers or names: a generated copy keeps them word for word.
EVIDENCE = "ramavtalet får som huvudregel löpa under högst fyra år"
TOPICS = [
    ("Ramavtal", EVIDENCE),
    ("Anbudstid", "anbudstiden ska vara skälig och bestämmas med hänsyn till kontraktets art"),
    ("Uteslutning", "en leverantör ska uteslutas om den har dömts för brott som rör korruption"),
    ("Dialog", "dialogen får pågå till dess att myndigheten kan identifiera lösningar som motsvarar behoven"),
]
FILLER = (
    "myndigheten ska dokumentera skälen för sina beslut i upphandlingen och spara handlingarna. "
    "leverantörer ska behandlas på ett likvärdigt och icke-diskriminerande sätt under hela förfarandet. "
    "upphandlingen ska genomföras på ett öppet sätt och vara förenlig med principen om proportionalitet."
)
QUESTIONS = [
    {"id": "q1", "q": "Hur länge får ett ramavtal löpa?", "evidence": [EVIDENCE]},
    {"id": "q2", "q": "Hur lång ska anbudstiden vara?", "evidence": ["anbudstiden ska vara skälig"]},
    {"id": "q3", "q": "Vilka tröskelvärden gällde år 1995?", "unanswerable": True},
]
SHAPE = {
    "latency_ms": {"hybrid", "lexical", "dense", "first_token", "numpy_exact", "bm25retriever"},
    "recall_at_5": {"ours", "bm25retriever", "langchain_tutorial"},
}


@pytest.fixture
def real(tmp_path: Path) -> Path:
    folder = tmp_path / "real"
    folder.mkdir()
    for n, (heading, sentence) in enumerate(TOPICS):
        sections = [f"## {heading} {i}\n\n{sentence.capitalize()}. {FILLER}\n" for i in range(3)]
        text = f"---\ntitle: Vägledning {n}\n---\n\n" + "\n".join(sections)
        (folder / f"guide{n}.md").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS), encoding="utf-8")
    return path


def test_a_variant_keeps_its_words_but_not_its_numbers(tmp_path: Path) -> None:
    rng = random.Random(1)
    text = "Värdet ska beräknas till 700 000 kronor. Anbudet lämnas till Kammarkollegiet i Stockholm."
    varied = bench.vary(text, rng, ["Uppsala", "Malmö"])
    assert sorted(bench.NUMBER.sub("#", varied).split()) != sorted(text.split())  # numbers swapped
    assert {"Värdet", "beräknas", "kronor.", "Anbudet", "lämnas"} <= set(varied.split())
    assert len(varied) <= bench.MAX_CHARS


def test_scale_builds_real_plus_generated_chunks_and_reports_the_agreed_shape(
    settings: Settings, real: Path, questions: Path, tmp_path: Path
) -> None:
    report = bench.run(
        settings,
        questions,
        rounds=1,
        scale=300,
        corpus_paths=[real],
        baselines=False,
        embedder=HashEmbedder(),
        work=tmp_path / "work",
    )
    assert set(report) >= {"chunks", "latency_ms", "recall_at_5", "build_s", "index_bytes", "peak_rss_mb"}
    for key, names in SHAPE.items():
        assert set(report[key]) >= names
    for name in ("hybrid", "lexical", "dense", "first_token", "numpy_exact"):
        assert set(report["latency_ms"][name]) == {"p50", "p95"}
    assert report["latency_ms"]["bm25retriever"] is None  # baselines off
    assert report["chunks"] == 300  # every generated section is one chunk of its own
    assert report["embedded_for_real"] == 0  # generated chunks take a derived vector, never the model's
    assert report["reingest_unchanged"] == report["documents"]  # nothing rewritten on a second run
    assert report["recall_at_5"]["ours"] == 1.0
    assert report["index_bytes"] > 0 and report["build_s"] >= 0
    json.dumps(report)  # one JSON object


def test_a_second_run_in_the_same_work_dir_times_the_built_corpus_without_building_it(
    settings: Settings, real: Path, questions: Path, tmp_path: Path
) -> None:
    def timed_run(scale: int) -> dict[str, object]:
        return bench.run(
            settings,
            questions,
            rounds=1,
            scale=scale,
            corpus_paths=[real],
            baselines=False,
            embedder=HashEmbedder(),
            work=tmp_path / "work",
        )

    first = timed_run(300)
    generated = sorted((tmp_path / "work" / bench.GENERATED).iterdir())
    generated[0].unlink()  # a rebuild would notice a missing file; a reuse never syncs
    second = timed_run(300)
    assert "reused_build" not in first and second["reused_build"] == str(tmp_path / "work")
    assert second["chunks"] == first["chunks"] == 300
    assert second["build_s"] == first["build_s"]  # the build's figures are kept
    assert second["recall_at_5"] == {"ours": 1.0, "bm25retriever": None, "langchain_tutorial": None}
    with pytest.raises(ValueError, match="300"):
        timed_run(400)  # another size is another corpus


def test_a_generated_copy_carrying_the_evidence_is_no_hit(
    settings: Settings, real: Path, questions: Path, tmp_path: Path
) -> None:
    corpus = bench.build_scale(settings, 300, tmp_path / "work", [real], None, HashEmbedder())
    for document in corpus.store.lexical.documents():  # only generated copies can be found now
        if corpus.is_real(str(document["source"])):
            corpus.store.lexical.set_enabled(str(document["doc_id"]), False)
    asked = [q for q in bench.load_questions(questions) if not q.injection]
    _, ours, assistant = bench.measure_ours(corpus, corpus.store.settings, asked, 1)
    found = assistant.search(QUESTIONS[0]["q"], 5)
    assert any(EVIDENCE in p.text.lower() for p in found), "a copy carries the evidence in the top 5"
    assert ours == 0.0


def test_only_a_real_passage_counts_as_a_hit() -> None:
    texts = ["en kopia: " + EVIDENCE, "annat", EVIDENCE]
    assert not bench.real_hit(texts[:2], [False, True], [EVIDENCE])
    assert bench.real_hit(texts, [False, True, True], [EVIDENCE])
    assert not bench.real_hit(["x"] * 5 + [EVIDENCE], [True] * 6, [EVIDENCE])  # rank 6 is past the top 5


def test_the_baselines_run_over_the_same_texts(
    settings: Settings, real: Path, questions: Path, tmp_path: Path
) -> None:
    pytest.importorskip("rank_bm25")
    pytest.importorskip("langchain_community")
    pytest.importorskip("langchain_chroma")
    pytest.importorskip("langchain_text_splitters")
    report = bench.run(
        settings,
        questions,
        rounds=1,
        scale=250,
        corpus_paths=[real],
        embedder=HashEmbedder(),
        work=tmp_path / "work",
    )
    assert set(report["latency_ms"]["bm25retriever"]) == {"p50", "p95"}
    assert report["recall_at_5"]["bm25retriever"] is not None
    assert report["recall_at_5"]["langchain_tutorial"] is not None
    assert report["langchain_tutorial"]["chunks"] > 0
