"""The manager's indicators on screen: the overview's tiles (the manager's home), one indicator's detail, and the
estate's own targets. Values come from services/indicators; nothing here computes or checks."""

import reflex as rx

from estate_pwa.core.media import DOCUMENT_MAX_BYTES
from estate_pwa.models import Role
from estate_pwa.services import files, indicators
from estate_pwa.services.errors import DomainError
from estate_pwa.services.indicators import DrillLine, Tile, TrendPoint, certification
from estate_pwa.services.indicators.certification import EvidenceRow, LevelRow
from estate_pwa.states.session import SessionState

EMPTY_TILE = Tile("", 0, "", "", "", "", "no_data", "", "", "", "", "", False)
EVIDENCE_PER_UPLOAD = 3


class IndicatorsState(SessionState):
    """The overview: a tile per plan indicator for the chosen period."""

    period: str = indicators.PeriodKind.MONTH.value
    period_label: str = ""
    plan_tiles: list[Tile] = []
    """The plan's 25 indicators."""
    yearly_tiles: list[Tile] = []
    """The plan's yearly targets (activities, special services)."""
    report_links: dict[str, str] = {}
    error: str = ""

    @rx.event
    def load(self):
        """Open the overview for whoever holds the token."""
        return self._open(Role.MANAGER)

    @rx.event
    def choose_period(self, kind: str | list[str]):
        """Show another period (month, quarter, year, rolling 12 months); the service refuses anything else."""
        if self._act(indicators.overview, kind):
            self.period = kind

    def _refresh(self, session, actor) -> None:
        self.period_label, tiles = indicators.overview(session, actor, self.period)
        self.plan_tiles = [tile for tile in tiles if tile.number]
        self.yearly_tiles = [tile for tile in tiles if not tile.number]
        self.report_links = {
            kind: files.download_url(actor, f"indicator-report-{kind}", period=self.period)
            for kind in ("pdf", "xlsx", "csv")
        }


class IndicatorDetailState(SessionState):
    """One indicator: definition, numbers, parts, trend, the records behind it, and the estate's own target."""

    period: str = indicators.PeriodKind.MONTH.value
    period_label: str = ""
    tile: Tile = EMPTY_TILE
    definition_zh: str = ""
    definition_en: str = ""
    base: str = ""
    bases: list[str] = []
    op: str = ""
    target_value: str = ""
    parts: list[Tile] = []
    trend: list[TrendPoint] = []
    lines: list[DrillLine] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    error: str = ""
    _key: str = ""

    @rx.event
    def load(self):
        """Open the indicator named in the address (`?key=…&period=…`)."""
        query = self.router.url.query_parameters
        self._key = query.get("key", "")
        self.period = query.get("period", indicators.PeriodKind.MONTH.value)
        self.page = 1
        try:
            return self._open(Role.MANAGER)
        except DomainError as error:  # an address naming no indicator or period: say so, show nothing stale
            self.tile, self.parts, self.trend, self.lines, self.total = EMPTY_TILE, [], [], [], 0
            self.error = self._say(error)

    def _refresh(self, session, actor) -> None:
        detail = indicators.detail(session, actor, self._key, self.period, self.page)
        self.tile, self.parts, self.trend, self.lines = detail.tile, detail.parts, detail.trend, detail.lines
        self.definition_zh, self.definition_en = detail.definition_zh, detail.definition_en
        self.base, self.bases, self.op, self.target_value = detail.base, detail.bases, detail.op, detail.target_value
        self.total, self.page, self.pages, self.period_label = detail.total, detail.page, detail.pages, detail.period

    @rx.var
    def trend_data(self) -> list[dict[str, str | float | None]]:
        """The trend as the chart reads it."""
        return [{"label": point.label, "value": point.value} for point in self.trend]

    @rx.event
    def turn_page(self, page: int):
        """Show another page of the records."""
        previous = self.page
        self.page = page
        if not self._act(lambda session, actor: None):
            self.page = previous

    @rx.event
    def save_target(self, form: dict):
        """Set this estate's own target and base for the indicator (managers; audited)."""
        fields = self._fields(form)
        if self._act(indicators.set_target, self._key, fields.get("op"), fields.get("target"), fields.get("base")):
            return rx.toast.success(self._text("indicator.target_saved"))


class CertificationState(SessionState):
    """Certification readiness: the committee's founding date, each level's window and readiness, the evidence."""

    founded_on: str = ""
    period_label: str = ""
    levels: list[LevelRow] = []
    evidence: list[EvidenceRow] = []
    evidence_done: int = 0
    error: str = ""

    @rx.event
    def load(self):
        """Open the readiness page."""
        return self._open(Role.MANAGER)

    def _refresh(self, session, actor) -> None:
        shown = certification.readiness(session, actor)
        self.founded_on, self.period_label = shown.founded_on, shown.period
        self.levels, self.evidence, self.evidence_done = shown.levels, shown.evidence, shown.evidence_done

    @rx.event
    def save_founded(self, form: dict):
        """Record the owners' committee's founding date."""
        self._act(certification.set_committee_founded, self._fields(form).get("founded_on"))

    @rx.event
    async def upload_evidence(self, files: list[rx.UploadFile], item: str):
        """Store uploaded documents for one evidence item (the service checks who asks before reading them)."""
        if not isinstance(files, list):
            return
        for upload in files[:EVIDENCE_PER_UPLOAD]:
            try:
                data = await upload.read(DOCUMENT_MAX_BYTES + 1)
                name = getattr(upload, "name", None) or getattr(upload, "filename", None) or "document"
            except (AttributeError, TypeError):
                self.error = self._text("error.bad_document")
                return
            if not self._act(certification.add_evidence, item, data, name):
                return
