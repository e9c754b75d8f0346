"""``advisor bench``: what retrieval costs as the corpus grows, beside what a team would otherwise build.

``--scale N`` builds a corpus of N chunks in a temporary data dir: the real texts, ingested through
the real pipeline (or copied from an index of them), plus chunks generated from the real ones —
sentences shuffled, numbers and names swapped — written as Markdown files and ingested through the
same pipeline, so re-ingest can be timed. Generated chunks get their source chunk's real vector plus
noise instead of being embedded. Only a real chunk counts as a hit: a copy may carry an evidence string.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embeddings import Embedder
from assistant.evaluation import EvalQuestion, first_hit, load_questions
from assistant.events import Done
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore, embedding_text
from assistant.types import Chunk
from ingest import tables
from ingest.chunking import MAX_CHARS, MIN_CHARS, SENTENCE_END
from ingest.pipeline import SyncReport, sync

GENERATED = "generated"  # the folder of generated documents, beside the data dir
BUILT = "built.json"  # what a finished --scale build left in its work dir: size, figures
SECTIONS_PER_FILE = 100
NOISE = 0.02  # per component: a generated vector keeps a cosine of about 0.93 to its source
BM25_LIMIT = 100_000  # rank_bm25 holds every tokenised text in Python lists: ~10 GB at a million
TOP = 5
NAME = re.compile(r"(?<=[a-zåäö,] )[A-ZÅÄÖ][a-zåäöé]{2,}")
NUMBER = re.compile(r"\d+")
BENCH_EXTRA = "pip install -e '.[bench]'"


class MissingBenchPackage(RuntimeError):
    """A baseline needs a package of the ``bench`` extra."""


def shared_path(name: str) -> Path:
    """``../shared/<name>`` beside the repository, or beside the working directory."""
    repo = Path(__file__).resolve().parents[1]
    for base in (repo.parent, Path.cwd().parent, Path.cwd()):
        candidate = base / "shared" / name
        if candidate.exists():
            return candidate
    return repo.parent / "shared" / name


def percentiles(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    return {
        "p50": round(ordered[min(len(ordered) - 1, int(0.5 * len(ordered)))], 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
    }


def lap_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return lap_ms(started)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def settle(limit_s: float = 300.0, quiet: float = 0.1) -> float:
    """Wait until this process's own CPU use falls below ``quiet`` of a core (Chroma keeps indexing in
    background threads after a large write, which would be timed as query latency); seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        before = time.process_time()
        time.sleep(1.0)
        if time.process_time() - before < quiet:
            break
    return round(time.perf_counter() - started, 1)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# --- the generated corpus -----------------------------------------------------------------------


def body_key(text: str) -> str:
    """A chunk's text as the generator and the embedder both see it, whitespace folded."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:20]


def usable_source(chunk: Chunk) -> bool:
    """A chunk whose variant stays one chunk of its own: long enough not to be merged with the next
    section, short enough not to be cut, no table (cut row by row), no line a heading would start."""
    text = chunk.text
    return (
        MIN_CHARS + 20 <= len(text) <= MAX_CHARS - 150
        and not any(is_table for _, is_table in tables.split_blocks(text))
        and not any(line.lstrip().startswith(("#", "---")) for line in text.splitlines())
    )


def vary(text: str, rng: random.Random, names: Sequence[str]) -> str:
    """``text`` with its sentences shuffled, every number swapped for another of as many digits and
    about half of its names swapped: the words and their statistics stay, the passage is new."""
    sentences = [s.strip() for p in re.split(r"\n\s*\n", text) for s in SENTENCE_END.split(p) if s.strip()]
    rng.shuffle(sentences)
    varied = " ".join(" ".join(s.split()) for s in sentences)

    def number(match: re.Match[str]) -> str:
        digits = match.group(0)
        first = str(rng.randint(1, 9)) if len(digits) > 1 else str(rng.randint(0, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    varied = NUMBER.sub(number, varied)
    if names:
        varied = NAME.sub(lambda m: rng.choice(names) if rng.random() < 0.5 else m.group(0), varied)
    if len(varied) > MAX_CHARS - 100:
        varied = varied[: varied.rfind(" ", 0, MAX_CHARS - 100)]
    return varied


@dataclass
class Generated:
    folder: Path
    files: int
    sections: int
    sources: dict[str, int]  # body key → index of the source chunk in the real chunks


def generate(real: Sequence[Chunk], count: int, folder: Path, *, seed: int = 13) -> Generated:
    """Write ``count`` generated sections, ``SECTIONS_PER_FILE`` to a Markdown file, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    usable = [i for i, c in enumerate(real) if usable_source(c)]
    if count and not usable:
        raise ValueError("no real chunk can seed generated ones")
    names = sorted({n for c in real for n in NAME.findall(c.text)})
    sources: dict[str, int] = {}
    written = files = 0
    while written < count:
        files += 1
        picks = [rng.choice(usable) for _ in range(min(SECTIONS_PER_FILE, count - written))]
        title = f"{real[picks[0]].title} (kopia {files})"
        parts = [f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nlanguage: sv\n---\n"]
        for index in picks:
            source = real[index]
            text = vary(source.text, rng, names)
            sources[body_key(text)] = index  # a repeated variant has the same source: no clash
            heading = source.heading_path[-1] if source.heading_path else source.title
            heading = heading.lstrip("0123456789 §.kap") or source.title  # never read as a statute §
            parts.append(f"## {heading}\n\n{text}\n")
        (folder / f"gen-{files:06d}.md").write_text("\n".join(parts), encoding="utf-8")
        written += len(picks)
    return Generated(folder, files, written, sources)


class DerivedEmbedder:
    """The real embedder for real texts; a generated chunk gets its source chunk's vector plus noise.

    Every vector it hands out is kept, in order, for the exact numpy search over the same vectors.
    """

    def __init__(self, inner: Embedder, real_vectors: np.ndarray, sources: dict[str, int]) -> None:
        self.inner = inner
        self.name = inner.name
        self.computes_here = inner.computes_here
        self.real_vectors = real_vectors
        self.sources = sources
        self.derived: list[np.ndarray] = []
        self.embedded = 0  # texts that were not generated, or whose variant the loader changed

    @property
    def dimension(self) -> int:
        return int(self.real_vectors.shape[1]) if self.real_vectors.size else self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float] | None] = []
        missing: list[int] = []
        for i, text in enumerate(texts):
            key = body_key(text.split("\n", 1)[1] if "\n" in text else text)
            index = self.sources.get(key)
            if index is None:
                out.append(None)
                missing.append(i)
                continue
            rng = np.random.default_rng(int(key[:12], 16))
            vector = self.real_vectors[index] + rng.normal(0, NOISE, self.real_vectors.shape[1])
            vector = (vector / np.linalg.norm(vector)).astype(np.float32)
            self.derived.append(vector)
            out.append(vector.tolist())
        if missing:
            self.embedded += len(missing)
            for i, vector in zip(
                missing, self.inner.embed_documents([texts[i] for i in missing]), strict=True
            ):
                out[i] = vector
        return [v for v in out if v is not None]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


# --- the measurements -----------------------------------------------------------------------------


@dataclass
class Corpus:
    """What was indexed: the store, which documents are real, the vectors, build figures."""

    store: ChunkStore
    is_real: Callable[[str], bool]
    vectors: np.ndarray
    figures: dict[str, Any] = field(default_factory=dict)


def all_chunks(store: ChunkStore) -> list[Chunk]:
    return [c for d in store.lexical.documents() for c in store.lexical.document_chunks(str(d["doc_id"]))]


def stored_vectors(store: ChunkStore, ids: Sequence[str]) -> np.ndarray:
    vectors: list[Any] = []
    for start in range(0, len(ids), 2000):
        got = store.collection.get(ids=list(ids[start : start + 2000]), include=["embeddings"])
        by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
        vectors += [by_id[i] for i in ids[start : start + 2000]]
    return np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)


def sync_timed(paths: list[Path], store: ChunkStore) -> tuple[float, SyncReport]:
    started = time.perf_counter()
    report = sync(paths, store)
    return time.perf_counter() - started, report


def build_scale(
    settings: Settings,
    n: int,
    work: Path,
    corpus: list[Path],
    from_index: Path | None,
    embedder: Embedder | None = None,
) -> Corpus:
    """The real texts plus generated chunks up to ``n``, in a data dir under ``work``."""
    data = work / "data"
    settings = settings.model_copy(
        update={"data_dir": data, "chroma_url": None, "ingest_max_files": 10_000_000, "llm_provider": "none"}
    )
    figures: dict[str, Any] = {}
    if from_index is not None:
        shutil.copytree(from_index, data, ignore=shutil.ignore_patterns("*.lock"))
        figures["real_from_index"] = str(from_index)
    store = ChunkStore(settings, embedder=embedder)
    real_s, report = sync_timed(corpus, store)
    figures["real_build_s"] = round(real_s, 1)
    real = all_chunks(store)
    real_vectors = stored_vectors(store, [c.id for c in real])
    sample = [embedding_text(c) for c in real[:1000]]
    started = time.perf_counter()
    store.embedder.embed_documents(sample)
    figures["embedding_chunks_per_s"] = round(len(sample) / (time.perf_counter() - started), 1)

    generated_dir = work / GENERATED
    started = time.perf_counter()
    generated = generate(real, max(0, n - len(real)), generated_dir)
    figures["generate_s"] = round(time.perf_counter() - started, 1)
    derived = DerivedEmbedder(store.embedder, real_vectors, generated.sources)
    store.embedder = derived
    gen_s, report = sync_timed([generated_dir], store)
    figures["generated_build_s"] = round(gen_s, 1)
    figures["build_s"] = round(gen_s + (0.0 if from_index else real_s), 1)
    figures["embedded_for_real"] = derived.embedded
    figures["failed_files"] = len(report.failed)
    reingest_s, report = sync_timed([*corpus, generated_dir], store)
    figures["reingest_s"] = round(reingest_s, 1)
    figures["reingest_unchanged"] = len(report.unchanged)
    store.embedder = derived.inner
    figures["settle_s"] = settle()
    figures["build_peak_rss_mb"] = peak_rss_mb()
    vectors = np.vstack([real_vectors, *derived.derived]) if derived.derived else real_vectors
    root = str(generated_dir.resolve())
    (work / BUILT).write_text(
        json.dumps({"chunks": n, "generated": root, "figures": figures}), encoding="utf-8"
    )
    return Corpus(store, lambda source: not source.startswith(root), vectors, figures)


def reuse_scale(settings: Settings, work: Path, n: int, embedder: Embedder | None = None) -> Corpus:
    """The corpus an earlier ``--scale n --work-dir work`` built, to time it again without the build
    (after a change to the query side, or on a quieter machine); its build figures are kept."""
    built = json.loads((work / BUILT).read_text(encoding="utf-8"))
    if built["chunks"] != n:
        raise ValueError(
            f"{work} har en korpus på {built['chunks']} avsnitt, inte {n} / "
            f"holds a corpus of {built['chunks']} chunks, not {n}"
        )
    settings = settings.model_copy(
        update={"data_dir": work / "data", "chroma_url": None, "llm_provider": "none"}
    )
    store = ChunkStore(settings, embedder=embedder)
    root = str(built["generated"])
    figures = {**built["figures"], "reused_build": str(work)}
    vectors = stored_vectors(store, [c.id for c in all_chunks(store)])
    return Corpus(store, lambda source: not source.startswith(root), vectors, figures)


def current_corpus(store: ChunkStore) -> Corpus:
    ids = [c.id for c in all_chunks(store)]
    return Corpus(store, lambda _source: True, stored_vectors(store, ids))


def real_hit(texts: Sequence[str], real: Sequence[bool], evidence: list[str], k: int = TOP) -> bool:
    """Whether a real passage in the top ``k`` carries an evidence string (``evaluation.first_hit``)."""
    rank = first_hit([t if r else "" for t, r in zip(texts, real, strict=True)], evidence)
    return rank is not None and rank <= k


def recall(hits: Iterable[bool]) -> float | None:
    values = list(hits)
    return round(sum(values) / len(values), 3) if values else None


def measure_ours(
    corpus: Corpus, settings: Settings, questions: list[EvalQuestion], rounds: int
) -> tuple[dict[str, Any], float | None, Assistant]:
    """Latency of each side and of the answer path to its first event, and recall@5 on real chunks."""
    assistant = Assistant(settings.model_copy(update={"llm_provider": "none"}), store=corpus.store)
    retriever, store = assistant.retriever, corpus.store
    assistant.search("uppvärmning", 5)  # load the embedding model before timing
    n = max(settings.candidates, settings.top_k)
    spans: dict[str, list[float]] = {
        k: [] for k in ("hybrid", "lexical", "dense", "first_token", "embed_query")
    }

    async def first_token(question: str) -> None:
        async for _ in assistant.answer(question):
            break

    for _ in range(rounds):
        for q in questions:
            query = retriever.analyze(q.q)
            terms = query.search_terms or query.terms
            started = time.perf_counter()
            store.lexical.search_words(terms, n)
            store.lexical.search_trigrams(terms, n)
            lap = time.perf_counter()
            store.search_dense(query.search_text, n)
            spans["lexical"].append((lap - started) * 1000)
            spans["dense"].append(lap_ms(lap))
            started = time.perf_counter()
            store.embedder.embed_query(query.search_text)
            spans["embed_query"].append(lap_ms(started))
            started = time.perf_counter()
            assistant.search(q.q, 10)
            spans["hybrid"].append(lap_ms(started))
            started = time.perf_counter()
            asyncio.run(first_token(q.q))
            spans["first_token"].append(lap_ms(started))

    async def retrieved(question: str) -> list[Any]:
        async for event in assistant.answer(question, k=TOP):
            if isinstance(event, Done):
                return list(event.retrieved[:TOP])
        return []

    hits = []
    for q in questions:
        if q.answerable and q.evidence:
            passages = asyncio.run(retrieved(q.q))
            texts = [p.text for p in passages]
            hits.append(real_hit(texts, [corpus.is_real(p.chunk.source) for p in passages], q.evidence))
    return {k: percentiles(v) for k, v in spans.items()}, recall(hits), assistant


def measure_numpy(corpus: Corpus, questions: list[EvalQuestion], rounds: int) -> dict[str, float] | None:
    """Exact search as one matrix product over the same vectors, embedding the query included."""
    matrix = corpus.vectors
    if not matrix.size:
        return None
    embedder = corpus.store.embedder
    spans = []
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            scores = matrix @ np.asarray(embedder.embed_query(q.q), dtype=np.float32)
            best = np.argpartition(-scores, min(TOP, len(scores) - 1))[:TOP]
            best[np.argsort(-scores[best])]
            spans.append((time.perf_counter() - started) * 1000)
    return percentiles(spans)


def _bench_import(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingBenchPackage(f"{module} is missing: {BENCH_EXTRA}") from exc


def measure_bm25(
    chunks: list[Chunk], corpus: Corpus, questions: list[EvalQuestion], rounds: int
) -> tuple[dict[str, float] | None, float | None, float | None]:
    """LangChain's ``BM25Retriever`` (rank_bm25) over the same texts: latency, recall@5, build time."""
    if len(chunks) > BM25_LIMIT:
        return None, None, None
    retrievers = _bench_import("langchain_community.retrievers")
    _bench_import("rank_bm25")
    documents = _bench_import("langchain_core.documents")
    started = time.perf_counter()
    retriever = retrievers.BM25Retriever.from_documents(
        [
            documents.Document(page_content=c.text, metadata={"real": corpus.is_real(c.source)})
            for c in chunks
        ],
        k=TOP,
    )
    build_s = round(time.perf_counter() - started, 1)
    spans = [timed(partial(retriever.invoke, q.q)) for _ in range(rounds) for q in questions]
    hits = []
    for q in questions:
        if q.answerable and q.evidence:
            found = retriever.invoke(q.q)
            hits.append(
                real_hit([d.page_content for d in found], [d.metadata["real"] for d in found], q.evidence)
            )
    return percentiles(spans), recall(hits), build_s


class _LangChainEmbeddings:
    """Our embedder behind LangChain's ``Embeddings`` interface: the tutorial uses the same model."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def measure_tutorial(
    chunks: list[Chunk], corpus: Corpus, questions: list[EvalQuestion], rounds: int, work: Path
) -> dict[str, Any]:
    """The tutorial setup over the real texts only: each real document's text split by
    ``RecursiveCharacterTextSplitter`` (1000/200), embedded by the same model into Chroma."""
    splitters = _bench_import("langchain_text_splitters")
    lc_chroma = _bench_import("langchain_chroma")
    documents = _bench_import("langchain_core.documents")
    texts: dict[str, list[str]] = {}
    for c in chunks:
        if corpus.is_real(c.source):
            texts.setdefault(c.doc_id, []).append(c.text)
    splitter = splitters.RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    pieces = splitter.split_documents(
        [documents.Document(page_content="\n\n".join(t)) for t in texts.values()]
    )
    started = time.perf_counter()
    store = lc_chroma.Chroma(
        collection_name="tutorial",
        embedding_function=_LangChainEmbeddings(corpus.store.embedder),
        persist_directory=str(work / "tutorial"),
    )
    store.add_documents(pieces)
    build_s = round(time.perf_counter() - started, 1)
    spans = [timed(partial(store.similarity_search, q.q, k=TOP)) for _ in range(rounds) for q in questions]
    hits = [
        real_hit([d.page_content for d in store.similarity_search(q.q, k=TOP)], [True] * TOP, q.evidence)
        for q in questions
        if q.answerable and q.evidence
    ]
    return {
        "chunks": len(pieces),
        "build_s": build_s,
        "latency_ms": percentiles(spans),
        "recall_at_5": recall(hits),
    }


def run(
    settings: Settings,
    questions_path: Path,
    *,
    rounds: int = 3,
    scale: int | None = None,
    corpus_paths: list[Path] | None = None,
    from_index: Path | None = None,
    baselines: bool = True,
    http_first_token: Callable[[Assistant, list[str]], list[float]] | None = None,
    work: Path | None = None,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    """The benchmark report (one JSON-ready object); ``scale`` builds a corpus of that many chunks."""
    questions = [q for q in load_questions(questions_path) if not q.injection]
    own_work = work is None
    work = work or Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    try:
        if scale is not None:
            paths = corpus_paths or [shared_path("corpus-real"), shared_path("seeds")]
            if (work / BUILT).is_file():
                corpus = reuse_scale(settings, work, scale, embedder)
            else:
                corpus = build_scale(settings, scale, work, paths, from_index, embedder)
            settings = corpus.store.settings
        else:
            corpus = current_corpus(
                ChunkStore(settings.model_copy(update={"llm_provider": "none"}), embedder=embedder)
            )
        latency, ours, assistant = measure_ours(corpus, settings, questions, rounds)
        report: dict[str, Any] = {
            "chunks": corpus.store.counts()[1],
            "documents": corpus.store.counts()[0],
            "queries": len(questions) * rounds,
            "latency_ms": latency,
            "recall_at_5": {"ours": ours, "bm25retriever": None, "langchain_tutorial": None},
            "build_s": corpus.figures.get("build_s"),
            "index_bytes": folder_bytes(settings.data_dir),
            "peak_rss_mb": peak_rss_mb(),  # ours, before any baseline is loaded
            **{k: v for k, v in corpus.figures.items() if k != "build_s"},
        }
        if http_first_token is not None:
            report["latency_ms"]["first_token_http"] = percentiles(
                http_first_token(assistant, [q.q for q in questions] * rounds)
            )
        report["latency_ms"]["numpy_exact"] = measure_numpy(corpus, questions, rounds)
        report["latency_ms"]["bm25retriever"] = None
        if baselines:
            chunks = all_chunks(corpus.store)
            bm25_latency, bm25_recall, bm25_build = measure_bm25(chunks, corpus, questions, rounds)
            report["latency_ms"]["bm25retriever"] = bm25_latency
            report["recall_at_5"]["bm25retriever"] = bm25_recall
            report["bm25retriever_build_s"] = bm25_build
            tutorial = measure_tutorial(chunks, corpus, questions, rounds, work)
            report["latency_ms"]["langchain_tutorial"] = tutorial["latency_ms"]
            report["recall_at_5"]["langchain_tutorial"] = tutorial["recall_at_5"]
            report["langchain_tutorial"] = {"chunks": tutorial["chunks"], "build_s": tutorial["build_s"]}
        return report
    finally:
        if own_work:
            shutil.rmtree(work, ignore_errors=True)
