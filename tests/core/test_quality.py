"""Quality floors: question sets through the evaluation library over a real index (slow).

The floors sit just under the figures measured when they were set, so a change that makes retrieval
or the refusal gate worse fails here before it reaches BENCHMARKS.md. Raise them when quality rises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation import load_questions, run_question, summarize
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.pipeline import sync

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).parents[2].parent / "shared"  # the team's shared folder beside the checkout


@dataclass(frozen=True)
class Floor:
    metric: str
    at_least: float | None = None
    at_most: float | None = None

    def holds(self, summary: dict[str, Any]) -> bool:
        value = summary[self.metric]
        if value is None:
            return False
        low = self.at_least is None or value >= self.at_least
        return low and (self.at_most is None or value <= self.at_most)


def indexed(folders: list[Path], data_dir: Path) -> Iterator[Assistant]:
    """An offline assistant (no LLM) over ``folders``, with the real default embedder."""
    with pytest.MonkeyPatch.context() as env:  # the autouse isolation is per test; this is per module
        env.setenv("HF_HUB_OFFLINE", "1")
        env.setenv("ANONYMIZED_TELEMETRY", "False")
        assistant = Assistant(Settings(data_dir=data_dir, llm_provider="none", chroma_url=None))
        for folder in folders:
            report = sync([folder], assistant.store)
            # A page with a heading and nothing under it is refused, with its reason; nothing else may fail.
            assert all("no text to index" in reason for _, reason in report.failed), report.failed
        yield assistant


def evaluate(assistant: Assistant, questions: Path) -> dict[str, Any]:
    items = load_questions(questions)

    async def run() -> list[dict[str, Any]]:
        return [await run_question(assistant, q, 10) for q in items]

    return summarize(items, asyncio.run(run()))


# --- our corpus ----------------------------------------------------------------------------------------

# Measured at the floors' setting: recall@5 0.95, doc_recall@3 1.0, MRR@10 0.85, none refused.
CORPUS_FLOORS = [
    Floor("recall@5", at_least=0.90),
    Floor("doc_recall@3", at_least=0.95),
    Floor("mrr@10", at_least=0.80),
    Floor("answerable_refused", at_most=0),
    Floor("errors", at_most=0),
]


@pytest.fixture(scope="module")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    yield from indexed([REPO / "corpus"], tmp_path_factory.mktemp("corpus-index"))


@pytest.fixture(scope="module")
def corpus_summary(corpus_assistant: Assistant) -> dict[str, Any]:
    return evaluate(corpus_assistant, REPO / "tests" / "data" / "corpus_questions.jsonl")


@pytest.mark.parametrize("floor", CORPUS_FLOORS, ids=lambda f: f.metric)
def test_corpus_questions_stay_above_the_floor(corpus_summary: dict[str, Any], floor: Floor) -> None:
    assert floor.holds(corpus_summary), corpus_summary


# --- the real documents and the dev questions ----------------------------------------------------------

# Measured at the floors' setting: recall@5 1.00 before the concept hops and 0.933 with them (d03 fell
# from rank 5 to 8), MRR@10 0.86, unanswerable 2/2 and injection 1/1 refused, none answerable refused.
# Key facts carried 1.00 (15/15) since the offline answer leads with the sentence that answers; 0.87
# before.
REAL_FLOORS = [
    Floor("recall@5", at_least=0.93),
    Floor("facts_carried", at_least=0.93),
    Floor("mrr@10", at_least=0.80),
    Floor("refusal_rate_unanswerable", at_least=1.0),
    Floor("refusal_rate_injection", at_least=1.0),
    Floor("answerable_refused", at_most=0),
    Floor("errors", at_most=0),
]


@pytest.fixture(scope="module")
def real_summary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folders = [SHARED / "corpus-real", SHARED / "seeds"]
    questions = SHARED / "dev-questions.jsonl"
    if not all(p.exists() for p in [*folders, questions]):
        pytest.skip(f"the shared documents and dev questions are not at {SHARED}")
    # Indexing about 300 documents takes minutes: once for the module.
    for assistant in indexed(folders, tmp_path_factory.mktemp("real-index")):
        yield evaluate(assistant, questions)


@pytest.mark.parametrize("floor", REAL_FLOORS, ids=lambda f: f.metric)
def test_dev_questions_over_the_real_documents_stay_above_the_floor(
    real_summary: dict[str, Any], floor: Floor
) -> None:
    assert floor.holds(real_summary), real_summary
