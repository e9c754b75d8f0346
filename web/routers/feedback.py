"""``POST /api/feedback``: a thumbs up or down, with an optional comment, on one answer."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from web.deps import ConversationsDep
from web.errors import UserError, error_responses
from web.schemas import FeedbackRequest

router = APIRouter(prefix="/api", tags=["feedback"])


@router.post(
    "/feedback",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Rate an answer",
    responses=error_responses(400, 404, 413, 422, 429, 500, 503),
)
def feedback(body: FeedbackRequest, conversations: ConversationsDep) -> Response:
    comment = (body.comment or "").strip() or None
    if not conversations.exists(body.conversation_id):
        raise UserError("conversation_not_found")
    if not conversations.add_feedback(body.conversation_id, body.message_id, body.rating, comment):
        raise UserError("message_not_found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
