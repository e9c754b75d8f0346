"""Request and response bodies of the advisors' API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["queued", "parsing", "embedding", "indexed", "failed", "unchanged"]


class AcceptedOut(BaseModel):
    id: str = Field(description="the upload's id; `GET /api/documents/{id}` follows its status")
    filename: str
    status: Status
    reason: str | None = None
    document_id: str | None = Field(None, description="the document it becomes once indexed")


class UploadResponse(BaseModel):
    files: list[AcceptedOut]


class DocumentOut(BaseModel):
    id: str
    title: str
    source: str
    origin: Literal["upload", "ingest"]
    tags: list[str]
    language: str | None
    format: str | None
    url: str | None
    chunks: int
    size: int | None
    added: str | None
    updated: str | None
    enabled: bool | None = Field(description="null for an upload not (yet) indexed")
    status: Status
    reason: str | None
    uploaded_by: str | None
    upload_id: str | None = None
    document_id: str | None = None
    document: DocumentOut | None = None


class DocumentList(BaseModel):
    documents: list[DocumentOut]


class ChunkOut(BaseModel):
    id: str
    ordinal: int
    location: str
    heading_path: list[str]
    section_ref: str | None
    page: int | None
    text: str
    flagged: str | None


class ChunkList(BaseModel):
    chunks: list[ChunkOut]


class DocumentPatch(BaseModel):
    title: str | None = Field(None, min_length=1, max_length=300)
    tags: list[str] | None = Field(None, max_length=50)
    enabled: bool | None = None
    comment: str | None = Field(None, max_length=1000, description="kept in the audit log")
