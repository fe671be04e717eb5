"""Inspection screens (phone first): the inspector's list of today in walking order, each task with its form
(queued in the phone's outbox with its photos, offline too; the list kept on the phone), and for managers the
overdue tasks, fire equipment nearing expiry and the plans (reached from the roster and the technician's home; the
manager's tab bar is full)."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import (
    LANGUAGE,
    ROLE_KEYS,
    page_title,
    t,
    t_fill,
    t_key,
)
from estate_pwa.components.layout import (
    app_page,
    card,
    field_label,
    form_error,
    list_card,
    section_title,
)
from estate_pwa.components.outbox import kept_on_phone, outbox
from estate_pwa.components.photos import camera_input
from estate_pwa.models import AssetCategory, PlanFrequency
from estate_pwa.services.inspections import INSPECTORS, PHOTO_FOLDER, ExpiryRow, PlanRow, TaskRow
from estate_pwa.services.inspections.outbox import INSPECTION
from estate_pwa.states.inspections import InspectionsState

CATEGORY_KEYS = [f"facilities.category_{c.value}" for c in AssetCategory] + ["inspections.one_asset"]
FREQUENCY_KEYS = [f"inspections.frequency_{f.value}" for f in PlanFrequency]


def inspections_link() -> rx.Component:
    """Widget for a staff home: the way to today's inspections."""
    return rx.link(
        rx.button(rx.icon("clipboard-check", size=16), t("inspections.open"), variant="soft", size="3",
                  width="100%"),
        href=routes.INSPECTIONS, width="100%",
    )


def _item(item: rx.Var, index: rx.Var) -> rx.Component:
    """Intact or defective for one checklist item (native radios: the form works without the server), a note and
    photos."""
    position = index.to(str)
    choices = [rx.el.label(
        rx.el.input(type="radio", name="outcome." + position, value=value, default_checked=value == "intact"),
        t(label),
        style={"display": "inline-flex", "gap": "4px", "alignItems": "center", "minHeight": "32px"},
    ) for value, label in (("intact", "inspections.intact"), ("defective", "inspections.defective"))]
    return rx.el.fieldset(
        rx.el.legend(item, style={"fontWeight": "500", "fontSize": "14px"}),
        rx.hstack(*choices, spacing="4", wrap="wrap"),
        rx.input(name="note." + position, placeholder=t("inspections.note"), aria_label=t("inspections.note"),
                 width="100%", max_length=200),
        camera_input("photos." + position, t_fill("inspections.item_photos", item=item), "item-photos"),
        style={"border": "none", "padding": "0", "margin": "0", "display": "flex", "flexDirection": "column",
               "gap": "6px", "width": "100%"},
    )


def _form(task: TaskRow) -> rx.Component:
    """The task's inspection: a plain form the phone's outbox queues with each item's photos (assets/outbox.js),
    offline too; recorded once, whenever it reaches the server."""
    about = "inspection-" + task.id.to(str)
    return rx.el.details(
        rx.el.summary(t_fill("inspections.inspect_named", name=task.name),
                      style={"cursor": "pointer", "minHeight": "32px", "fontWeight": "600"}),
        rx.el.form(
            rx.el.input(type="hidden", name="task_id", value=task.id.to(str)),
            rx.cond(task.recheck, rx.callout(t("inspections.recheck_hint"), color_scheme="blue", size="1")),
            rx.foreach(task.checklist, _item),
            rx.button(t("inspections.submit"), type="submit", size="3"),
            custom_attrs={"data-outbox-kind": INSPECTION, "data-outbox-folder": PHOTO_FOLDER,
                          "data-outbox-about": about},
            style={"display": "flex", "flexDirection": "column", "gap": "12px", "marginTop": "12px"},
        ),
        custom_attrs={"data-outbox-about": about},
        width="100%",
    )


def task_card(task: TaskRow) -> rx.Component:
    """One task: the asset, its state and, when the viewer may record it, its inspection form."""
    return card(
        rx.hstack(
            rx.icon(rx.cond(task.done, rx.cond(task.defective, "circle-x", "circle-check"), "circle"), size=20,
                    color=rx.cond(task.done, rx.cond(task.defective, "var(--red-9)", "var(--green-9)"),
                                  "var(--gray-8)")),
            rx.vstack(
                rx.text(task.name, size="3", weight="medium"),
                rx.text(task.code, " · ", task.location, size="1", color="var(--gray-11)"),
                rx.hstack(
                    rx.badge(t_key(task.category, CATEGORY_KEYS), variant="soft"),
                    rx.cond(task.recheck, rx.badge(t("inspections.recheck"), color_scheme="blue")),
                    rx.cond(task.overdue, rx.badge(t("inspections.overdue"), color_scheme="red")),
                    rx.cond(task.expired, rx.badge(t_fill("inspections.expired", date=task.expires),
                                                   color_scheme="red"),
                            rx.cond(task.expiring, rx.badge(t_fill("inspections.expires", date=task.expires),
                                                            color_scheme="amber"))),
                    rx.cond(task.done & task.defective, rx.badge(t("inspections.defective"), color_scheme="red")),
                    rx.cond(~task.done, rx.text(t_fill("inspections.due", time=task.due), size="1",
                                                color="var(--gray-11)")),
                    spacing="2", wrap="wrap", align="center",
                ),
                spacing="1", align="start",
            ),
            align="center", width="100%", spacing="3",
        ),
        rx.cond(task.actions.contains("record"), _form(task)),
        data_testid="inspection-task",
    )


def _overdue(task: TaskRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(task.name, size="2", weight="medium"),
                  rx.text(task.code, " · ", task.location, " · ", task.plan, size="1", color="var(--gray-11)"),
                  spacing="0"),
        rx.spacer(),
        rx.badge(t_fill("inspections.due", time=task.due), color_scheme="red"),
        width="100%", align="center",
    )


def _expiry(row: ExpiryRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row.name, size="2", weight="medium"),
                  rx.text(row.code, " · ", row.location, size="1", color="var(--gray-11)"), spacing="0"),
        rx.spacer(),
        rx.badge(rx.cond(row.expired, t_fill("inspections.expired", date=row.expires),
                         t_fill("inspections.expires", date=row.expires)),
                 color_scheme=rx.cond(row.expired, "red", "amber")),
        width="100%", align="center",
    )


def _plan(plan: PlanRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(plan.name, size="2", weight="medium"),
            rx.text(t_key(plan.category, CATEGORY_KEYS), " · ", t_key(plan.frequency, FREQUENCY_KEYS), " · ",
                    t_key(plan.role, ROLE_KEYS), " · ", t_fill("inspections.assets", count=plan.assets.to(str)),
                    size="1", color="var(--gray-11)"),
            rx.text(plan.checklist.join(" / "), size="1", color="var(--gray-11)"),
            spacing="0", align="start",
        ),
        rx.spacer(),
        rx.switch(checked=plan.active, on_change=lambda value: InspectionsState.toggle_plan(plan.id, value),
                  aria_label=t_fill("inspections.plan_active", name=plan.name)),
        width="100%", align="center",
    )


def _select(name: str, label_key: str, options: list[tuple[str, rx.Var]], default: str) -> rx.Component:
    return rx.vstack(
        field_label(t(label_key), f"plan-{name}", size="2"),
        rx.select.root(
            rx.select.trigger(width="100%", id=f"plan-{name}", aria_label=t(label_key)),
            rx.select.content(*[rx.select.item(label, value=value) for value, label in options]),
            name=name, default_value=default, key=LANGUAGE,
        ),
        spacing="1", width="100%",
    )


def _plan_form() -> rx.Component:
    return card(rx.form(
        rx.vstack(
            field_label(t("inspections.plan_name"), "plan-name", size="2"),
            rx.input(name="name", id="plan-name", width="100%"),
            _select("category", "inspections.category",
                    [(c.value, t(f"facilities.category_{c.value}")) for c in AssetCategory], "fire_equipment"),
            _select("frequency", "inspections.frequency",
                    [(f.value, t(f"inspections.frequency_{f.value}")) for f in PlanFrequency], "monthly"),
            rx.flex(*[rx.checkbox(t(f"weekday.{d}"), name=f"weekday_{d}", margin_right="12px") for d in range(7)],
                    wrap="wrap", row_gap="8px"),
            _select("role", "inspections.role", [(r.value, t(f"role.{r.value}")) for r in INSPECTORS],
                    "technician"),
            field_label(t("inspections.items"), "plan-items", size="2"),
            rx.text_area(name="items", id="plan-items", width="100%", rows="4",
                         placeholder=t("inspections.items_hint")),
            rx.button(t("inspections.add_plan"), type="submit"),
            spacing="2", width="100%",
        ),
        on_submit=InspectionsState.save_plan, key=InspectionsState.plan_form_key,
    ))


def _manager_part() -> rx.Component:
    return rx.vstack(
        section_title("inspections.overdue_title"),
        list_card(InspectionsState.overdue, _overdue, "inspections.none_overdue"),
        section_title("inspections.expiring_title"),
        list_card(InspectionsState.expiring, _expiry, "inspections.none_expiring"),
        section_title("inspections.plans_title"),
        list_card(InspectionsState.plans, _plan, "inspections.no_plans"),
        section_title("inspections.add_plan"),
        _plan_form(),
        spacing="4", width="100%",
    )


def _later() -> rx.Component:
    """Weekly and monthly tasks due after today, folded away below today's list (on the 1st every monthly task)."""
    return rx.el.details(
        rx.el.summary(t_fill("inspections.later", count=InspectionsState.later.length().to(str)),
                      style={"cursor": "pointer", "minHeight": "32px", "fontWeight": "600",
                             "color": "var(--gray-11)"}),
        rx.vstack(rx.foreach(InspectionsState.later, task_card), spacing="3", width="100%", margin_top="12px"),
        data_testid="inspections-later",
        width="100%",
    )


@rx.page(route=routes.INSPECTIONS, title=page_title("title.inspections"), on_load=InspectionsState.load)
def inspections_page() -> rx.Component:
    """Today's inspections in walking order; managers also see overdue tasks, expiring fire equipment and plans."""
    return app_page(
        None,
        routes.INSPECTIONS,
        "inspections.title",
        outbox(),
        rx.cond(InspectionsState.notice != "", rx.callout(InspectionsState.notice, color_scheme="green",
                                                         role="status")),
        form_error(InspectionsState.error),
        rx.hstack(
            section_title("inspections.today"),
            rx.spacer(),
            rx.link(rx.button(rx.icon("scan-line", size=16), t("inspections.scan"), variant="soft", size="2"),
                    href=routes.INSPECTIONS_SCAN),
            width="100%", align="center",
        ),
        kept_on_phone("inspections", InspectionsState.loaded,
                      rx.cond(InspectionsState.tasks.length() > 0, rx.foreach(InspectionsState.tasks, task_card),
                              card(rx.text(t("inspections.none_today"), size="2", color="var(--gray-11)"))),
                      rx.cond(InspectionsState.later.length() > 0, _later())),
        rx.cond(InspectionsState.is_manager, _manager_part()),
    )
