"""Web chat: a page to try the assistant in a browser, through the same gateway as the real channels (api/gateways/webchat.py)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.core.config import PROJECT_ROOT
from api.core.inputs import ID_MAX, StrictInput, StrictText
from api.core.languages import RTL_LANGUAGES, SUPPORTED_LANGUAGES, negotiate_language
from api.db import get_session, session_on_the_loop
from api.gateways.conversation import conversation_id_for
from api.gateways.webchat import CHANNEL, exchange, updates_since
from api.nlg.render import render_response

router = APIRouter(tags=["web chat"])
templates = Jinja2Templates(directory=str(PROJECT_ROOT / "api" / "templates"))

PAGE_TEXTS = ("webchat.title", "webchat.intro", "webchat.placeholder", "webchat.send",
              "webchat.operator", "webchat.error")


class ChatMessageIn(StrictInput):
    """A message typed (or a button pressed) in the web chat."""

    token: StrictText = Field(min_length=16, max_length=128, description="random id the browser keeps")
    text: StrictText = Field(min_length=1, max_length=4000)
    client_message_id: str | None = Field(
        default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
        description="random id of this message; a retry with the same id gets the first answer, not a second turn")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class ChatReplyOut(BaseModel):
    """One message from the assistant or an operator."""

    id: int | None = None
    text: str
    buttons: list[dict[str, str]] = []
    image: str | None = None
    # The editors' recording of the text, as a path on this server (the page's own origin).
    audio: str | None = None


def chat_reply(data: dict[str, Any]) -> ChatReplyOut:
    """A reply for the page; its recording's URL made relative, so the chat's own origin serves it."""
    audio = data.get("audio")
    return ChatReplyOut(**{**data, "audio": urlsplit(audio).path if audio else None})


class ChatExchangeOut(BaseModel):
    """The assistant's replies to one message."""

    conversation_id: str
    replies: list[ChatReplyOut]


@router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
def chat_page(request: Request, lang: str | None = Query(default=None)) -> HTMLResponse:
    """The chat page, its own texts in the visitor's language."""
    language = lang if lang in SUPPORTED_LANGUAGES else negotiate_language(
        request.headers.get("accept-language", ""))
    texts = {key.split(".", 1)[1]: render_response(key, language, {}).text for key in PAGE_TEXTS}
    return templates.TemplateResponse(request, "chat.html", {
        "language": language, "direction": "rtl" if language in RTL_LANGUAGES else "ltr", "texts": texts})


@router.post("/chat/api/messages", response_model=ChatExchangeOut)
async def post_chat_message(body: ChatMessageIn, session: Session = Depends(session_on_the_loop)) -> ChatExchangeOut:
    """Send the person's message through the gateway and return the replies (a retried message id: the first's)."""
    replies = await exchange(session, body.token, body.text, body.client_message_id, body.latitude, body.longitude)
    return ChatExchangeOut(conversation_id=conversation_id_for(CHANNEL, body.token),
                           replies=[chat_reply(r) for r in replies])


@router.get("/chat/api/updates", response_model=list[ChatReplyOut])
def get_chat_updates(token: Annotated[str, Header(alias="X-Chat-Token", min_length=16, max_length=128)],
                     after: int = Query(default=0, ge=0, le=ID_MAX),
                     session: Session = Depends(get_session)) -> list[ChatReplyOut]:
    """Messages that reached this conversation outside a request (operator replies, late bot answers).

    The token is the person's only credential, so it travels in a header, never in the URL (URLs end
    up in access logs and browser history).
    """
    return [chat_reply(data) for data in updates_since(session, token, after)]
