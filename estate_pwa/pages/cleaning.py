"""Cleaning screens: the cleaner's day (a widget of the cleaner's home) and the manager's cleaning page."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, form_error, section_title
from estate_pwa.components.photos import photo_picker, thumbnails
from estate_pwa.models import Role
from estate_pwa.services.cleaning import COVERAGE, AreaCard, CoverageRow, ItemRow, TaskRow
from estate_pwa.states.cleaning import CleanerState, CleaningBoardState

SLOT_KEYS = [f"cleaning.slot_{s}" for s in ("day", "week", "shift", "rework")]
COVERAGE_KEYS = [f"cleaning.coverage_{s}" for s in COVERAGE]
COVERAGE_COLOURS = {"done": "green", "partly": "amber", "not_started": "gray", "overdue": "red",
                    "nothing_due": "gray"}


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
                    rx.cond(task.photo_required & ~task.done, rx.badge(rx.icon("camera", size=12),
                                                                       t("cleaning.needs_photo"), variant="outline")),
                    spacing="2", wrap="wrap", align="center",
                ),
                spacing="1", align="start",
            ),
            rx.spacer(),
            rx.cond(
                task.actions.contains("tick"),
                rx.cond(task.photo_required,
                        rx.button(rx.icon("camera", size=16), t("cleaning.tick_photo"), size="3",
                                  on_click=CleanerState.start_photo(task.id)),
                        rx.button(rx.icon("check", size=16), t("cleaning.tick"), size="3",
                                  on_click=CleanerState.tick(task.id))),
            ),
            align="center", width="100%", spacing="3",
        ),
        rx.cond(task.photos.length() > 0, thumbnails(task.photos)),
        width="100%", spacing="2",
    )


def _area(area: AreaCard) -> rx.Component:
    return card(
        rx.hstack(
            rx.text(area.name, size="4", weight="bold"),
            rx.spacer(),
            rx.badge(t_fill("cleaning.progress", done=area.done.to(str), total=area.total.to(str)),
                     color_scheme=rx.cond(area.done == area.total, "green", "amber"), size="2"),
            width="100%", align="center",
        ),
        rx.progress(value=rx.cond(area.total > 0, area.done * 100 / area.total, 0), width="100%",
                    aria_label=t_fill("cleaning.progress", done=area.done.to(str), total=area.total.to(str))),
        rx.foreach(area.tasks, _task),
    )


def _photo_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("cleaning.photo_title"), size="3"),
            rx.vstack(
                photo_picker("cleaning_photo", CleanerState.add_photos, CleanerState.previews),
                form_error(CleanerState.error),
                rx.hstack(
                    rx.button(t("cleaning.cancel"), variant="soft", color_scheme="gray",
                              on_click=CleanerState.cancel_photo),
                    rx.button(t("cleaning.confirm"), on_click=CleanerState.tick_with_photos,
                              disabled=CleanerState.previews.length() == 0),
                    justify="end", width="100%",
                ),
                spacing="3",
            ),
        ),
        open=CleanerState.photo_task > 0,
    )


def cleaner_areas() -> rx.Component:
    """Widget: the cleaner's areas of today in walking order, each item ticked in one tap."""
    return rx.vstack(
        section_title("cleaning.today"),
        form_error(CleanerState.error),
        rx.cond(CleanerState.areas.length() > 0, rx.foreach(CleanerState.areas, _area),
                card(rx.text(t("cleaning.none_today"), size="2", color="var(--gray-11)"))),
        _photo_dialog(),
        width="100%", spacing="3",
    )


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
            rx.button(rx.icon("clipboard-check", size=14), t("cleaning.inspect"), variant="soft", size="2",
                      on_click=CleaningBoardState.open_inspection(row.id)),
            width="100%", align="center",
        ),
    )


def _verdict(item: ItemRow) -> rx.Component:
    key = item.id.to(str)
    return rx.vstack(
        rx.text(item.text, size="2", weight="medium"),
        rx.segmented_control.root(
            rx.segmented_control.item(t("cleaning.pass"), value="pass"),
            rx.segmented_control.item(t("cleaning.fail"), value="fail"),
            value=CleaningBoardState.verdicts[key],
            on_change=lambda value: CleaningBoardState.mark(key, value),
            size="2",
        ),
        rx.cond(CleaningBoardState.verdicts[key] == "fail",
                rx.input(placeholder=t("cleaning.note"), aria_label=t("cleaning.note"), width="100%",
                         on_blur=lambda value: CleaningBoardState.write_note(key, value))),
        width="100%", spacing="2",
    )


def _inspection_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("cleaning.inspect_title"), size="3"),
            rx.text(CleaningBoardState.inspect_name, size="2", color="var(--gray-11)"),
            rx.vstack(
                rx.cond(CleaningBoardState.items.length() > 0, rx.foreach(CleaningBoardState.items, _verdict),
                        rx.text(t("cleaning.no_items"), size="2")),
                form_error(CleaningBoardState.error),
                rx.hstack(
                    rx.button(t("cleaning.cancel"), variant="soft", color_scheme="gray",
                              on_click=CleaningBoardState.close_inspection),
                    rx.button(t("cleaning.submit_inspection"), on_click=CleaningBoardState.submit_inspection,
                              disabled=CleaningBoardState.items.length() == 0),
                    justify="end", width="100%",
                ),
                spacing="3", margin_top="12px",
            ),
        ),
        open=CleaningBoardState.inspect_area > 0,
    )


@rx.page(route=routes.MANAGER_CLEANING, title=page_title("title.cleaning"), on_load=CleaningBoardState.load)
def manager_cleaning() -> rx.Component:
    """Manager: today's coverage per area and cleaner, unassigned areas first, assigning and inspecting."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER_CLEANING,
        "cleaning.title",
        rx.text(t("cleaning.definition"), size="1", color="var(--gray-11)"),
        rx.cond(CleaningBoardState.notice != "", rx.callout(CleaningBoardState.notice, color_scheme="green")),
        rx.cond(CleaningBoardState.inspect_area == 0, form_error(CleaningBoardState.error)),
        section_title("cleaning.coverage"),
        rx.foreach(CleaningBoardState.rows, _coverage),
        _inspection_dialog(),
    )
