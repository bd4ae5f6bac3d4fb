"""Editors' recorded answers: upload, list, delete (editors and admins), the public clip URL, the console page."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.audio.clips import (
    UnknownMessage,
    check_message,
    clip_by_token,
    clip_path,
    delete_clip,
    list_clips,
    save_clip,
)
from api.audio.encoding import AudioRejected
from api.audio.models import PUBLIC_PATH, AudioClip, public_url
from api.audio.refusals import REFUSALS, UNKNOWN_MESSAGE
from api.auth.deps import require_role
from api.cases.models import Operator
from api.console.i18n import console_translations, pick_console_language
from api.core.codes import Role
from api.core.config import Settings, get_settings
from api.core.errors import ApiError, NotFound
from api.core.languages import SUPPORTED_LANGUAGES
from api.db import get_session
from api.nlg.catalogs import catalog_store
from api.nlg.source import all_msgids
from api.routes.console import _login_redirect, _page_operator, _render

AUDIO_ROLES = (Role.ADMIN, Role.EDITOR)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
LANGUAGE_PATTERN = "^[a-z]{2,3}$"
MSGID_PATTERN = r"^[a-z0-9_.]{1,128}$"
# Multipart framing around the file; a body bigger than the file limit plus this is refused unread.
FORM_OVERHEAD_BYTES = 64 * 1024
AUDIO_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "malformed form"}, 401: {"description": "not logged in"}, 403: {"description": "missing CSRF token or role"},
    404: {"description": "no such message, language or clip"}, 413: {"description": "file too big"},
    415: {"description": "not an accepted audio type"}, 422: {"description": "too long, unreadable or invalid"}}

router = APIRouter(tags=["audio"])
editor = require_role(*AUDIO_ROLES)


class ClipOut(BaseModel):
    """A recorded clip as editors see it."""

    msgid: str
    language: str
    url: str
    content_type: str
    source_type: str
    duration_seconds: float
    size_bytes: int
    uploaded_at: datetime


def clip_out(settings: Settings, clip: AudioClip) -> ClipOut:
    """The API shape of a clip."""
    return ClipOut(msgid=clip.msgid, language=clip.language, url=public_url(settings, clip),
                   content_type=clip.content_type, source_type=clip.source_type,
                   duration_seconds=clip.duration_seconds, size_bytes=clip.size_bytes, uploaded_at=clip.uploaded_at)


def console_text(request: Request, message: str, **values: object) -> str:
    """A console text in the editor's language (fr or en)."""
    language = pick_console_language(request.query_params.get("lang"), request.headers.get("accept-language", ""))
    return console_translations(get_settings().locales_dir, language).gettext(message).format(**values)


@router.get("/api/v1/audio/clips", response_model=list[ClipOut], responses=AUDIO_ERRORS)
def get_clips(_editor: Operator = Depends(editor), session: Session = Depends(get_session),
              settings: Settings = Depends(get_settings)) -> list[ClipOut]:
    """Every recorded clip (message, language, length, URL)."""
    return [clip_out(settings, clip) for clip in list_clips(session)]


@router.put("/api/v1/audio/clips/{language}/{msgid}", response_model=ClipOut, status_code=status.HTTP_201_CREATED,
            responses=AUDIO_ERRORS)
async def put_clip(request: Request, language: str = Path(pattern=LANGUAGE_PATTERN),
                   msgid: str = Path(pattern=MSGID_PATTERN), file: UploadFile = File(),
                   operator: Operator = Depends(editor), session: Session = Depends(get_session),
                   settings: Settings = Depends(get_settings)) -> ClipOut:
    """Upload (or replace) the recording of a message in a language; the next answer carries it."""
    declared = request.headers.get("content-length", "")
    try:
        known_msgids = all_msgids(catalog_store(settings.locales_dir).snapshot().specs)
        check_message(msgid, language, known_msgids)
        if declared.isdigit() and int(declared) > settings.audio_max_bytes + FORM_OVERHEAD_BYTES:
            raise AudioRejected("audio.error_too_big", max_megabytes=round(settings.audio_max_bytes / 1048576, 1))
        data = await file.read(settings.audio_max_bytes + 1)  # one byte more than allowed tells it is too big
        # Decoding and encoding take seconds: in a worker thread, so the event loop keeps serving everyone else.
        clip = await run_in_threadpool(save_clip, session, settings, msgid, language, data, operator.id,
                                        known_msgids)
    except UnknownMessage as error:
        raise NotFound("unknown_message", console_text(request, UNKNOWN_MESSAGE)) from error
    except AudioRejected as error:
        status_code, message = REFUSALS[error.code]
        raise ApiError(error.code.replace(".", "_").replace("audio_error_", "audio_"),
                       console_text(request, message, **error.values), status_code=status_code) from error
    return clip_out(settings, clip)


@router.delete("/api/v1/audio/clips/{language}/{msgid}", status_code=status.HTTP_204_NO_CONTENT,
               responses=AUDIO_ERRORS)
def remove_clip(request: Request, language: str = Path(pattern=LANGUAGE_PATTERN),
                msgid: str = Path(pattern=MSGID_PATTERN), _editor: Operator = Depends(editor),
                session: Session = Depends(get_session), settings: Settings = Depends(get_settings)) -> Response:
    """Delete a recording: the message goes as text alone again."""
    if not delete_clip(session, settings, msgid, language):
        raise NotFound("unknown_clip", console_text(request, UNKNOWN_MESSAGE))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{PUBLIC_PATH}/{{token}}.mp3", include_in_schema=False)
def serve_clip(token: str, session: Session = Depends(get_session),
               settings: Settings = Depends(get_settings)) -> Response:
    """The clip itself, for channels and players: whoever has the unguessable URL, nothing to list."""
    clip = clip_by_token(session, token) if TOKEN.match(token) else None
    path = clip_path(settings, clip) if clip is not None else None
    if path is None or not path.is_file():
        return Response(status_code=404)
    # A new upload gets a new URL, so this one never changes.
    return FileResponse(path, media_type=clip.content_type if clip else "audio/mpeg",
                        headers={"Cache-Control": "public, max-age=86400, immutable"})


@router.get("/console/audio", response_class=HTMLResponse, include_in_schema=False)
def audio_page(request: Request, session: Session = Depends(get_session),
               settings: Settings = Depends(get_settings)) -> Response:
    """The console page to record, upload, listen to and delete clips (editors and admins; script in audio.js)."""
    operator = _page_operator(request, session)
    if operator is None:
        return _login_redirect()
    if operator.role not in AUDIO_ROLES:
        return _render(request, "forbidden.html", {"operator": operator}, status_code=403)
    msgids = sorted(all_msgids(catalog_store(settings.locales_dir).snapshot().specs))
    return _render(request, "audio.html", {
        "operator": operator, "msgids": msgids, "languages": SUPPORTED_LANGUAGES,
        "max_seconds": settings.audio_max_seconds})
