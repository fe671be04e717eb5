"""Thin states of public reports: the cleaner's open reports on their home (handled in one tap), and the managers'
list on the cleaning page with how fast reports were handled, the printable area code sheet and revoking a code.
Rows come from services.reports, which checks every action."""

from urllib.parse import urlsplit

import reflex as rx
from reflex.utils.exec import is_prod_mode
from sqlmodel import Session

from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import files, reports
from estate_pwa.services.permissions import Actor
from estate_pwa.services.reports import sheet
from estate_pwa.services.reports.views import ReportRow
from estate_pwa.states.session import SessionState


def _base_url(state: rx.State) -> str:
    """Where the public report page answers, as the manager's browser reached the app (printed into codes). In
    production the pages and the HTTP routes share one port; in development the routes are on the backend's."""
    if not is_prod_mode():
        return rx.config.get_config().api_url.rstrip("/")
    parts = urlsplit(str(state.router.url))
    return f"{parts.scheme}://{parts.netloc}"


class CleanerReportsState(SessionState):
    """The cleaner's open public reports."""

    error: str = ""
    reports: list[ReportRow] = []

    @rx.event
    def load(self):
        """Read the cleaner's open reports (nothing for anyone else: the widget sits on the cleaner's home)."""
        with session_scope() as session:
            actor = self._actor(session)
            self.reports = reports.cleaner_reports(session, actor) if actor and actor.has(Role.CLEANER) else []

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.reports = reports.cleaner_reports(session, actor)

    @rx.event
    def handle(self, report_id: int):
        """Mark a report handled (the area is clean again)."""
        self._act(reports.handle, report_id)


class ReportsBoardState(SessionState):
    """The managers' public reports: the list, the summary, the area code sheet, revoking a code."""

    error: str = ""
    notice: str = ""
    reports: list[ReportRow] = []
    total: int = 0
    open: int = 0
    median_minutes: str = ""
    slowest_minutes: str = ""
    sheet_url: str = ""
    areas: list[sheet.CodeChoice] = []
    revoke_area: str = ""

    @rx.event
    def load(self):
        """Read the list (managers only; nothing for anyone else)."""
        self.notice = ""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is not None and actor.has(Role.MANAGER):
                self._refresh(session, actor)

    def _refresh(self, session: Session, actor: Actor) -> None:
        summary, self.reports = reports.manager_reports(session, actor)
        self.total, self.open = summary.total, summary.open
        self.median_minutes, self.slowest_minutes = summary.median_minutes, summary.slowest_minutes
        self.areas = sheet.area_choices(session, actor)
        self.sheet_url = files.download_url(actor, sheet.AREA_SHEET, base=_base_url(self))

    @rx.event
    def handle(self, report_id: int):
        """Mark an office report handled."""
        self._act(reports.handle, report_id)

    @rx.event
    def choose_area(self, area_id: str):
        """Choose the area whose code to revoke (checked when revoking)."""
        self.revoke_area = area_id if isinstance(area_id, str) and area_id.isdigit() else ""

    @rx.event
    def revoke(self):
        """Revoke the chosen area's posted code: its printed copies stop working; the next sheet prints a new one."""
        self.notice = ""
        if self._act(reports.revoke, "area", self.revoke_area):
            self.notice, self.revoke_area = self._text("reports.revoked"), ""


class AssetCodesState(SessionState):
    """The link to the asset code sheet, on the facilities page."""

    sheet_url: str = ""

    @rx.event
    def load(self):
        """Make the manager's link (nothing for anyone else)."""
        with session_scope() as session:
            actor = self._actor(session)
            self.sheet_url = files.download_url(actor, sheet.ASSET_SHEET, base=_base_url(self)) \
                if actor is not None and actor.has(Role.MANAGER) else ""
