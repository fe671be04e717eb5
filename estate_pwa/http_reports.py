"""The public problem-report pages on the app's own HTTP server (mounted by estate_pwa/http.py): no account, no
app, plain HTML (services/reports/page.py).

* GET  /report/<code>         the form of the place a posted code names (sets the device cookie)
* POST /report/<code>         a report: limits, body size, form token, photo checks, then intake; 303 to follow
* GET  /report/status/<token> the reporter's follow page

A POST is checked in this order, each refusal a clear page in the reporter's language with a fitting status:
a forged code (404), the address and device limits (429, Retry-After), a revoked code (410), the place's limit
(429), the declared and the streamed body size (413), the form token bound to the code and device (403), the
photo's size and magic bytes before any decoding (413/415), the fields (400). Refusals that got past the sender
limits are written to the audit log; a limit's first refusal in its window too.
"""

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from estate_pwa.core.db import session_scope
from estate_pwa.core.media import BadImage
from estate_pwa.services import photos
from estate_pwa.services.errors import DomainError, InvalidInput
from estate_pwa.services.reports import codes, intake, page, public, uploads, views

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                                       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"}
STATUS_OF = {"error.code_invalid": 404, "error.code_revoked": 410, "error.report_limited": 429,
             "error.photo_too_large": 413, "error.photo_not_image": 415, "error.report_expired": 403}


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def _html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={**NO_STORE, **(headers or {})})


def _open(token: str, device: str) -> tuple[str, str]:
    with session_scope() as session:
        place = codes.resolve(session, token)
        return intake.place_name(session, place.kind, place.id), public.form_token(place, device)


async def report_form(request: Request) -> Response:
    """The form of the place a posted code names; a device cookie is issued on the first visit."""
    token, lang = request.path_params["token"], _lang(request)
    cookie = request.cookies.get(public.DEVICE_COOKIE, "")
    device = public.device_of(cookie)
    fresh = "" if device else public.device_cookie()
    try:
        name, form = await run_in_threadpool(_open, token, device or public.device_of(fresh))
    except DomainError as error:
        return _html(page.message_page(lang, request.url.path, error.key), STATUS_OF.get(error.key, 400))
    response = _html(page.form_page(lang, _action(request), name, form))
    if fresh:
        response.set_cookie(public.DEVICE_COOKIE, fresh, max_age=public.DEVICE_LIFETIME, path="/report",
                            httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


def _action(request: Request) -> str:
    return request.url.path + ("?lang=en" if _lang(request) == "en" else "")


class _Refused(Exception):
    """A refusal with the page to show: the key, and whether to show the form again (with the values sent)."""

    def __init__(self, key: str, form: bool = False, retry_after: int = 0) -> None:
        super().__init__(key)
        self.key, self.form, self.retry_after = key, form, retry_after


def _gate(token: str, address: str, device: str) -> tuple[codes.Place, str, str]:
    """Everything decided before the body is read: the code, the limits. Returns the place, its name, a new
    form token (for showing the form again)."""
    with session_scope() as session:
        row = public.code_row(session, token)
        if row is None:
            raise _Refused("error.code_invalid")
        verdict = public.sender_limits(session, address, device)
        if verdict.refused_by:
            if verdict.first_refusal:
                public.refused(session, row.estate_id, row.id, "limit", address, device, limit=verdict.refused_by)
            session.commit()
            raise _Refused("error.report_limited", retry_after=verdict.retry_after)
        session.commit()
        try:
            place = codes.resolve(session, token)
        except DomainError as error:
            public.refused(session, row.estate_id, row.id, error.key, address, device)
            session.commit()
            raise _Refused(error.key) from None
        verdict = public.place_limit(session, place)
        if verdict.refused_by:
            if verdict.first_refusal:
                public.refused(session, row.estate_id, row.id, "limit", address, device, limit=verdict.refused_by)
            session.commit()
            raise _Refused("error.report_limited", retry_after=verdict.retry_after)
        return place, intake.place_name(session, place.kind, place.id), public.form_token(place, device)


def _record_refusal(place: codes.Place, key: str, address: str, device: str) -> None:
    with session_scope() as session:
        public.refused(session, place.estate_id, place.code_id, key, address, device)


def _store_and_submit(token: str, fields: dict[str, str], photo: bytes | None, device: str) -> str:
    name = None
    if photo:
        try:
            name = photos.store(photo, intake.PHOTO_FOLDER)
        except BadImage:
            raise InvalidInput("error.photo_not_image") from None
    with session_scope() as session:
        report = intake.submit(session, token, fields.get("category"), fields.get("description", ""),
                               fields.get("contact", ""), name, device)
        return intake.follow_url(report)


async def _read_form(request: Request) -> tuple[dict[str, str], bytes | None, str]:
    """The posted fields, the photo's bytes (None: no photo) and the form token; size refused while streaming."""
    uploads.check_length(request.headers.get("content-length"))
    request._body = await uploads.read_body(request.stream())  # the form parser reads this, never the socket
    form = await request.form(max_files=1, max_fields=8, max_part_size=64 * 1024)
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str) and k in ("category", "description", "contact")}
        upload = form.get("photo")
        photo = None
        if isinstance(upload, UploadFile) and upload.size:  # an empty part: no photo chosen
            photo = uploads.check_photo(await upload.read(uploads.PHOTO_MAX + 1))
        form_token = form.get("form")
        return fields, photo, form_token if isinstance(form_token, str) else ""
    finally:
        await form.close()


async def report_send(request: Request) -> Response:
    """A report sent from the form (checks in the module doc)."""
    token, lang = request.path_params["token"], _lang(request)
    address = public.client_address(request.client.host if request.client else None,
                                    request.headers.get("x-forwarded-for"))
    device = public.device_of(request.cookies.get(public.DEVICE_COOKIE, ""))
    if not device:
        return _html(page.message_page(lang, request.url.path, "error.report_expired"), 403)
    try:
        place, name, fresh_form = await run_in_threadpool(_gate, token, address, device)
    except _Refused as refusal:
        headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else None
        return _html(page.message_page(lang, request.url.path, refusal.key), STATUS_OF.get(refusal.key, 400),
                     headers)
    fields: dict[str, str] = {}
    try:
        try:
            fields, photo, form_token = await _read_form(request)
        except (MultiPartException, ValueError, KeyError):
            raise InvalidInput("error.bad_request") from None
        if not public.form_ok(form_token, place, device):
            raise InvalidInput("error.report_expired")
        follow = await run_in_threadpool(_store_and_submit, token, fields, photo, device)
    except ClientDisconnect:
        return Response(status_code=400)
    except DomainError as error:
        await run_in_threadpool(_record_refusal, place, error.key, address, device)
        status = STATUS_OF.get(error.key, 400)
        if error.key == "error.report_expired":
            return _html(page.message_page(lang, request.url.path, error.key), status)
        return _html(page.form_page(lang, _action(request), name, fresh_form, error.key, fields, **error.params),
                     status)
    return RedirectResponse(f"{follow}?sent=1" + ("&lang=en" if lang == "en" else ""), status_code=303,
                            headers=NO_STORE)


def _follow(token: str) -> views.FollowView:
    with session_scope() as session:
        return views.follow_view(session, intake.report_of_follow(session, token))


async def report_status(request: Request) -> Response:
    """The reporter's follow page (no account; the link is the only key)."""
    lang = _lang(request)
    try:
        view = await run_in_threadpool(_follow, request.path_params["token"])
    except DomainError as error:
        return _html(page.message_page(lang, request.url.path, error.key), 404)
    return _html(page.follow_page(lang, request.url.path, view, request.query_params.get("sent") == "1"))


ROUTES = [
    Route(intake.STATUS_PREFIX + "{token}", report_status, methods=["GET"]),
    Route(codes.REPORT_PREFIX + "{token}", report_form, methods=["GET"]),
    Route(codes.REPORT_PREFIX + "{token}", report_send, methods=["POST"]),
]
"""The status route first: `/report/status/<t>` is not a code."""
