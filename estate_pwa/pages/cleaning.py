"""Cleaning screens: the cleaner's day (a widget of the cleaner's home), the inspector's phone and the manager's
cleaning page. Field actions — a tick (a photo item opens the phone's camera), an inspection with its photos — are
queued in the phone's outbox by assets/outbox.js (a tick button or an inspection form carries `data-outbox-kind`),
so they work without a signal and are recorded once when it returns; the outbox notice on each of these screens
says how many wait, and the lists they start from are kept on the phone for an offline reload."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_fill, t_key
from estate_pwa.components.layout import (
    app_page,
    card,
    field_label,
    form_error,
    list_card,
    section_title,
)
from estate_pwa.components.outbox import kept_on_phone, outbox
from estate_pwa.components.photos import camera_input, thumbnails
from estate_pwa.models import AreaKind, Frequency, Role
from estate_pwa.pages.reports import cleaner_reports, manager_reports
from estate_pwa.services.cleaning import (
    COVERAGE,
    PHOTO_FOLDER,
    INSPECTION,
    TICK,
    AreaCard,
    AreaSheet,
    CoverageRow,
    ItemRow,
    PresenceRow,
    ReworkRow,
    StaffRight,
    TaskRow,
)
from estate_pwa.states.cleaning import CleanerState, CleaningBoardState, InspectState

SLOT_KEYS = [f"cleaning.slot_{s}" for s in ("day", "week", "shift", "rework")]
COVERAGE_KEYS = [f"cleaning.coverage_{s}" for s in COVERAGE]
KIND_KEYS = [f"cleaning.kind_{k.value}" for k in AreaKind]
FREQUENCY_KEYS = [f"cleaning.frequency_{f.value}" for f in Frequency]
COVERAGE_COLOURS = {"done": "green", "partly": "amber", "not_started": "gray", "overdue": "red",
                    "nothing_due": "gray"}


def _tick_button(task: TaskRow) -> rx.Component:
    """One tap ticks the task (queued in the outbox); a photo item opens the camera first, then queues both."""
    return rx.cond(
        task.photo_required,
        rx.el.label(
            rx.icon("camera", size=16),
            rx.el.span(t("cleaning.tick_photo")),
            rx.el.input(type="file", accept="image/*", capture="environment", class_name="sr-only",
                        custom_attrs={"data-outbox-kind": TICK, "data-outbox-task": task.id,
                                      "data-outbox-folder": PHOTO_FOLDER,
                                      "data-outbox-about": "tick-" + task.id.to(str)},
                        data_testid="tick-photo"),
            class_name="rt-reset rt-BaseButton rt-r-size-3 rt-variant-solid rt-Button",
            style={"display": "inline-flex", "gap": "8px", "alignItems": "center", "cursor": "pointer"},
        ),
        rx.button(rx.icon("check", size=16), t("cleaning.tick"), size="3", type="button",
                  custom_attrs={"data-outbox-kind": TICK, "data-outbox-task": task.id,
                                "data-outbox-about": "tick-" + task.id.to(str)}, data_testid="tick"),
    )


def _task(task: TaskRow) -> rx.Component:
    when = rx.cond(task.done, t_fill("cleaning.done_at", time=task.done_at), t_fill("cleaning.due", time=task.due))
    return rx.vstack(
        rx.hstack(
            rx.icon(rx.cond(task.done, "circle-check", "circle"), size=20,
                    color=rx.cond(task.done, "var(--green-9)", "var(--gray-8)")),
            rx.vstack(
                rx.text(task.item, size="3", weight="medium"),
                rx.hstack(
                    rx.badge(rx.cond(task.shift != "", task.shift, t_key("cleaning.slot_" + task.slot, SLOT_KEYS)),
                             variant="soft", color_scheme=rx.cond(task.slot == "rework", "red", "gray")),
                    rx.text(when, size="1", color="var(--gray-11)"),
                    rx.cond(task.overdue, rx.badge(t("cleaning.overdue"), color_scheme="red")),
                    rx.cond(task.done & ~task.present, rx.badge(t("cleaning.no_presence"), color_scheme="amber",
                                                               variant="outline")),
                    rx.cond(task.photo_required & ~task.done, rx.badge(rx.icon("camera", size=12),
                                                                       t("cleaning.needs_photo"), variant="outline")),
                    spacing="2", wrap="wrap", align="center",
                ),
                spacing="1", align="start",
            ),
            rx.spacer(),
            rx.cond(task.actions.contains("tick"), _tick_button(task)),
            align="center", width="100%", spacing="3",
        ),
        rx.cond(task.photos.length() > 0, thumbnails(task.photos)),
        width="100%", spacing="2", data_testid="task-row",
    )


def _area(area: AreaCard) -> rx.Component:
    return card(
        rx.hstack(
            rx.text(area.name, size="4", weight="bold"),
            rx.spacer(),
            rx.badge(t_fill("cleaning.progress", done=area.done.to(str), total=area.total.to(str)),
                     color_scheme=rx.cond(area.done == area.total, "green", "amber"), size="2",
                     data_testid="area-progress"),
            width="100%", align="center",
        ),
        rx.progress(value=rx.cond(area.total > 0, area.done * 100 / area.total, 0), width="100%",
                    aria_label=t_fill("cleaning.progress", done=area.done.to(str), total=area.total.to(str))),
        rx.foreach(area.tasks, _task),
    )


def cleaner_areas() -> rx.Component:
    """Widget: the phone's outbox, the cleaner's areas of today in walking order (each item ticked in one tap),
    and the way to scan an area's posted code."""
    return rx.vstack(
        outbox(),
        cleaner_reports(),
        rx.hstack(
            section_title("cleaning.today"),
            rx.spacer(),
            rx.link(rx.button(rx.icon("scan-line", size=16), t("cleaning.scan_area"), variant="soft", size="2"),
                    href=routes.CLEANER_SCAN),
            width="100%", align="center",
        ),
        form_error(CleanerState.error),
        rx.cond(CleanerState.inspector, rx.link(rx.button(rx.icon("clipboard-check", size=16), t("cleaning.inspect_page"),
                                                          variant="outline", size="2"),
                                                href=routes.CLEANING_INSPECT)),
        kept_on_phone(
            "cleaner-today", CleanerState.loaded,
            rx.cond(CleanerState.areas.length() > 0, rx.foreach(CleanerState.areas, _area),
                    card(rx.text(t("cleaning.none_today"), size="2", color="var(--gray-11)"))),
        ),
        width="100%", spacing="3",
    )


# ---- inspections (an inspector's or a manager's phone) ----

def _verdict(item: ItemRow) -> rx.Component:
    """Pass / fail / damage for one item (native radios: the form works without the server), a note and photos."""
    key = item.id.to(str)
    choices = [rx.el.label(
        rx.el.input(type="radio", name="result." + key, value=verdict, default_checked=verdict == "pass"),
        t(label),
        style={"display": "inline-flex", "gap": "4px", "alignItems": "center", "minHeight": "32px"},
    ) for verdict, label in (("pass", "cleaning.pass"), ("fail", "cleaning.fail"), ("damage", "cleaning.damage"))]
    return rx.el.fieldset(
        rx.el.legend(item.text, style={"fontWeight": "500", "fontSize": "14px"}),
        rx.hstack(*choices, spacing="4", wrap="wrap"),
        rx.input(name="note." + key, placeholder=t("cleaning.note"), aria_label=t("cleaning.note"), width="100%",
                 max_length=200),
        camera_input("photos." + key, t_fill("cleaning.item_photos", item=item.text), "item-photos"),
        style={"border": "none", "padding": "0", "margin": "0", "display": "flex", "flexDirection": "column",
               "gap": "6px", "width": "100%"},
    )


def _sheet(sheet: AreaSheet) -> rx.Component:
    """One area's inspection: a plain form the phone's outbox queues (assets/outbox.js), each item's photos too."""
    about = "inspect-" + sheet.id.to(str)
    return card(rx.el.details(
        rx.el.summary(rx.el.span(sheet.name, style={"fontWeight": "600"}), " · ", t("cleaning.inspect"),
                      style={"cursor": "pointer", "minHeight": "32px", "display": "list-item"}),
        rx.el.form(
            rx.el.input(type="hidden", name="area_id", value=sheet.id.to(str)),
            rx.cond(sheet.checklist.length() > 0, rx.foreach(sheet.checklist, _verdict),
                    rx.text(t("cleaning.no_items"), size="2")),
            rx.text(t("cleaning.damage_hint"), size="1", color="var(--gray-11)"),
            rx.button(t("cleaning.submit_inspection"), type="submit", size="3",
                      disabled=sheet.checklist.length() == 0),
            custom_attrs={"data-outbox-kind": INSPECTION, "data-outbox-folder": PHOTO_FOLDER,
                          "data-outbox-about": about},
            style={"display": "flex", "flexDirection": "column", "gap": "12px", "marginTop": "12px"},
        ),
        custom_attrs={"data-outbox-about": about},
        data_testid="inspection-sheet",
    ))


def _notice(state) -> rx.Component:
    return rx.cond(state.notice != "", rx.callout(state.notice, color_scheme="green", role="status"))


@rx.page(route=routes.CLEANING_INSPECT, title=page_title("title.cleaning_inspect"), on_load=InspectState.load)
def cleaning_inspect() -> rx.Component:
    """An inspector's phone: open an area, mark its items, add photos; failures become rework, damage a repair.
    Queued in the phone's outbox, so it works without a signal; the list is kept on the phone."""
    return app_page(
        None,
        routes.CLEANING_INSPECT,
        "cleaning.inspect_page",
        outbox(),
        _notice(InspectState),
        form_error(InspectState.error),
        kept_on_phone("cleaning-inspect", InspectState.loaded, rx.foreach(InspectState.sheets, _sheet)),
    )


# ---- the manager's page ----

def _coverage(row: CoverageRow) -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.text(row.name, size="3", weight="bold"),
                rx.cond(row.unassigned,
                        rx.badge(rx.icon("triangle-alert", size=12), t("cleaning.unassigned"), color_scheme="red"),
                        rx.text(row.cleaner, size="2", color="var(--gray-11)")),
                spacing="1", align="start",
            ),
            rx.spacer(),
            rx.vstack(
                rx.badge(t_key("cleaning.coverage_" + row.status, COVERAGE_KEYS),
                         color_scheme=rx.match(row.status, *COVERAGE_COLOURS.items(), "gray"), size="2"),
                rx.text(row.done.to(str) + "/" + row.total.to(str), size="1", color="var(--gray-11)"),
                align="end", spacing="1",
            ),
            width="100%", align="center",
        ),
        rx.cond(row.rework_open > 0, rx.text(t_fill("cleaning.rework", open=row.rework_open.to(str),
                                                      overdue=row.rework_overdue.to(str)),
                                               size="2", color=rx.cond(row.rework_overdue > 0, "var(--red-11)",
                                                                       "var(--amber-11)"))),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(placeholder=t("cleaning.choose_cleaner"), aria_label=t("cleaning.assign")),
                rx.select.content(rx.foreach(CleaningBoardState.cleaners,
                                             lambda c: rx.select.item(c.name, value=c.id))),
                on_change=lambda value: CleaningBoardState.assign(row.id, value),
                size="2",
            ),
            rx.spacer(),
            rx.link(rx.button(rx.icon("clipboard-check", size=14), t("cleaning.inspect"), variant="soft", size="2"),
                    href=routes.CLEANING_INSPECT),
            width="100%", align="center",
        ),
    )


def _cleaner_line(row: CoverageRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.name, size="2", weight="medium"),
        rx.spacer(),
        rx.text(row.done.to(str) + "/" + row.total.to(str), size="2", color="var(--gray-11)"),
        rx.badge(t_key("cleaning.coverage_" + row.status, COVERAGE_KEYS),
                 color_scheme=rx.match(row.status, *COVERAGE_COLOURS.items(), "gray")),
        width="100%", align="center",
    )


def _rework_line(row: ReworkRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row.area + " · " + row.item, size="2", weight="medium"),
            rx.text(row.cleaner, size="1", color="var(--gray-11)"),
            spacing="0", align="start",
        ),
        rx.spacer(),
        rx.cond(row.repair != "", rx.badge(t("cleaning.repair_opened") + " " + row.repair, color_scheme="blue")),
        rx.badge(t_fill("cleaning.due", time=row.due), color_scheme=rx.cond(row.overdue, "red", "gray")),
        rx.cond(row.overdue, rx.badge(t("cleaning.overdue"), color_scheme="red")),
        width="100%", align="center", data_testid="rework-row",
    )


def _presence_line(row: PresenceRow) -> rx.Component:
    return rx.hstack(
        rx.icon("map-pin-off", size=14, color="var(--amber-11)"),
        rx.text(row.area + " · " + row.item, size="2"),
        rx.spacer(),
        rx.text(row.cleaner + " " + row.done_at, size="1", color="var(--gray-11)"),
        width="100%", align="center",
    )


def _results_chart() -> rx.Component:
    return rx.recharts.responsive_container(
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key="passed", stack_id="r", fill="var(--green-9)", name="passed",
                            is_animation_active=False),
            rx.recharts.bar(data_key="failed", stack_id="r", fill="var(--red-9)", name="failed",
                            is_animation_active=False),
            rx.recharts.x_axis(data_key="day", font_size=10),
            rx.recharts.y_axis(font_size=11, width=30, allow_decimals=False),
            rx.recharts.graphing_tooltip(),
            data=CleaningBoardState.results,
        ),
        width="100%", height=180,
    )


def _template_line(item: ItemRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(item.text, size="2", weight="medium", color=rx.cond(item.active, "inherit", "var(--gray-10)")),
            rx.hstack(
                rx.badge(t_key("cleaning.kind_" + item.kind, KIND_KEYS), variant="soft"),
                rx.badge(t_key("cleaning.frequency_" + item.frequency, FREQUENCY_KEYS), variant="outline"),
                rx.cond(item.photo_required, rx.badge(rx.icon("camera", size=12), t("cleaning.needs_photo"))),
                spacing="1", wrap="wrap",
            ),
            spacing="1", align="start",
        ),
        rx.spacer(),
        rx.switch(checked=item.active, on_change=lambda on: CleaningBoardState.set_item_active(item.id, on),
                  aria_label=t("cleaning.item_active")),
        width="100%", align="center",
    )


def _item_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field_label(t("cleaning.item_text"), "item-text", size="2"),
            rx.input(id="item-text", name="text", width="100%"),
            rx.hstack(
                rx.select.root(rx.select.trigger(aria_label=t("cleaning.item_kind")),
                               rx.select.content(*[rx.select.item(t(f"cleaning.kind_{k.value}"), value=k.value)
                                                   for k in AreaKind]),
                               name="kind", default_value=AreaKind.LOBBY.value),
                rx.select.root(rx.select.trigger(aria_label=t("cleaning.item_frequency")),
                               rx.select.content(*[rx.select.item(t(f"cleaning.frequency_{f.value}"), value=f.value)
                                                   for f in Frequency if f != Frequency.WEEKDAYS]),
                               name="frequency", default_value=Frequency.DAILY.value),
                rx.checkbox(t("cleaning.needs_photo"), name="photo", size="2"),
                wrap="wrap", spacing="2", align="center",
            ),
            rx.button(rx.icon("plus", size=14), t("cleaning.add_item"), type="submit", size="2"),
            spacing="2", width="100%",
        ),
        on_submit=CleaningBoardState.add_item,
        reset_on_submit=True,
        key=CleaningBoardState.item_form,
    )


def _right_line(person: StaffRight) -> rx.Component:
    return rx.hstack(
        rx.text(person.name, size="2"),
        rx.spacer(),
        rx.el.label(rx.hstack(
            rx.text(t("role.inspector"), size="1", color="var(--gray-11)"),
            rx.switch(checked=person.inspector,
                      on_change=lambda on: CleaningBoardState.set_inspector(person.id, on)),
            align="center", spacing="2",
        )),
        width="100%", align="center",
    )


@rx.page(route=routes.MANAGER_CLEANING, title=page_title("title.cleaning"), on_load=CleaningBoardState.load)
def manager_cleaning() -> rx.Component:
    """Manager: today's coverage per area and cleaner, rework, presence flags, inspections over time, assigning
    and inspecting, checklist templates and inspector rights."""
    state = CleaningBoardState
    return app_page(
        Role.MANAGER,
        routes.MANAGER_CLEANING,
        "cleaning.title",
        outbox(),
        rx.text(t("cleaning.definition"), size="1", color="var(--gray-11)"),
        rx.text(t("cleaning.coverage_definition"), size="1", color="var(--gray-11)"),
        form_error(state.error),
        section_title("cleaning.by_cleaner"),
        list_card(state.by_cleaner, _cleaner_line, "cleaning.nothing_yet"),
        section_title("cleaning.rework_outstanding"),
        list_card(state.rework, _rework_line, "cleaning.nothing_yet"),
        section_title("cleaning.presence_flags"),
        list_card(state.presence, _presence_line, "cleaning.nothing_yet"),
        section_title("cleaning.results_over_time"),
        card(_results_chart(), rx.text(t("cleaning.results_legend"), size="1", color="var(--gray-11)")),
        section_title("cleaning.coverage"),
        rx.foreach(state.rows, _coverage),
        manager_reports(),
        section_title("cleaning.templates"),
        card(_item_form(), rx.foreach(state.templates, _template_line)),
        section_title("cleaning.inspectors"),
        card(rx.text(t("cleaning.inspectors_hint"), size="1", color="var(--gray-11)"),
             rx.foreach(state.rights, _right_line),
             rx.link(t("cleaning.inspect_page"), href=routes.CLEANING_INSPECT, size="2")),
    )

