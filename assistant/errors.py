"""Domain errors. Front-ends map them to user-facing messages by their ``key``."""

from __future__ import annotations


class AdvisorError(Exception):
    """Base class; ``key`` names the user-facing message in assistant.messages."""

    key = "internal"

    def __init__(self, detail: str = "", **params: object) -> None:
        super().__init__(detail or self.key)
        self.detail = detail
        self.params = params


class ConfigurationError(AdvisorError):
    key = "configuration"


class EmbeddingMismatchError(AdvisorError):
    key = "embedding_mismatch"


class StoreUnavailableError(AdvisorError):
    key = "store_unavailable"


class LLMUnavailableError(AdvisorError):
    key = "llm_unavailable"


class UnsupportedFileError(AdvisorError):
    key = "unsupported_file"


class DocumentLoadError(AdvisorError):
    key = "document_load"


class InvalidInputError(AdvisorError):
    key = "invalid_input"


class EmptyQuestionError(AdvisorError):
    key = "empty_question"


class QuestionTooLongError(AdvisorError):
    key = "question_too_long"


class EmptyIndexError(AdvisorError):
    key = "empty_index"


class WorkersNeedServerError(AdvisorError):
    """Several server processes on the embedded Chroma, which is not process-safe."""

    key = "workers_need_chroma_server"
