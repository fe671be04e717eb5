"""Plain HTTP routes on the app's own server: signed media links and downloads (see services/files.py)."""

from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from estate_pwa import http_reports
from estate_pwa.core.db import session_scope
from estate_pwa.services import files, outbox
from estate_pwa.services.errors import DomainError

NOT_FOUND = PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})


async def media(request: Request) -> Response:
    """A stored image named by a signed link; cached by the browser until the link expires (files never change)."""
    try:
        path, media_type, seconds_left = files.media_file(request.path_params["token"])
    except DomainError:
        return NOT_FOUND
    return FileResponse(path, media_type=media_type, headers={
        "Cache-Control": f"private, max-age={seconds_left}, immutable", "X-Content-Type-Options": "nosniff"})


def _build(token: str) -> files.Download:
    with session_scope() as session:
        return files.build_download(session, token)


async def download(request: Request) -> Response:
    """A generated file named by a signed download link, built for the person the link was made for."""
    try:
        file = await run_in_threadpool(_build, request.path_params["token"])
    except DomainError:
        return NOT_FOUND
    disposition = "inline" if file.inline else "attachment"
    return Response(file.content, media_type=file.media_type, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(file.filename)}",
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


OUTBOX_PHOTO = "/outbox/photo"


def _store_outbox_photo(ticket: str | None, folder: str | None, data: bytes) -> str:
    with session_scope() as session:
        return outbox.store_photo(session, ticket, folder, data)


async def outbox_photo(request: Request) -> Response:
    """A photo queued on a phone's outbox, uploaded before the action naming it is sent (bytes never go over the
    websocket). The ticket comes with the phone's last sync answer; an upload over the limit is refused unread."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > outbox.PHOTO_BYTES_MAX:
        return JSONResponse({"error": "error.photo_too_large"}, status_code=413)
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > outbox.PHOTO_BYTES_MAX:
            return JSONResponse({"error": "error.photo_too_large"}, status_code=413)
    try:
        name = await run_in_threadpool(_store_outbox_photo, request.headers.get("x-outbox-ticket"),
                                       request.query_params.get("folder"), data)
    except DomainError as error:
        return JSONResponse({"error": error.key}, status_code=404 if error.key == "error.not_found" else 400)
    return JSONResponse({"name": name}, headers={"Cache-Control": "no-store"})


api = Starlette(routes=[
    *http_reports.ROUTES,
    Route(OUTBOX_PHOTO, outbox_photo, methods=["POST"]),
    Route(files.MEDIA_PREFIX + "{token}", media),
    Route(files.DOWNLOAD_PREFIX + "{token}", download),
])
