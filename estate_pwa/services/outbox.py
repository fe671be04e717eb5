"""The one offline outbox, server side. A field worker's phone queues every action (a patrol scan, a cleaning tick
with its photos, an inspection …) as {uid, kind, payload, phone_time} and sends the queue when it is online; this
module takes that list — hostile, like anything a client sends — and answers each uid.

* Each action goes by its `kind` to the feature's entry point registered here with `register(kind, handler)`
  (the registration point: see the bottom of this module). A handler gets (session, actor, action), checks
  everything itself (who may, which record) and returns the answer's fields; a refusal is a DomainError.
* A uid is recorded exactly once per person: its `OutboxReceipt` is written first, in the same transaction as the
  handler's work and answer (one commit); the database's unique (user, uid) settles two tabs or two workers
  sending at once (the loser waits on the key, then gets the winner's answer). The same uid sent again gets the
  stored answer (`replayed`), whatever kind or payload it now claims. A refusal rolls the work back and is kept
  as the answer in its own transaction; in that moment another sender may run the handler too, so handlers are
  idempotent on the uid as well (patrol scans, ticks, visits and inspections each keep it in a unique key).
* Per item, never per batch: a malformed item, an unknown kind, a forged id or someone else's task is refused
  with its key and the others go on. An item whose owner tag names another person of a shared duty phone is left
  unanswered (it stays on the phone for its owner); so is an item whose work failed for a reason other than a
  refusal (sent again later).
* Photos never travel here: the phone uploads them first over HTTP (`photo_ticket`, estate_pwa/http.py, the photos
  kit) and the payload names them.
"""

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from estate_pwa.core import tokens
from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.models import OutboxReceipt, Role, User
from estate_pwa.services import accounts, photos
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from estate_pwa.services.permissions import Actor, actor_for
from estate_pwa.services.validation import aware

BATCH_MAX = 200
"""Actions answered per call; the phone sends the rest with its next send."""
PAYLOAD_MAX = 4096
"""Characters of an action's payload as JSON (photos are names, never bytes)."""
KIND_MAX = 30
OK = "ok"
OWNER_PURPOSE = "outbox-owner"
TICKET_PURPOSE = "outbox-photo"
TICKET_LIFETIME = timedelta(minutes=10)
PHOTO_BYTES_MAX = 1024 * 1024
"""An outbox photo is compressed on the phone (JPEG, at most 1280 px) before it is queued; more is refused unread."""
FIELD_ROLES = (Role.GUARD, Role.CLEANER, Role.TECHNICIAN, Role.MANAGER, Role.INSPECTOR)
"""Who may upload an outbox photo (the action that names it is checked by its own feature)."""
_log = logging.getLogger(__name__)
_UID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True)
class Action:
    """One queued action as received (the uid and kind checked; the payload is the feature's to check)."""

    uid: str
    kind: str
    payload: dict
    phone_time: object


@dataclass(frozen=True)
class Outcome:
    """The answer to one uid: `key` is "ok" or the refusal's translation key; `answer` the feature's fields (for a
    refusal, its message's parameters: `refusal()`)."""

    uid: str
    kind: str
    key: str
    answer: dict = field(default_factory=dict)
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.key == OK

    def refusal(self) -> DomainError:
        """The refusal, to be said in the phone's language."""
        return DomainError(self.key, **self.answer)


Handler = Callable[[Session, Actor, Action], dict]
_handlers: dict[str, Handler] = {}
_roles: dict[str, tuple[Role, ...]] = {}
_folders: set[str] = set()


def register(kind: str, handler: Handler, photo_folder: str | None = None, roles: tuple[Role, ...] = ()) -> None:
    """Route actions of `kind` to `handler(session, actor, action) -> answer fields` (raise a DomainError to
    refuse; the handler checks everything itself). `photo_folder`: where the photos this kind's payloads name are
    uploaded (services/photos); `roles`: who may send it at all (others are refused once per batch, audited by
    the handler, without running it again for every item)."""
    if not kind or len(kind) > KIND_MAX or (kind in _handlers and _handlers[kind] is not handler):
        raise ValueError(f"outbox kind registered twice or badly named: {kind}")
    _handlers[kind] = handler
    _roles[kind] = roles
    if photo_folder:
        _folders.add(photo_folder)


def kinds() -> list[str]:
    return sorted(_handlers)


def owner_tag(actor: Actor) -> str:
    """The opaque name a phone's outbox gives the person whose actions it holds: a shared duty phone sends each
    person's actions only for that person."""
    return tokens.tag(OWNER_PURPOSE, str(actor.id))


def _parse(raw: object) -> tuple[str | None, Action | DomainError]:
    """(uid or None, the action or why it is refused); the uid only when it is one a phone makes."""
    if not isinstance(raw, dict):
        return None, InvalidInput("error.bad_request")
    uid = raw.get("uid") if isinstance(raw.get("uid"), str) and _UID.fullmatch(raw["uid"]) else None
    kind, payload = raw.get("kind"), raw.get("payload")
    if uid is None or not isinstance(kind, str) or kind not in _handlers or not isinstance(payload, dict):
        return uid, InvalidInput("error.bad_request")
    try:
        if len(json.dumps(payload, ensure_ascii=False)) > PAYLOAD_MAX:
            return uid, InvalidInput("error.bad_request")
    except (TypeError, ValueError):
        return uid, InvalidInput("error.bad_request")
    return uid, Action(uid, kind, payload, raw.get("phone_time"))


def _phone_time(raw: object) -> datetime | None:
    try:
        return aware(raw)
    except DomainError:
        return None


def _stored(receipt: OutboxReceipt) -> Outcome:
    return Outcome(receipt.uid, receipt.kind, receipt.outcome, dict(receipt.answer or {}), replayed=True)


def _receipt(session: Session, actor: Actor, uid: str) -> OutboxReceipt | None:
    return session.exec(select(OutboxReceipt).where(OutboxReceipt.user_id == actor.id, OutboxReceipt.uid == uid)
                        .execution_options(populate_existing=True)).first()


def _record_refusal(actor: Actor, action: Action, now: datetime, error: DomainError, db_url: str | None) -> Outcome:
    """Keep a refused action's answer (its own transaction: the refusal rolled the action's back); a concurrent
    sender that stored this uid first wins and its answer is given."""
    with session_scope(db_url) as session:
        params = _plain(error.params)
        session.add(OutboxReceipt(estate_id=actor.estate_id, user_id=actor.id, uid=action.uid, kind=action.kind,
                                  received_at=now, phone_time=_phone_time(action.phone_time), outcome=error.key,
                                  answer=params))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return _stored(_receipt(session, actor, action.uid))
    return Outcome(action.uid, action.kind, error.key, params)


def _plain(params: dict) -> dict:
    """A refusal's message parameters as JSON can keep them (for the message in the phone's language)."""
    return {k: v if isinstance(v, (int, float, str, bool)) or v is None else str(v) for k, v in params.items()}


def _attempt(session: Session, actor: Actor, action: Action, now: datetime) -> Outcome:
    """One action inside the current transaction (no commit): its receipt first (a second sender of the same uid
    waits on the receipt's unique key, then fails here), the feature's work, the answer. The same uid received
    before is answered from its receipt."""
    earlier = _receipt(session, actor, action.uid)
    if earlier is not None:
        return _stored(earlier)
    receipt = OutboxReceipt(estate_id=actor.estate_id, user_id=actor.id, uid=action.uid, kind=action.kind,
                            received_at=now, phone_time=_phone_time(action.phone_time), outcome=OK)
    session.add(receipt)
    session.flush()
    receipt.answer = _handlers[action.kind](session, actor, action)
    session.add(receipt)
    return Outcome(action.uid, action.kind, OK, receipt.answer)


def _run(actor: Actor, action: Action, now: datetime, db_url: str | None) -> Outcome | None:
    """Record one action in its own transaction; a refusal rolls its work back and is kept as the answer; a
    concurrent sender that recorded the uid first gives its answer. None: it failed otherwise (stays queued)."""
    try:
        try:
            with session_scope(db_url) as session:
                return _attempt(session, actor, action, now)
        except IntegrityError:  # a concurrent sender recorded this uid first
            with session_scope(db_url) as session:
                earlier = _receipt(session, actor, action.uid)
                if earlier is None:
                    raise
                return _stored(earlier)
        except DomainError as error:
            return _record_refusal(actor, action, now, error, db_url)
    except Exception:  # noqa: BLE001 - one failure must not lose the others: it stays queued, sent again later
        _log.exception("outbox action %s (%s) failed; left on the phone", action.uid, action.kind)
        return None


class _RolledBack(Exception):
    """A handler rolled the shared transaction back (a refusal on its way, or a replay after a race)."""


def _run_together(actor: Actor, actions: list[Action], now: datetime, db_url: str | None) -> list[Outcome | None]:
    """Record actions in one transaction and one commit (a phone draining a long queue); when any of them is
    refused, conflicts or fails, the ones before it are recorded together again, it alone, and the rest go on
    the same way — so a refusal never costs the others, and each action is recorded once either way."""
    if len(actions) <= 1:
        return [_run(actor, a, now, db_url) for a in actions]
    done: list[Outcome] = []
    rolled_back: list[bool] = []
    try:
        with session_scope(db_url) as session:
            event.listen(session, "after_soft_rollback", lambda *_: rolled_back.append(True))
            for action in actions:
                outcome = _attempt(session, actor, action, now)
                if rolled_back:
                    raise _RolledBack
                done.append(outcome)
        return list(done)
    except Exception as error:  # noqa: BLE001 - sorted out one by one below
        k = len(done)
        alone = _record_refusal(actor, actions[k], now, error, db_url) if isinstance(error, DomainError) \
            else _run(actor, actions[k], now, db_url)  # a refusal is kept as it is (audited once, by the feature)
        return [*_run_together(actor, actions[:k], now, db_url), alone,
                *_run_together(actor, actions[k + 1:], now, db_url)]


def dispatch(token: str, items: object, now: datetime | None = None, db_url: str | None = None,
             ) -> list[Outcome] | None:
    """Record the queued actions of whoever holds `token`, each exactly once; one Outcome per answered item, in
    the order sent. None when the token names nobody: nothing is recorded and the phone keeps its queue. Items
    owned by another person of the phone, and items whose work failed unexpectedly, get no Outcome (they stay
    queued). A kind the person's roles may not send is refused (and audited) once for the batch."""
    with session_scope(db_url) as session:
        actor = accounts.resolve(session, token) if isinstance(token, str) and token else None
    if actor is None:
        return None
    if not isinstance(items, list):
        return []
    now = now or utcnow()
    own = owner_tag(actor)
    answers: dict[int, Outcome | None] = {}
    together: list[tuple[int, Action]] = []
    refused_kinds: set[str] = set()
    for index, raw in enumerate(items[:BATCH_MAX]):
        uid, parsed = _parse(raw)
        if isinstance(parsed, DomainError):
            answers[index] = Outcome(uid, "", parsed.key) if uid is not None else None
        elif raw.get("owner") is not None and raw.get("owner") != own:
            answers[index] = None
        elif _roles[parsed.kind] and not actor.has(*_roles[parsed.kind]):
            first = parsed.kind not in refused_kinds
            refused_kinds.add(parsed.kind)  # audited once (by the feature), answered for every item
            answers[index] = _run(actor, parsed, now, db_url) if first else Outcome(
                parsed.uid, parsed.kind, "error.not_allowed")
        else:
            together.append((index, parsed))
    for (index, _), outcome in zip(together, _run_together(actor, [a for _, a in together], now, db_url),
                                   strict=True):
        answers[index] = outcome
    return [answers[i] for i in sorted(answers) if answers[i] is not None]


def answered(outcomes: list[Outcome]) -> list[str]:
    """The uids the phone may drop: every answered one."""
    return [o.uid for o in outcomes]


# ---- photos: uploaded over HTTP before the action that names them is sent ----

def photo_ticket(actor: Actor, now: datetime | None = None) -> str:
    """A short-lived signed ticket letting this person's phone upload outbox photos (sent with every sync answer)."""
    expiry = int(((now or utcnow()) + TICKET_LIFETIME).timestamp())
    return tokens.sign(TICKET_PURPOSE, f"{actor.id}|{expiry}")


def store_photo(session: Session, ticket: object, folder: object, data: bytes, now: datetime | None = None) -> str:
    """Store one outbox photo for the ticket's holder (still active, a field role) in a registered folder; refuses
    a forged or expired ticket (NotFound), another folder or an oversized upload before decoding (InvalidInput),
    and anything that is not an image (photos kit: BadImage → InvalidInput)."""
    try:
        user_id, expiry = (int(part) for part in tokens.verify(TICKET_PURPOSE, ticket).split("|"))
    except (tokens.TokenInvalid, ValueError):
        raise NotFound("error.not_found") from None
    user = session.get(User, user_id)
    if expiry < (now or utcnow()).timestamp() or user is None or not user.is_active:
        raise NotFound("error.not_found")
    if not actor_for(session, user).has(*FIELD_ROLES):
        raise NotAllowed("error.not_allowed")
    if not isinstance(folder, str) or folder not in _folders:
        raise InvalidInput("error.bad_request")
    if not data or len(data) > PHOTO_BYTES_MAX:
        raise InvalidInput("error.photo_too_large")
    try:
        return photos.store(data, folder)
    except ValueError:
        raise InvalidInput("error.bad_photo") from None


# ---- the registration point: every field action of the app ----

def _patrol_scan(session: Session, actor: Actor, action: Action) -> dict:
    from estate_pwa.services import patrol

    result = patrol.record_scan(session, actor, patrol.token_of(action.payload.get("code")), action.uid,
                                action.phone_time)
    answer = patrol.scan_answer(result)
    return {"point": answer.point, "message": answer.message, "finished": answer.finished,
            "counted": answer.counted, "progress": answer.progress, "replayed": result.replayed}


def _register_fields() -> None:
    """Every kind of field action: a new feature adds its kind here (or calls `register` from its own module)."""
    from estate_pwa.services.cleaning import outbox as cleaning_outbox
    from estate_pwa.services.inspections import outbox as inspections_outbox

    register("scan", _patrol_scan, roles=(Role.GUARD,))
    cleaning_outbox.register_kinds(register)
    inspections_outbox.register_kinds(register)  # facilities inspections and asset scans


_register_fields()
