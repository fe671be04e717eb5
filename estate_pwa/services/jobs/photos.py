"""A request's photos: attached when it is reported and when the work is closed (at most MAX_PHOTOS per step),
shown only to those who may follow the request, as signed links (services/photos)."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.models import PhotoStage, RequestPhoto, Role, ServiceRequest
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.jobs.rules import may_follow, in_pool
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.permissions import require as require_login
from estate_pwa.services.validation import photo_names, positive_id

MAX_PHOTOS = 6
FOLDERS = ("requests", "work")
"""Where uploads for requests are stored: the resident's report, the technician's work."""


def attach(session: Session, actor: Actor, request: ServiceRequest, photos: object, stage: PhotoStage) -> None:
    """Attach stored photos (names made by services.photos.store) to a request, at most MAX_PHOTOS per stage."""
    if not photos:
        return
    if not isinstance(photos, (list, tuple)):
        raise InvalidInput("error.bad_request")
    names = photo_names(photos, FOLDERS, len(photos))
    held = session.exec(select(func.count()).select_from(RequestPhoto).where(
        RequestPhoto.request_id == request.id, RequestPhoto.stage == stage)).one()
    if held + len(names) > MAX_PHOTOS:
        raise InvalidInput("error.too_many_photos", limit=MAX_PHOTOS)
    for name in names:
        session.add(RequestPhoto(estate_id=request.estate_id, request_id=request.id, stage=stage, file=name,
                                 uploaded_by_id=actor.id))


def photo_files(session: Session, requests: list[ServiceRequest]) -> dict[int, list[RequestPhoto]]:
    """The photos of requests the caller may already show, report photos first."""
    ids = [r.id for r in requests]
    found: dict[int, list[RequestPhoto]] = {i: [] for i in ids}
    if ids:
        for photo in session.exec(select(RequestPhoto).where(col(RequestPhoto.request_id).in_(ids))
                                  .order_by(RequestPhoto.stage, RequestPhoto.id)):
            found[photo.request_id].append(photo)
    return found


def photo_file(session: Session, actor: Actor | None, photo_id: object) -> str:
    """The stored name of one request photo, for someone who may see that request's photos (others: not found)."""
    actor = require_login(actor)
    photo = in_estate(session, actor, RequestPhoto, positive_id(photo_id))
    request = session.get(ServiceRequest, photo.request_id)
    if may_follow(actor, request) or (actor.has(Role.TECHNICIAN) and in_pool(request)):
        return photo.file
    raise NotFound("error.not_found")
