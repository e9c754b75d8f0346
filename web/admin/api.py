"""``/api/documents``: upload, follow, list, inspect, edit, disable, delete and download documents.

Every route needs an advisor's (or admin's) API token, or an advisor's session (the pages' polling). Handlers are plain ``def``: FastAPI runs them
in its thread pool, and indexing itself runs in the ingest worker, never on the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Response, UploadFile, status
from fastapi.responses import FileResponse

from records.accounts import User
from web.admin.auth import advisor_user
from web.admin.deps import DocumentsDep, WorkerDep
from web.admin.errors import AdminError
from web.admin.schemas import (
    AcceptedOut,
    ChunkList,
    ChunkOut,
    DocumentList,
    DocumentOut,
    DocumentPatch,
    UploadResponse,
)
from web.deps import SettingsDep

router = APIRouter(prefix="/api/documents", tags=["documents"])
AdvisorDep = Annotated[User, Depends(advisor_user)]

# What a download's type is taken from; anything else is a plain byte stream.
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html",
    ".htm": "text/html",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Upload documents; they are indexed in the background",
)
def upload(
    files: Annotated[list[UploadFile], File(description="one or more files")],
    user: AdvisorDep,
    documents: DocumentsDep,
    worker: WorkerDep,
    settings: SettingsDep,
) -> UploadResponse:
    if not files:
        raise AdminError("no_files")
    limit = settings.max_upload_files
    if len(files) > limit:
        raise AdminError("too_many_files", limit=limit)
    accepted = []
    for file in files:
        entry = documents.accept(file.filename or "", file.file, user.name)
        if entry.status == "queued":
            worker.submit(entry.id)
        accepted.append(AcceptedOut(**entry.__dict__))
    return UploadResponse(files=accepted)


@router.post(
    "/reindex", status_code=status.HTTP_202_ACCEPTED, summary="Index every document again from its file"
)
def reindex_all(user: AdvisorDep, documents: DocumentsDep, worker: WorkerDep) -> UploadResponse:
    accepted = documents.reindex_all(user.name)
    for entry in accepted:
        worker.submit(entry.id)
    return UploadResponse(files=[AcceptedOut(**entry.__dict__) for entry in accepted])


@router.post(
    "/{doc_id}/reindex",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Index a document again from its file; follow it like an upload",
)
def reindex(doc_id: str, user: AdvisorDep, documents: DocumentsDep, worker: WorkerDep) -> AcceptedOut:
    entry = documents.reindex(doc_id, user.name)
    worker.submit(entry.id)
    return AcceptedOut(**entry.__dict__)


@router.get("", summary="Every document: uploaded, from corpus/ and from the CLI's ingest")
def list_documents(_: AdvisorDep, documents: DocumentsDep) -> DocumentList:
    return DocumentList(documents=[DocumentOut(**d) for d in documents.all()])


@router.get("/{doc_id}", summary="A document, or an upload's status by the id the upload returned")
def get_document(doc_id: str, _: AdvisorDep, documents: DocumentsDep) -> DocumentOut:
    return DocumentOut(**documents.get(doc_id))


@router.get("/{doc_id}/chunks", summary="A document's chunks as the assistant sees them")
def chunks(doc_id: str, _: AdvisorDep, documents: DocumentsDep) -> ChunkList:
    return ChunkList(chunks=[ChunkOut(**c) for c in documents.chunks(doc_id)])


@router.patch("/{doc_id}", summary="Edit the title and tags; enable or disable")
def edit(doc_id: str, body: DocumentPatch, user: AdvisorDep, documents: DocumentsDep) -> DocumentOut:
    updated = documents.update(
        doc_id, user.name, title=body.title, tags=body.tags, enabled=body.enabled, comment=body.comment
    )
    return DocumentOut(**updated)


@router.delete(
    "/{doc_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove from both indexes and from disk"
)
def delete(doc_id: str, user: AdvisorDep, documents: DocumentsDep) -> Response:
    documents.delete(doc_id, user.name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{doc_id}/original",
    summary="Download the original file (never shown in the browser)",
    response_class=FileResponse,
    responses={
        200: {"content": {t: {} for t in sorted({*MEDIA_TYPES.values(), "application/octet-stream"})}}
    },
)
def original(doc_id: str, _: AdvisorDep, documents: DocumentsDep) -> FileResponse:
    path, name = documents.original(doc_id)
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        filename=name,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            # Even opened directly, an uploaded HTML file runs nothing here.
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
