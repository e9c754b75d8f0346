"""``GET /api/conversations/{id}``: a stored thread, so a reloaded page can show it again."""

from __future__ import annotations

from fastapi import APIRouter

from web.deps import ConversationsDep
from web.errors import UserError, error_responses
from web.schemas import ConversationOut

router = APIRouter(prefix="/api", tags=["conversations"])


@router.get(
    "/conversations/{conversation_id}",
    summary="A conversation with its messages",
    responses=error_responses(400, 404, 422, 500, 503),
)
def get_conversation(conversation_id: str, conversations: ConversationsDep) -> ConversationOut:
    thread = conversations.conversation(conversation_id)
    if thread is None:
        raise UserError("conversation_not_found")
    return ConversationOut.model_validate(thread)
