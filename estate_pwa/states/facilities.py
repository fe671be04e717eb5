"""Thin states of the asset register: the manager's register (counts per category, one category's assets, the fire
equipment about to expire, adding one asset, spreadsheet import with its dry run, export links) and an asset's
record for staff (a manager corrects it there). Rows come from services.facilities, which checks every action."""

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import facilities, files
from estate_pwa.services.errors import DomainError
from estate_pwa.services.facilities import (
    AssetRow,
    CategoryCount,
    DefectRow,
    RejectedRow,
    spreadsheets,
)
from estate_pwa.services.permissions import Actor
from estate_pwa.states.session import SessionState

EMPTY_ROW = AssetRow(0, "", "", "", "", "", "", "", "facilities.unit_items", "", False, False, "", False, False, "")


class AssetForm(rx.State, mixin=True):
    """The asset form of a manager (adding on the register, correcting on a record): the category chosen decides
    the kinds offered and the fields shown; services.facilities checks the fields as the import does."""

    form_category: str = ""
    form_kinds: list[str] = []
    buildings: list[str] = []
    form_key: int = 0
    form_error: str = ""

    def _choices(self, session: Session, actor: Actor, category: object) -> None:
        choices = facilities.form_choices(session, actor, category)
        self.form_category, self.form_kinds, self.buildings = choices.category, choices.kinds, choices.buildings

    @rx.event
    def pick_category(self, category: str):
        """The category chosen in the form (a manager's; anything else is refused)."""
        self.error = ""
        try:
            with session_scope() as session:
                self._choices(session, self._actor(session), category)
        except DomainError as error:
            self.error = self._say(error)

    def _submit(self, action, *args) -> bool:
        """`_act` for the form: a refusal is shown under the form, not at the top of the screen."""
        done = self._act(action, *args)
        self.form_error, self.error = ("", self.error) if done else (self.error, "")
        return done

    @staticmethod
    def _asset_fields(form: object) -> object:
        """The form's fields the register reads (any other key a client sends is dropped)."""
        return {name: form.get(name) for name in facilities.FIELDS} if isinstance(form, dict) else form


class FacilitiesState(AssetForm, SessionState):
    """The manager's register."""

    error: str = ""
    notice: str = ""
    category: str = ""
    offset: int = 0
    total: int = 0
    counts: list[CategoryCount] = []
    rows: list[AssetRow] = []
    expiring: list[AssetRow] = []
    export_links: dict[str, str] = {}
    import_name: str = ""
    import_good: int = 0
    rejected: list[RejectedRow] = []
    _import_data: bytes = b""

    @rx.event
    def load(self):
        """Open the register (all categories)."""
        self.notice, self.category, self.offset, self.form_error, self.form_category = "", "", 0, "", ""
        self._forget_import()
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.rows, self.total = facilities.register_page(session, actor, self.category, self.offset)
        self.counts = facilities.counts_for(session, actor)
        self.expiring = facilities.expiring_for(session, actor)
        self.export_links = {kind: files.download_url(actor, f"asset-register-{kind}") for kind in ("xlsx", "csv")}
        self._choices(session, actor, self.form_category)

    @rx.event
    def add_asset(self, form: dict):
        """Add one asset from the form (manager; the same checks as a spreadsheet row)."""
        self.notice = ""
        fields = self._asset_fields(form)
        if self._submit(facilities.add_asset, fields):
            self.notice = self._text("facilities.added", code=str(fields["code"]).strip())
            self.form_key += 1

    @rx.event
    def choose_category(self, category: str):
        """Show one category ('' for all); the service refuses anything else."""
        previous = (self.category, self.offset)
        self.category, self.offset = category if isinstance(category, str) else "?", 0  # the service refuses
        if not self._act(lambda session, actor: None):
            self.category, self.offset = previous

    @rx.event
    def turn(self, offset: int):
        """Show another page of the register."""
        previous = self.offset
        self.offset = offset if isinstance(offset, int) and not isinstance(offset, bool) else -1
        if not self._act(lambda session, actor: None):
            self.offset = previous

    def _forget_import(self) -> None:
        self.import_name, self.import_good, self.rejected, self._import_data = "", 0, [], b""

    @rx.event
    async def check_file(self, files: list[rx.UploadFile]):
        """The dry run of an uploaded XLSX or CSV file: how many rows would be added, and every refused row."""
        self.notice = ""
        self._forget_import()
        if not isinstance(files, list) or not files:
            return
        try:
            upload = files[0]
            data = await upload.read(spreadsheets.MAX_BYTES + 1)
            name = getattr(upload, "name", None) or getattr(upload, "filename", None) or ""
        except (AttributeError, TypeError):
            self.error = self._text("error.import_unreadable")
            return
        name = name.rsplit("/", 1)[-1][:100] if isinstance(name, str) else ""
        check = {}

        def dry_run(session, actor):
            check["result"] = spreadsheets.check_import(session, actor, data, name)
        if self._act(dry_run):
            result = check["result"]
            self.import_name, self.import_good, self.rejected = name, result.good, result.rejected
            self._import_data = data if result.ok else b""

    @rx.event
    def confirm_import(self):
        """Import the checked file (checked again; nothing is added if any row is refused now)."""
        if not self._import_data:
            return
        data, name = self._import_data, self.import_name
        outcome = {}

        def run(session, actor):
            outcome["result"] = spreadsheets.import_assets(session, actor, data, name)
        if self._act(run):
            result = outcome["result"]
            if result.ok:
                self._forget_import()
                self.notice = self._text("facilities.imported", count=result.good)
            else:
                self.import_good, self.rejected, self._import_data = result.good, result.rejected, b""

    @rx.event
    def cancel_import(self):
        self._forget_import()


class AssetState(AssetForm, SessionState):
    """One asset's record and defect history (any staff member; managers may correct or retire it)."""

    error: str = ""
    notice: str = ""
    values: dict[str, str] = {}
    row: AssetRow = EMPTY_ROW
    contractor: str = ""
    note: str = ""
    defects: list[DefectRow] = []
    can_edit: bool = False
    _asset: str = ""

    @rx.event
    def load(self):
        """Open the asset named in the address (`?id=…`)."""
        self._asset = str(self.router.url.query_parameters.get("id", ""))[:12]
        self.error = self.notice = self.form_error = ""
        with session_scope() as session:
            actor = self._enter(session, None)
            if actor is None or not actor.has(*facilities.READERS):
                return self._send_away(session)
            try:
                self._refresh(session, actor)
            except DomainError as error:
                self.row, self.defects, self.contractor, self.note, self.can_edit = EMPTY_ROW, [], "", "", False
                self.values = {}
                self.error = self._say(error)

    def _refresh(self, session: Session, actor: Actor) -> None:
        shown = facilities.record(session, actor, self._asset)
        self.row, self.contractor, self.note, self.defects, self.can_edit, self.values = (
            shown.row, shown.contractor, shown.note, shown.defects, shown.can_edit, shown.values)
        if shown.can_edit:
            self._choices(session, actor, shown.row.category)
        self.form_key += 1

    @rx.event
    def save(self, form: dict):
        """Correct the asset's fields from the form (manager; the same checks as adding it)."""
        self.notice = ""
        if self._submit(facilities.update_asset, self._asset, self._asset_fields(form)):
            self.notice = self._text("facilities.saved")

    @rx.event
    def report_defect(self, form: dict):
        """Mark the asset defective from now, with a note (staff; audited)."""
        self._act(facilities.open_defect, self._asset, "manual", self._fields(form).get("note", ""))

    @rx.event
    def close_defect(self, form: dict):
        """Mark the asset intact again from now (staff; audited)."""
        self._act(facilities.close_defect, self._asset, self._fields(form).get("note", ""))

    @rx.event
    def retire(self):
        """Take the asset out of the register from now (manager; audited)."""
        self._act(facilities.retire_asset, self._asset)
