"""Certification readiness: the plan's three levels, each in a window counted from the owners' committee's
founding date (Shenzhen 安全文明小区 at 12–18 months, Guangdong 优秀住宅小区 at 24–30, national 全国城市物业管理优秀
住宅小区 at 36–42). For each level: the indicators over the last 12 months that meet or block it, the zero-tolerance
gates (any major criminal case or fire blocks), and the evidence the assessors ask for, uploaded per item."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.media import BadImage, save_document, stored_path
from estate_pwa.models import Estate, EvidenceFile, Role, User
from estate_pwa.services import audit, files
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.indicators.view import REFUSAL, Status, Tile, overview
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.validation import choice, positive_id, text

GATES = ("major_crimes", "fire_rate")
EVIDENCE_ITEMS = ("service_contract", "committee_record", "improvement_plan", "staff_certificates",
                  "fee_disclosure", "archives")
EVIDENCE_KIND = "evidence-file"
NAME_MAX = 200
EARLIEST_FOUNDING = date(1990, 1, 1)


@dataclass(frozen=True)
class Level:
    """A certification level and its window in months after the committee was founded."""

    key: str
    opens: int
    closes: int


LEVELS = (Level("shenzhen", 12, 18), Level("guangdong", 24, 30), Level("national", 36, 42))


@dataclass(frozen=True)
class EvidenceRow:
    """One evidence item and the files uploaded for it (name and a download link each)."""

    item: str
    files: list[list[str]]


@dataclass(frozen=True)
class LevelRow:
    """One level's readiness: its window, months left, the indicators that meet, block or lack data, the gates."""

    key: str
    window: str
    state: str
    months: int
    met: int
    blocking: list[list[str]]
    """[key, Chinese name, English name] of each indicator not met."""
    missing: int
    gates_clear: bool
    ready: bool


@dataclass(frozen=True)
class Readiness:
    """The certification page."""

    founded_on: str
    levels: list[LevelRow]
    evidence: list[EvidenceRow]
    evidence_done: int
    period: str


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    last = [31, 29 if (day.year + year) % 4 == 0 and ((day.year + year) % 100 or (day.year + year) % 400 == 0)
            else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return date(day.year + year, month + 1, min(day.day, last))


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _level(level: Level, founded: date | None, today: date, tiles: list[Tile]) -> LevelRow:
    met = sum(1 for t in tiles if t.status == Status.MET)
    blocking = [[t.key, t.name_zh, t.name_en] for t in tiles if t.status == Status.NOT_MET]
    missing = sum(1 for t in tiles if t.status == Status.NO_DATA)
    gates_clear = all(t.status == Status.MET for t in tiles if t.key in GATES)
    if founded is None:
        return LevelRow(level.key, "", "unknown", 0, met, blocking, missing, gates_clear, False)
    opens, closes = _add_months(founded, level.opens), _add_months(founded, level.closes)
    if today < opens:
        state, months = "upcoming", _months_between(today, opens)
    elif today <= closes:
        state, months = "open", _months_between(today, closes)
    else:
        state, months = "passed", 0
    return LevelRow(level.key, f"{opens:%Y-%m-%d} – {closes:%Y-%m-%d}", state, months, met, blocking, missing,
                    gates_clear, gates_clear and not blocking and not missing)


def readiness(session: Session, actor: Actor | None, now: datetime | None = None) -> Readiness:
    """Every level's readiness over the last 12 months, and the evidence checklist."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    now = now or utcnow()
    estate = session.get(Estate, actor.estate_id)
    today = now.astimezone(ZoneInfo(estate.timezone)).date()
    label, tiles = overview(session, actor, "rolling12", now=now)
    plan = [t for t in tiles if t.number]
    uploaded: dict[str, list[list[str]]] = {item: [] for item in EVIDENCE_ITEMS}
    for evidence in session.exec(select(EvidenceFile).where(EvidenceFile.estate_id == actor.estate_id)
                                 .order_by(col(EvidenceFile.id))):
        if evidence.item in uploaded:
            uploaded[evidence.item].append(
                [evidence.original_name, files.download_url(actor, EVIDENCE_KIND, now=now, file=evidence.id)])
    return Readiness(
        founded_on=f"{estate.committee_founded_on:%Y-%m-%d}" if estate.committee_founded_on else "",
        levels=[_level(level, estate.committee_founded_on, today, plan) for level in LEVELS],
        evidence=[EvidenceRow(item, uploaded[item]) for item in EVIDENCE_ITEMS],
        evidence_done=sum(1 for item in EVIDENCE_ITEMS if uploaded[item]), period=label)


def set_committee_founded(session: Session, actor: Actor | None, raw: object,
                          now: datetime | None = None) -> Estate:
    """A manager records the owners' committee's founding date (not in the future); audited."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    estate = session.get(Estate, actor.estate_id)
    with refusing(session, actor, REFUSAL):
        if not isinstance(raw, str) or len(raw) > 10:
            raise InvalidInput("error.bad_date")
        try:
            founded = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput("error.bad_date") from None
        today = (now or utcnow()).astimezone(ZoneInfo(estate.timezone)).date()
        if not EARLIEST_FOUNDING <= founded <= today:
            raise InvalidInput("error.bad_date")
    before = estate.committee_founded_on
    estate.committee_founded_on = founded
    audit.record(session, actor.estate_id, session.get(User, actor.id), "committee_founding_set", "estate",
                 estate.id, founded_on=founded.isoformat(), before=before.isoformat() if before else None)
    return estate


def add_evidence(session: Session, actor: Actor | None, item: object, data: bytes, original_name: object
                 ) -> EvidenceFile:
    """A manager uploads a document (PDF, or a photo of one) for an evidence item; audited."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    with refusing(session, actor, REFUSAL):
        item = choice(item, EVIDENCE_ITEMS, "error.bad_request")
        name = text(original_name, "error.bad_request", NAME_MAX)
    try:
        stored = save_document(data, "evidence")
    except BadImage:
        refuse(session, actor, REFUSAL, InvalidInput("error.bad_document"))
    evidence = EvidenceFile(estate_id=actor.estate_id, item=item, file=stored, original_name=name,
                            uploaded_by_id=actor.id)
    session.add(evidence)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "evidence_added", "evidence", evidence.id,
                 item=item, name=name)
    return evidence


@files.downloadable(EVIDENCE_KIND)
def evidence_file(session: Session, actor: Actor, file: int) -> files.Download:
    """One evidence document, for a manager of its estate."""
    require(session, actor, REFUSAL, Role.MANAGER)
    evidence = in_estate(session, actor, EvidenceFile, positive_id(file))
    path = stored_path(evidence.file)
    if path is None:
        raise NotFound("error.not_found")
    media_type = "application/pdf" if evidence.file.endswith(".pdf") else "image/jpeg"
    return files.Download(evidence.original_name, media_type, path.read_bytes(), inline=True)
