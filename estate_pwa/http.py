"""Plain HTTP routes on the app's own server: signed media links and downloads (see services/files.py)."""

from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from estate_pwa.core.db import session_scope
from estate_pwa.services import files
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


api = Starlette(routes=[
    Route(files.MEDIA_PREFIX + "{token}", media),
    Route(files.DOWNLOAD_PREFIX + "{token}", download),
])
