"""Facilities screens: the manager's asset register (counts per category, one category's assets, fire equipment
about to expire, adding one asset, spreadsheet import with its dry run, export) and an asset's record for staff
(its QR code opens it; a manager corrects it there)."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.a11y import labelled_upload
from estate_pwa.components.i18n import LANGUAGE, page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, field_label, form_error, list_card, section_title
from estate_pwa.i18n import OWNER, TEXT
from estate_pwa.models import AssetCategory, ConditionGrade, Role
from estate_pwa.pages.reports import asset_codes
from estate_pwa.services.facilities import AssetRow, CategoryCount, DefectRow, RejectedRow
from estate_pwa.states.facilities import AssetState, FacilitiesState

CATEGORY_KEYS = [k for k in TEXT if k.startswith("facilities.category_")]
KIND_KEYS = [k for k in TEXT if k.startswith("facilities.kind_")]
GRADE_KEYS = [k for k in TEXT if k.startswith("facilities.grade_")]
SOURCE_KEYS = [k for k in TEXT if k.startswith("facilities.source_")]
UNIT_KEYS = ["facilities.unit_m2", "facilities.unit_m", "facilities.unit_items"]
REASON_KEYS = [k for k, feature in OWNER.items() if feature == "facilities" and k.startswith("error.")] + [
    "error.bad_request"]
IMPORT_ID = "asset-import"


def _quantity(row) -> rx.Var:
    return row.quantity + " " + t_key(row.unit_key, UNIT_KEYS)


def _count(count: CategoryCount) -> rx.Component:
    chosen = FacilitiesState.category == count.category
    return rx.button(
        rx.vstack(
            rx.text(t_key("facilities.category_" + count.category, CATEGORY_KEYS), size="2", weight="medium",
                    trim="both"),
            rx.text(t_fill("facilities.count_line", assets=count.assets.to(str), quantity=_quantity(count)),
                    size="1"),
            rx.cond(count.defective > 0,
                    rx.badge(t_fill("facilities.defective_now", count=count.defective.to(str)), color_scheme="red",
                             variant="soft")),
            spacing="1", align="start", width="100%",
        ),
        variant=rx.cond(chosen, "solid", "surface"), color_scheme="gray", height="auto", padding="10px",
        width="100%", justify="start", text_align="left", aria_pressed=rx.cond(chosen, "true", "false"),
        on_click=FacilitiesState.choose_category(count.category), data_category=count.category,
    )


def _status(row: AssetRow) -> rx.Component:
    return rx.hstack(
        rx.cond(row.defective, rx.badge(t("facilities.defective"), color_scheme="red"),
                rx.badge(t("facilities.intact"), color_scheme="green", variant="soft")),
        rx.cond(row.grade != "", rx.badge(t_key("facilities.grade_" + row.grade, GRADE_KEYS), variant="outline")),
        rx.cond(row.expired, rx.badge(t_fill("facilities.expired_on", date=row.expires_on), color_scheme="red"),
                rx.cond(row.expiring, rx.badge(t_fill("facilities.expires_on", date=row.expires_on),
                                               color_scheme="amber"))),
        spacing="1", wrap="wrap",
    )


def _asset(row: AssetRow) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(
                rx.text(row.code, " · ", row.name, size="2", weight="medium", trim="both"),
                rx.text(t_key("facilities.kind_" + row.subkind, KIND_KEYS), " · ", _quantity(row),
                        rx.cond(row.building != "", " · " + row.building, ""),
                        rx.cond(row.location != "", " · " + row.location, ""), size="1", color="var(--gray-11)"),
                spacing="1", flex="1", min_width="0",
            ),
            _status(row),
            align="center", width="100%", spacing="3", padding_y="6px", border_bottom="1px solid var(--gray-a4)",
        ),
        href=row.link, underline="none", color="inherit", width="100%",
    )


def _expiring() -> rx.Component:
    return rx.cond(FacilitiesState.expiring.length() > 0, card(
        rx.hstack(rx.icon("flame", size=18, color="var(--amber-11)"),
                  rx.text(t("facilities.expiring_title"), weight="bold", size="3"), align="center"),
        rx.text(t("facilities.expiring_hint"), size="1", color="var(--gray-11)"),
        rx.foreach(FacilitiesState.expiring, _asset),
    ))


def _input(prefix: str, name: str, label_key: str, default, **props) -> rx.Component:
    field_id = f"{prefix}-{name}"
    return rx.vstack(field_label(t(label_key), field_id, size="2"),
                     rx.input(id=field_id, name=name, default_value=default, width="100%", **props),
                     spacing="1", width="100%")


def _choose(prefix: str, name: str, label_key: str, items: list | rx.Component, default, **props) -> rx.Component:
    field_id = f"{prefix}-{name}"
    return rx.vstack(
        field_label(t(label_key), field_id, size="2"),
        rx.select.root(rx.select.trigger(id=field_id, placeholder=t("facilities.choose"), width="100%",
                                         aria_label=t(label_key)),
                       rx.select.content(*items) if isinstance(items, list) else rx.select.content(items),
                       name=name, default_value=default, required=True, **props),
        spacing="1", width="100%",
    )


def asset_form(state, prefix: str, on_submit, submit_key: str, values=None) -> rx.Component:
    """A manager's asset form (adding on the register, correcting on a record, `values` its current fields): the
    category chosen decides the kinds offered and which of grade, expiry and contractor is asked."""
    def value(name: str):
        return values[name] if values is not None else ""
    category = state.form_category
    kind = rx.cond(category == values["category"], values["subkind"], "") if values is not None else ""
    return rx.form(
        rx.vstack(
            rx.grid(
                _input(prefix, "code", "facilities.col_code", value("code"), max_length=32, required=True),
                _input(prefix, "name", "facilities.col_name", value("name"), max_length=100, required=True),
                _choose(prefix, "category", "facilities.col_category",
                        [rx.select.item(t(f"facilities.category_{c.value}"), value=c.value) for c in AssetCategory],
                        category, on_change=state.pick_category),
                _choose(prefix, "subkind", "facilities.col_kind",
                        rx.foreach(state.form_kinds, lambda kind: rx.select.item(
                            t_key("facilities.kind_" + kind, KIND_KEYS), value=kind)),
                        kind, key=category + LANGUAGE),
                _input(prefix, "quantity", "facilities.quantity_label", value("quantity"), input_mode="decimal",
                       max_length=12, required=True),
                _input(prefix, "location", "facilities.col_location", value("location"), max_length=100),
                _input(prefix, "building", "facilities.building_hint", value("building"), max_length=50,
                       list=f"{prefix}-buildings"),
                rx.cond(category == AssetCategory.HOUSING.value, _choose(
                    prefix, "grade", "facilities.col_grade",
                    [rx.select.item(t(f"facilities.grade_{g.value}"), value=g.value) for g in ConditionGrade],
                    value("grade"))),
                rx.cond(category == AssetCategory.FIRE_EQUIPMENT.value,
                        _input(prefix, "expires_on", "facilities.col_expires", value("expires_on"), type="date")),
                rx.cond(category == AssetCategory.PUBLIC_EQUIPMENT.value,
                        _input(prefix, "contractor", "facilities.col_contractor", value("contractor"),
                               max_length=100)),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
            ),
            _input(prefix, "note", "facilities.col_note", value("note"), max_length=500),
            rx.el.datalist(rx.foreach(state.buildings, lambda name: rx.el.option(value=name)),
                           id=f"{prefix}-buildings"),
            form_error(state.form_error),
            rx.button(t(submit_key), type="submit"),
            spacing="3", width="100%",
        ),
        on_submit=on_submit, key=state.form_key.to_string() + LANGUAGE, width="100%",
    )


def _add_asset() -> rx.Component:
    return card(rx.el.details(
        rx.el.summary(rx.text(t("facilities.add_title"), as_="span", weight="bold", size="3"), cursor="pointer"),
        rx.text(t("facilities.add_hint"), size="1", color="var(--gray-11)", margin_y="8px"),
        asset_form(FacilitiesState, "new-asset", FacilitiesState.add_asset, "facilities.add"),
        id="add-asset", width="100%",
    ))


def _rejected(row: RejectedRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.row),
        rx.table.cell(row.code),
        rx.table.cell(t_key(row.reason, REASON_KEYS)),
    )


def _import() -> rx.Component:
    state = FacilitiesState
    return card(
        rx.text(t("facilities.import_title"), weight="bold", size="3"),
        rx.text(t("facilities.import_hint"), size="1", color="var(--gray-11)"),
        labelled_upload(
            t("facilities.import_choose"),
            rx.button(rx.icon("upload", size=14), t("facilities.import_choose"), type="button", size="2",
                      variant="soft"),
            id=IMPORT_ID, max_files=1, multiple=False, border="none", padding="0",
            accept={"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
                    "text/csv": [".csv"]},
            on_drop=state.check_file(rx.upload_files(upload_id=IMPORT_ID)),
        ),
        rx.cond(state.import_name != "", rx.vstack(
            rx.text(t_fill("facilities.dry_run", name=state.import_name, good=state.import_good.to(str),
                           bad=state.rejected.length().to(str)), size="2", id="dry-run-summary"),
            rx.cond(state.rejected.length() > 0, rx.vstack(
                rx.callout(t("facilities.import_blocked"), icon="triangle-alert", color_scheme="amber", size="1"),
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell(t("facilities.col_row")),
                        rx.table.column_header_cell(t("facilities.col_code")),
                        rx.table.column_header_cell(t("facilities.col_reason")),
                    )),
                    rx.table.body(rx.foreach(state.rejected, _rejected)),
                    size="1", width="100%",
                ), overflow_x="auto", width="100%"),
                width="100%", spacing="2",
            )),
            rx.hstack(
                rx.button(t("facilities.cancel"), variant="soft", color_scheme="gray", on_click=state.cancel_import),
                rx.button(t_fill("facilities.import_confirm", count=state.import_good.to(str)),
                          on_click=state.confirm_import,
                          disabled=(state.rejected.length() > 0) | (state.import_good == 0)),
                spacing="2", justify="end", width="100%",
            ),
            width="100%", spacing="2",
        )),
    )


@rx.page(route=routes.MANAGER_FACILITIES, title=page_title("title.facilities"), on_load=FacilitiesState.load)
def manager_facilities() -> rx.Component:
    """Manager: the register by category with its counts, fire equipment about to expire, import and export."""
    state = FacilitiesState
    return app_page(
        Role.MANAGER,
        routes.MANAGER,
        "title.facilities",
        rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("facilities.back"), align="center"), href=routes.MANAGER,
                size="2"),
        rx.text(t("facilities.definition"), size="1", color="var(--gray-11)"),
        rx.cond(state.notice != "", rx.callout(state.notice, color_scheme="green", role="status")),
        form_error(state.error),
        _expiring(),
        _add_asset(),
        section_title("facilities.categories"),
        rx.grid(rx.foreach(state.counts, _count), columns=rx.breakpoints(initial="2", sm="3", md="5"), spacing="2",
                width="100%"),
        rx.hstack(
            rx.text(rx.cond(state.category == "", t("facilities.all"),
                            t_key("facilities.category_" + state.category, CATEGORY_KEYS)), weight="bold", size="3"),
            rx.text(t_fill("facilities.total", total=state.total.to(str)), size="2", color="var(--gray-11)"),
            rx.spacer(),
            rx.cond(state.category != "", rx.button(t("facilities.show_all"), size="1", variant="soft",
                                                     on_click=state.choose_category(""))),
            align="center", width="100%", wrap="wrap",
        ),
        card(
            rx.cond(state.rows.length() > 0, rx.foreach(state.rows, _asset),
                    rx.text(t("facilities.none"), size="2", color="var(--gray-11)")),
            rx.hstack(
                rx.button(t("facilities.previous"), size="1", variant="soft", disabled=state.offset <= 0,
                          on_click=state.turn(state.offset - 50)),
                rx.button(t("facilities.next"), size="1", variant="soft", disabled=state.offset + 50 >= state.total,
                          on_click=state.turn(state.offset + 50)),
                spacing="2",
            ),
        ),
        _import(),
        asset_codes(),
        card(
            rx.text(t("facilities.export_title"), weight="bold", size="3"),
            rx.hstack(
                *[rx.link(rx.button(rx.icon("download", size=14), t(key), variant="soft", size="2"),
                          href=state.export_links[kind], download=True, reload_document=True)
                  for kind, key in (("xlsx", "facilities.export_xlsx"), ("csv", "facilities.export_csv"))],
                spacing="2", wrap="wrap",
            ),
        ),
    )


def _defect(row: DefectRow) -> rx.Component:
    return rx.hstack(
        rx.badge(rx.cond(row.closed == "", t("facilities.open_defect"), t("facilities.closed_defect")),
                 color_scheme=rx.cond(row.closed == "", "red", "gray"), variant="soft"),
        rx.vstack(
            rx.text(row.opened, rx.cond(row.closed != "", " → " + row.closed, ""), size="2"),
            rx.text(t_key("facilities.source_" + row.source, SOURCE_KEYS),
                    rx.cond(row.note != "", " · " + row.note, ""),
                    rx.cond(row.close_note != "", " → " + row.close_note, ""), size="1", color="var(--gray-11)"),
            spacing="0", flex="1", min_width="0",
        ),
        rx.cond(row.request_link != "", rx.link(t("facilities.open_request"), href=row.request_link, size="2")),
        align="center", width="100%", spacing="3",
    )


def _defect_form(handler, key: str, icon: str, colour: str) -> rx.Component:
    return rx.form(
        rx.vstack(
            field_label(t("facilities.defect_note"), "defect-note", size="2"),
            rx.input(id="defect-note", name="note", max_length=500, width="100%"),
            rx.button(rx.icon(icon, size=14), t(key), type="submit", color_scheme=colour),
            spacing="2", width="100%",
        ),
        on_submit=handler, reset_on_submit=True, width="100%",
    )


def _field(key: str, value) -> rx.Component:
    return rx.hstack(rx.text(t(key), size="2", color="var(--gray-11)", min_width="6em"), rx.text(value, size="2"),
                     spacing="3", width="100%")


@rx.page(route=routes.FACILITY_ASSET, title=page_title("title.facility_asset"), on_load=AssetState.load)
def asset_page() -> rx.Component:
    """Staff: one asset's record and defect history; mark it defective or intact; a manager may retire it."""
    state = AssetState
    row = state.row
    return app_page(
        None,
        routes.FACILITY_ASSET,
        "title.facility_asset",
        rx.cond(state.can_edit, rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("facilities.register_link"),
                                                  align="center"), href=routes.MANAGER_FACILITIES, size="2")),
        rx.cond(state.notice != "", rx.callout(state.notice, color_scheme="green", role="status")),
        form_error(state.error),
        rx.cond(row.id > 0, rx.vstack(
            rx.heading(row.code, " · ", row.name, size="5"),
            _status(row),
            card(
                _field("facilities.col_category", t_key("facilities.category_" + row.category, CATEGORY_KEYS)),
                _field("facilities.col_kind", t_key("facilities.kind_" + row.subkind, KIND_KEYS)),
                _field("facilities.col_quantity", _quantity(row)),
                rx.cond(row.building != "", _field("facilities.col_building", row.building)),
                rx.cond(row.location != "", _field("facilities.col_location", row.location)),
                rx.cond(row.expires_on != "", _field("facilities.col_expires", row.expires_on)),
                rx.cond(state.contractor != "", _field("facilities.col_contractor", state.contractor)),
                rx.cond(state.note != "", _field("facilities.col_note", state.note)),
            ),
            card(rx.cond(row.defective, _defect_form(state.close_defect, "facilities.mark_intact", "circle-check",
                                                     "green"),
                         _defect_form(state.report_defect, "facilities.mark_defective", "triangle-alert", "red"))),
            section_title("facilities.history"),
            list_card(state.defects, _defect, "facilities.no_defects"),
            rx.cond(state.can_edit, card(rx.el.details(
                rx.el.summary(rx.text(t("facilities.edit_title"), as_="span", weight="bold", size="3"),
                              cursor="pointer"),
                asset_form(state, "edit-asset", state.save, "facilities.save", state.values),
                id="edit-asset", width="100%",
            ))),
            rx.cond(state.can_edit & ~row.retired, rx.button(t("facilities.retire"), variant="outline",
                                                            color_scheme="red", on_click=state.retire)),
            spacing="3", width="100%",
        )),
    )

