"""One typed settings object, read from the environment (prefix ``ADVISOR_``) and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.types import Language

EmbeddingProvider = Literal["default", "openai", "sentence-transformers"]
LLMProvider = Literal["auto", "none", "openai"]


def is_postgres(url: str | None) -> bool:
    """Whether a database URL names PostgreSQL (any of the spellings ``psql_url`` accepts)."""
    return bool(url) and str(url).startswith(("postgres://", "postgresql"))


def psql_url(url: str) -> str:
    """``postgres://`` and bare ``postgresql://`` mean psycopg 3, the driver this project ships."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADVISOR_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")

    # Vector store: embedded PersistentClient under data_dir unless a `chroma run` server URL is given.
    chroma_url: str | None = None
    chroma_collection: str = "chunks"

    # Embeddings. "default" is the offline all-MiniLM-L6-v2 packaged on PyPI.
    embedding_provider: EmbeddingProvider = "default"
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_path: Path | None = None
    embedding_base_url: str | None = None
    embedding_batch_size: int = Field(default=64, ge=1, le=2048)

    # Language model: any OpenAI-compatible endpoint. "auto" uses one when a key or base URL is set.
    llm_provider: LLMProvider = "auto"
    llm_model: str = "gpt-4o-mini"
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_tokens: int = Field(default=900, ge=64)
    # Attempts after a failed one (connection, 429, 5xx, timeout, a stream cut before its first word),
    # with backoff; then the answer falls back to cited excerpts with a note saying so.
    llm_retries: int = Field(default=2, ge=0, le=5)
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "ADVISOR_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "ADVISOR_OPENAI_BASE_URL")
    )

    # Retrieval.
    top_k: int = Field(default=6, ge=1, le=50)
    candidates: int = Field(default=80, ge=5, le=400)
    weight_trigram: float = Field(default=1.0, ge=0)
    weight_words: float = Field(default=1.0, ge=0)
    weight_dense: float = Field(default=0.4, ge=0)
    weight_coverage: float = Field(default=0.3, ge=0)
    # Second hops: paragraphs that the question's concepts (corpus/concepts.yaml) name, and paragraphs
    # that the best guidance passages cite ("LOU 17 kap. 10 §").
    weight_concept: float = Field(default=1.0, ge=0)
    weight_cited: float = Field(default=0.5, ge=0)
    concepts_path: Path | None = None
    # The evidence gate. Over the read sets every unanswerable question scores ≤ 0.22 (most are capped
    # at 0.20 by a name or year no passage has) and answerable ones reach down to 0.25: see BENCHMARKS.md.
    min_coverage: float = Field(default=0.25, ge=0, le=1)
    glossary_path: Path | None = None

    # Conversations, feedback and the question log.
    database_url: str | None = None

    # Web.
    default_language: Language = "sv"
    max_question_chars: int = Field(default=2000, ge=50)
    # Where users reach the web chat (links from Slack to a conversation); none = no such links.
    public_url: str | None = None

    # Slack (web/slack). The route exists only when the bot token and the signing secret are set;
    # the app token turns on Socket Mode instead of HTTP.
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "ADVISOR_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "ADVISOR_SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "ADVISOR_SLACK_APP_TOKEN")
    )
    slack_api_url: str = "https://slack.com/api/"
    slack_escalation_channel: str | None = None
    # Answer untagged replies in a thread the bot already answers in.
    slack_thread_replies: bool = True

    # Hardening (limits, rate limits, retention, masking): settings go here.
    # Largest request body the web app reads, in bytes; a larger one is refused (413) before it is read.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Host headers the web app answers (DNS rebinding against a local deployment); "*.example.se"
    # matches subdomains, "*" anything. The host of ADVISOR_PUBLIC_URL is always allowed.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "::1", "testserver"]
    )
    # Questions and searches per client and minute, each route on its own (0 = no limit).
    rate_limit_per_minute: int = Field(default=30, ge=0)
    # Answers (and searches) computed at once; more wait up to answer_queue_timeout_s, then get 503.
    max_concurrent_answers: int = Field(default=8, ge=1)
    answer_queue_timeout_s: float = Field(default=10.0, ge=0)
    # Conversations and question-log entries older than this many days are deleted on start and by
    # `advisor records prune` (0 = kept for ever).
    retention_days: int = Field(default=365, ge=0)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        return [h.strip() for h in value.split(",") if h.strip()] if isinstance(value, str) else value

    # Ingest: what a file may be (bigger, longer or more is refused with a reason), and parsing in a
    # child process ("process") with a time and an address-space limit, or in this one ("none").
    ingest_max_file_mb: int = Field(default=20, ge=1)
    ingest_max_unpacked_mb: int = Field(default=200, ge=1)
    ingest_max_pdf_pages: int = Field(default=2000, ge=1)
    ingest_max_files: int = Field(default=10_000, ge=1)
    ingest_isolation: Literal["process", "none"] = "process"
    ingest_parse_timeout_s: float = Field(default=120.0, gt=0)
    ingest_parse_memory_mb: int = Field(default=2048, ge=256)
    # How long `advisor ingest` waits for another writer (ingest, an upload) to finish.
    ingest_lock_timeout_s: float = Field(default=600.0, ge=0)
    # Files in one upload (the advisors' area), each held to the limits above.
    max_upload_files: int = Field(default=20, ge=1)

    # Operations: Prometheus metrics at /metrics (off by default; with a token, scrapes must send it).
    metrics_enabled: bool = False
    metrics_token: SecretStr | None = None

    # Advisors' area (accounts, sessions, uploads): settings go here.
    # How long a sign-in lasts; log-in failures allowed per name and per address in the window.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # Largest file an advisor may upload (MB); a larger one is refused while it is received. Unset, it
    # is ingest's own limit (ingest_max_file_mb); it is never above it, since ingest would refuse it.
    upload_max_mb: int | None = Field(default=None, ge=1)
    # Where uploaded originals are kept (default: <data dir>/uploads). With several machines, a folder
    # on storage every machine mounts at this path, so any of them can re-index or hand out an original.
    uploads_dir: Path | None = None
    # The chat is public by default; on, it takes any signed-in account (procurers too) or API token.
    chat_requires_sign_in: bool = False

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index.sqlite3"

    @property
    def uploads_path(self) -> Path:
        return self.uploads_dir or self.data_dir / "uploads"

    @property
    def shared_index(self) -> bool:
        """Several machines: with a Chroma server and PostgreSQL configured, the lexical index (chunk
        text, the document journal, full-text search) lives in PostgreSQL too, so every server
        process on any machine reads and writes one index."""
        return bool(self.chroma_url) and is_postgres(self.database_url)

    @property
    def sql_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'app.sqlite3').resolve()}"

    @property
    def upload_limit_mb(self) -> int:
        """The largest upload taken: the upload setting, at most ingest's own file limit."""
        return min(self.upload_max_mb or self.ingest_max_file_mb, self.ingest_max_file_mb)

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None and self.slack_signing_secret is not None

    @property
    def llm_enabled(self) -> bool:
        if self.llm_provider == "none":
            return False
        if self.llm_provider == "openai":
            return True
        return bool(self.openai_api_key or self.openai_base_url)


@lru_cache
def get_settings() -> Settings:
    return Settings()
