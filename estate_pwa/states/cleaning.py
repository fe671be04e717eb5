"""Thin states of cleaning: the cleaner's day (tick in one tap; photo items through the photos kit) and the
manager's coverage, assignments and inspections. Rows come from services.cleaning, which checks every action."""

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import cleaning, photos
from estate_pwa.services.cleaning import AreaCard, Choice, CoverageRow, ItemRow
from estate_pwa.services.errors import DomainError
from estate_pwa.services.permissions import Actor
from estate_pwa.services.photos import PhotoLink
from estate_pwa.states.session import SessionState


class CleanerState(SessionState):
    """The cleaner's areas of today in walking order."""

    error: str = ""
    areas: list[AreaCard] = []
    photo_task: int = 0
    previews: list[PhotoLink] = []
    _photos: list[str] = []

    @rx.event
    def load(self):
        """Open the cleaner's day."""
        return self._open(Role.CLEANER)

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.areas = cleaning.cleaner_today(session, actor)

    @staticmethod
    def _uid(task_id: object) -> str:
        """One tick per task and cleaner: sent twice (a double tap, a resend), it is recorded once."""
        return f"task-{task_id}"[:64]

    @rx.event
    def tick(self, task_id: int):
        """Tick a task done in one tap."""
        self._act(cleaning.tick, task_id, self._uid(task_id))

    @rx.event
    def start_photo(self, task_id: int):
        """Open the photo step of a photo item."""
        self.photo_task, self.previews, self._photos, self.error = task_id, [], [], ""

    @rx.event
    def cancel_photo(self):
        self.photo_task, self.previews, self._photos = 0, [], []

    @rx.event
    async def add_photos(self, files: list[rx.UploadFile]):
        """Store the photos taken for the open photo item."""
        self._photos += await self._store_photos(files, cleaning.PHOTO_FOLDER, Role.CLEANER,
                                                 cleaning.PHOTOS_MAX - len(self._photos))
        self.previews = photos.links(self._photos)

    @rx.event
    def tick_with_photos(self):
        """Tick the open photo item with its photos."""
        if self._act(cleaning.tick, self.photo_task, self._uid(self.photo_task), list(self._photos)):
            self.photo_task, self.previews, self._photos = 0, [], []


class CleaningBoardState(SessionState):
    """The manager's cleaning page: coverage today, assigning, inspecting."""

    error: str = ""
    notice: str = ""
    rows: list[CoverageRow] = []
    cleaners: list[Choice] = []
    inspect_area: int = 0
    inspect_name: str = ""
    items: list[ItemRow] = []
    verdicts: dict[str, str] = {}
    notes: dict[str, str] = {}

    @rx.event
    def load(self):
        """Open the page."""
        self.notice = ""
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.rows = cleaning.coverage(session, actor)
        self.cleaners = cleaning.cleaner_choices(session, actor)

    @rx.event
    def assign(self, area_id: int, cleaner_id: str):
        """Make a cleaner responsible for an area from now."""
        self.notice = ""
        self._act(cleaning.assign, area_id, cleaner_id)

    @rx.event
    def open_inspection(self, area_id: int):
        """Start inspecting an area: every item of its checklist, passed until marked otherwise."""
        self.notice, self.error = "", ""
        try:
            with session_scope() as session:
                self.items = cleaning.inspection_items(session, self._actor(session), area_id)
        except DomainError as error:
            self.error = self._say(error)
            return
        self.inspect_area = area_id
        self.inspect_name = next((r.name for r in self.rows if r.id == area_id), "")
        self.verdicts = {str(i.id): "pass" for i in self.items}
        self.notes = {}

    @rx.event
    def close_inspection(self):
        self.inspect_area, self.items, self.verdicts, self.notes = 0, [], {}, {}

    def _open_item(self, item_id: object) -> str | None:
        """The key of one of the open inspection's items (None for anything else a client may send)."""
        key = str(item_id) if isinstance(item_id, (str, int)) else ""
        return key if any(str(i.id) == key for i in self.items) else None

    @rx.event
    def mark(self, item_id: str, result: str):
        """Pass or fail one item of the open inspection (checked again when submitted)."""
        key = self._open_item(item_id)
        if key is not None and result in ("pass", "fail"):
            self.verdicts = {**self.verdicts, key: result}

    @rx.event
    def write_note(self, item_id: str, note: str):
        key = self._open_item(item_id)
        if key is not None and isinstance(note, str):
            self.notes = {**self.notes, key: note[:500]}

    @rx.event
    def submit_inspection(self):
        """Record the inspection; failed items become rework for the responsible cleaner."""
        results = [{"item_id": i.id, "result": self.verdicts.get(str(i.id), "pass"),
                    "note": self.notes.get(str(i.id), "")} for i in self.items]
        if self._act(cleaning.inspect, self.inspect_area, results):
            self.close_inspection()
            self.notice = self._text("cleaning.inspected")
