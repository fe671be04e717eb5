"""Posted codes: the QR code stuck in an area or on an asset. Its token (core.tokens, purpose POSTED_PURPOSE) names
a `PostedCode` row; the row says which place it is and whether it still works. One live code per place:
`current_code` returns it (issuing the first one), `revoke` ends it (a manager; the printed code is refused from
then on) and the next print issues a new one.

The same code is read two ways: any phone camera opens `<base>/report/<token>` (the public report page), and the
cleaner's in-app scanner reads that URL as proof of presence (`resolve` of the scanned text).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core import tokens
from estate_pwa.core.clock import utcnow
from estate_pwa.models import Area, PlaceKind, PostedCode, Role, User
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import Refusal, refusing, require
from estate_pwa.services.validation import choice, positive_id

POSTED_PURPOSE = "posted-code"
REPORT_PREFIX = "/report/"
SCANNED_MAX = 600
REPORTS = Refusal("report_refused", "posted_code")
"""How refused actions on posted codes and public reports are written to the audit log."""

try:  # the asset register (issue 12) may not be in this tree yet; asset codes wait for it
    from estate_pwa.models import Asset
except ImportError:  # pragma: no cover - only before the register lands
    Asset = None


@dataclass(frozen=True)
class Place:
    """What a posted code names: an area or an asset of one estate, and the code's row."""

    kind: str
    id: int
    estate_id: int
    code_id: int


def place_model(kind: str):
    """The table of a kind of place (None: assets before the register exists)."""
    return Area if kind == PlaceKind.AREA else Asset


def token_for(code: PostedCode) -> str:
    """The signed text of a posted code (its row's id)."""
    return tokens.sign(POSTED_PURPOSE, f"c{code.id}")


def code_url(base_url: str, code: PostedCode) -> str:
    """The address printed in the QR code: the public report page of the place."""
    return f"{base_url.rstrip('/')}{REPORT_PREFIX}{token_for(code)}"


def token_of(scanned: object) -> str:
    """The token in what a scanner read: a report URL ("…/report/<token>", query and fragment ignored) or the bare
    token. Nothing here is trusted; `resolve` checks the signature and the row."""
    if not isinstance(scanned, str) or len(scanned) > SCANNED_MAX:
        return ""
    read = scanned.strip().split("?", 1)[0].split("#", 1)[0]
    return read.rsplit(REPORT_PREFIX, 1)[-1].strip("/")


def resolve(session: Session, token: object, now: datetime | None = None) -> Place:
    """The place a posted code names. A forged or malformed code is refused (`error.code_invalid`), a revoked one
    or one of a removed place too (`error.code_revoked`)."""
    try:
        payload = tokens.verify(POSTED_PURPOSE, token_of(token))
        if not payload.startswith("c"):
            raise ValueError(payload)
        code_id = positive_id(payload[1:])
    except (tokens.TokenInvalid, ValueError, InvalidInput):
        raise InvalidInput("error.code_invalid") from None
    code = session.get(PostedCode, code_id)
    if code is None:
        raise InvalidInput("error.code_invalid")
    if code.revoked_at is not None and code.revoked_at <= (now or utcnow()):
        raise InvalidInput("error.code_revoked")
    model = place_model(code.kind)
    place = session.get(model, code.place_id) if model is not None else None
    if place is None or place.estate_id != code.estate_id or getattr(place, "retired_at", None) is not None:
        raise InvalidInput("error.code_revoked")
    return Place(code.kind, code.place_id, code.estate_id, code.id)


def _live(session: Session, kind: str, place_id: int) -> PostedCode | None:
    return session.exec(select(PostedCode).where(PostedCode.kind == kind, PostedCode.place_id == place_id,
                                                 col(PostedCode.revoked_at).is_(None))).first()


def current_code(session: Session, kind: str, place_id: int, estate_id: int) -> PostedCode:
    """The live code of a place, issuing one when it has none (two workers issuing at once agree on one row)."""
    code = _live(session, kind, place_id)
    if code is not None:
        return code
    try:
        with session.begin_nested():
            code = PostedCode(estate_id=estate_id, kind=kind, place_id=place_id)
            session.add(code)
    except IntegrityError:  # another worker issued it first: use theirs
        code = _live(session, kind, place_id)
    return code


def area_token(session: Session, area: Area) -> str:
    """The token of an area's live posted code."""
    return token_for(current_code(session, PlaceKind.AREA, area.id, area.estate_id))


def area_of(session: Session, scanned: object) -> tuple[int, int]:
    """(estate id, area id) of a scanned area code (URL or token); refuses forged, revoked and asset codes."""
    place = resolve(session, scanned)
    if place.kind != PlaceKind.AREA:
        raise InvalidInput("error.code_invalid")
    return place.estate_id, place.id


def revoke(session: Session, actor: Actor | None, kind: object, place_id: object,
           now: datetime | None = None) -> PostedCode | None:
    """A manager revokes the live code of a place (its printed copies are refused from now); the next print
    issues a new one. Returns the revoked row (None: the place had no live code)."""
    actor = require(session, actor, REPORTS, Role.MANAGER)
    with refusing(session, actor, REPORTS):
        kind = choice(kind, [k.value for k in PlaceKind], "error.bad_request")
        model = place_model(kind)
        if model is None:
            raise NotFound("error.not_found")
        place = in_estate(session, actor, model, positive_id(place_id))
    code = _live(session, kind, place.id)
    if code is None:
        return None
    code.revoked_at = now or utcnow()
    code.revoked_by_id = actor.id
    session.add(code)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "posted_code_revoked", "posted_code",
                 code.id, kind=kind, place=place.id)
    return code
