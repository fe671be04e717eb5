"""The guards of the public report form, for the HTTP routes (estate_pwa/http.py):

* the device: a random id signed into a cookie (`device_cookie`/`device_of`), issued by the form page;
* the form token: signed, bound to the posted code and the device, valid FORM_LIFETIME (a page on another site
  cannot post the form: it has no token for this device, and the cookie is SameSite=Lax);
* the client address: the peer, or the X-Forwarded-For address a trusted proxy added (settings.trusted_proxies);
* the rate limits (limits.py) with the first refusal of a window written to the audit log;
* every other refusal of a form that passed the limits written to the audit log (so their number is bounded too).
"""

import hashlib
import ipaddress
import secrets
import time

from sqlmodel import Session

from estate_pwa.core import tokens
from estate_pwa.core.clock import utcnow
from estate_pwa.core.config import get_settings
from estate_pwa.models import PostedCode
from estate_pwa.services import audit
from estate_pwa.services.reports import limits
from estate_pwa.services.reports.codes import POSTED_PURPOSE, Place, token_of

DEVICE_PURPOSE = "report-device"
FORM_PURPOSE = "report-form"
DEVICE_COOKIE = "estate_report_device"
DEVICE_LIFETIME = 365 * 24 * 3600
FORM_LIFETIME = 2 * 3600
"""Seconds a form page may stay open before it must be opened again."""


def device_cookie() -> str:
    """A new device id, signed (the cookie's value)."""
    return tokens.sign(DEVICE_PURPOSE, secrets.token_hex(12))


def device_of(cookie: object) -> str:
    """The device id of a signed cookie ('' for none or a forged one)."""
    try:
        return tokens.verify(DEVICE_PURPOSE, cookie)
    except tokens.TokenInvalid:
        return ""


def form_token(place: Place, device: str, now: float | None = None) -> str:
    """The form's token: this code, this device, until FORM_LIFETIME from now."""
    expiry = int((now or time.time()) + FORM_LIFETIME)
    return tokens.sign(FORM_PURPOSE, f"{place.code_id}|{device}|{expiry}")


def form_ok(token: object, place: Place, device: str, now: float | None = None) -> bool:
    """Whether a posted form token was made for this code and device and has not expired."""
    try:
        code_id, bound_device, expiry = tokens.verify(FORM_PURPOSE, token).split("|")
        return (int(code_id) == place.code_id and secrets.compare_digest(bound_device, device)
                and int(expiry) > (now or time.time()))
    except (tokens.TokenInvalid, ValueError):
        return False


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """The reporter's address: the peer's, unless the peer is a trusted proxy that added X-Forwarded-For (then
    the last address in it that is not a trusted proxy)."""
    trusted = get_settings().trusted_proxies
    peer = peer or "unknown"
    if peer not in trusted or not forwarded_for:
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")[:20]]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if hop not in trusted:
            return hop
    return peer


def tag(value: str) -> str:
    """A short one-way name for an address or device in the audit log."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def code_row(session: Session, scanned: object) -> PostedCode | None:
    """The row a correctly signed code names (forged: None), for recording refusals against its estate."""
    try:
        payload = tokens.verify(POSTED_PURPOSE, token_of(scanned))
        return session.get(PostedCode, int(payload[1:])) if payload[:1] == "c" and payload[1:].isdigit() else None
    except tokens.TokenInvalid:
        return None


def refused(session: Session, estate_id: int | None, code_id: int | None, reason: str, address: str,
            device: str, **detail) -> None:
    """Write a refused public report to the audit log (nothing when no estate is known: a forged code)."""
    if estate_id is not None:
        audit.record(session, estate_id, None, "report_refused", "posted_code", code_id, reason=reason,
                     address=tag(address), device=tag(device) if device else "", **detail)


def sender_limits(session: Session, address: str, device: str) -> limits.Verdict:
    """Count an attempt against the address and device limits (before anything else is read)."""
    return limits.check(session, [(limits.ADDRESS, address), (limits.DEVICE, device)], utcnow())


def place_limit(session: Session, place: Place) -> limits.Verdict:
    """Count an attempt against its place's limit."""
    return limits.check(session, [(limits.PLACE, f"{place.kind}{place.id}")], utcnow())
