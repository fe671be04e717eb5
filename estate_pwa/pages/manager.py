"""Manager screens: overview, staff, units and invites, roster (phone and tablet)."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t
from estate_pwa.components.layout import app_page, card, form_error, section_title
from estate_pwa.models import STAFF_ROLES, Role
from estate_pwa.states.manager import ManagerHomeState, RosterState, StaffAdminState, UnitsState


def _stat(item: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(item["value"], size="7", weight="bold", color="var(--accent-11)"),
            rx.text(item["label"], size="1", color="var(--gray-11)"),
            spacing="1",
        ),
        width="100%",
    )


@rx.page(route=routes.MANAGER, title=page_title("title.manager"), on_load=ManagerHomeState.load)
def manager_home() -> rx.Component:
    """Counts, who is on duty, recent activity."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER,
        "manager.title",
        rx.grid(rx.foreach(ManagerHomeState.stats, _stat), columns=rx.breakpoints(initial="2", sm="3", md="6"),
                spacing="3", width="100%"),
        rx.grid(
            rx.vstack(
                section_title("manager.on_duty"),
                card(rx.cond(
                    ManagerHomeState.on_duty.length() > 0,
                    rx.foreach(ManagerHomeState.on_duty, lambda d: rx.hstack(
                        rx.avatar(fallback=d["name"].to(str)[:1], size="2", radius="full"),
                        rx.vstack(rx.text(d["name"], size="2", weight="medium"),
                                  rx.text(d["until"], size="1", color="var(--gray-11)"), spacing="0"),
                        rx.spacer(),
                        rx.badge(d["role"], variant="soft"),
                        align="center", width="100%",
                    )),
                    rx.text(t("manager.nobody_on_duty"), size="2", color="var(--gray-11)"),
                )),
                width="100%",
            ),
            rx.vstack(
                section_title("manager.recent"),
                card(rx.foreach(ManagerHomeState.recent, lambda e: rx.hstack(
                    rx.text(e["when"], size="1", color="var(--gray-11)", min_width="76px"),
                    rx.text(e["who"], size="2", weight="medium"),
                    rx.text(e["what"], size="2"),
                    spacing="2", wrap="wrap", width="100%",
                ))),
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
    )


def _staff_row(person: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(person["name"], size="3", weight="medium"),
                rx.cond(person["active"] == "", rx.badge(t("staff.disabled"), color_scheme="red", variant="soft")),
                align="center",
            ),
            rx.text(person["phone"] + " · " + person["roles"], size="1", color="var(--gray-11)"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(
            person["is_self"] == "",
            rx.hstack(
                rx.button(t("staff.reset"), size="1", variant="soft",
                          on_click=StaffAdminState.reset_password(person["id"])),
                rx.cond(
                    person["active"] == "1",
                    rx.button(t("staff.disable"), size="1", variant="soft", color_scheme="red",
                              on_click=StaffAdminState.set_active(person["id"], False)),
                    rx.button(t("staff.enable"), size="1", variant="soft", color_scheme="green",
                              on_click=StaffAdminState.set_active(person["id"], True)),
                ),
                spacing="2",
            ),
        ),
        align="center",
        width="100%",
        padding_y="6px",
        border_bottom="1px solid var(--gray-a4)",
    )


@rx.page(route=routes.MANAGER_STAFF, title=page_title("title.staff"), on_load=StaffAdminState.load)
def manager_staff() -> rx.Component:
    """Staff list and the new-account form."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER_STAFF,
        "staff.title",
        rx.link(rx.button(rx.icon("calendar-days", size=14), t("roster.title"), variant="soft"),
                href=routes.MANAGER_ROSTER),
        rx.cond(StaffAdminState.notice != "",
                rx.callout(StaffAdminState.notice, icon="key-round", color_scheme="green", width="100%",
                           role="status")),
        form_error(StaffAdminState.error),
        card(rx.foreach(StaffAdminState.staff, _staff_row)),
        section_title("staff.new"),
        card(rx.form(
            rx.vstack(
                rx.input(name="name", placeholder=t("join.name"), max_length=60, width="100%", required=True),
                rx.input(name="phone", placeholder=t("login.phone"), type="tel", max_length=32, width="100%",
                         required=True),
                rx.input(name="password", placeholder=t("staff.initial_password"), type="text", max_length=256,
                         width="100%", required=True, auto_complete="off"),
                rx.text(t("staff.roles"), size="2", weight="medium"),
                rx.flex(
                    *[rx.checkbox(t(f"role.{r.value}"), name=f"role_{r.value}") for r in STAFF_ROLES],
                    gap="4", wrap="wrap",
                ),
                rx.button(t("staff.create"), type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=StaffAdminState.create,
            reset_on_submit=False,
            key=StaffAdminState.form_key,
        )),
    )


def _unit_row(unit: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(unit["label"], size="3", weight="medium"),
            rx.text(unit["area"] + " · " + unit["residents"], size="1", color="var(--gray-11)"),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(rx.icon("qr-code", size=14), t("units.invite"), size="1", variant="soft",
                  on_click=UnitsState.invite(unit["id"])),
        align="center",
        width="100%",
        padding_y="6px",
        border_bottom="1px solid var(--gray-a4)",
    )


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title(UnitsState.invite_title),
                rx.image(src=UnitsState.invite_qr, width="240px", height="240px", alt=UnitsState.invite_code),
                rx.text(UnitsState.invite_code, size="6", weight="bold", font_family="monospace",
                        letter_spacing="0.15em"),
                rx.text(UnitsState.invite_expiry, size="1", color="var(--gray-11)"),
                rx.hstack(
                    rx.button(rx.icon("printer", size=14), t("units.print"),
                              on_click=rx.call_script("window.print()")),
                    rx.button(t("units.close"), variant="soft", on_click=UnitsState.close_invite),
                    spacing="3",
                ),
                align="center",
                spacing="3",
                id="invite-sheet",
            ),
            max_width="360px",
        ),
        open=UnitsState.invite_open,
    )


@rx.page(route=routes.MANAGER_UNITS, title=page_title("title.units"), on_load=UnitsState.load)
def manager_units() -> rx.Component:
    """Units by building, searchable, with invite codes."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER_UNITS,
        "units.title",
        rx.hstack(
            rx.select.root(
                rx.select.trigger(placeholder=t("units.all_buildings")),
                rx.select.content(
                    rx.select.item(t("units.all_buildings"), value="all"),
                    rx.foreach(UnitsState.buildings, lambda b: rx.select.item(b["name"], value=b["id"])),
                ),
                value=UnitsState.building,
                on_change=UnitsState.set_filter,
            ),
            rx.input(placeholder=t("units.search"), on_change=UnitsState.set_search.debounce(300), max_length=20,
                     flex="1", type="search"),
            width="100%",
        ),
        form_error(UnitsState.error),
        card(rx.foreach(UnitsState.units, _unit_row)),
        rx.cond(UnitsState.has_more, rx.button(t("units.more"), variant="soft", on_click=UnitsState.more,
                                               width="100%")),
        _invite_dialog(),
    )


def _select(name: str, label_key: str, options) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=t(label_key), width="100%"),
        rx.select.content(rx.foreach(options, lambda o: rx.select.item(o["name"], value=o["id"]))),
        name=name,
        required=True,
    )


@rx.page(route=routes.MANAGER_ROSTER, title=page_title("title.roster"), on_load=RosterState.load)
def manager_roster() -> rx.Component:
    """One day of the roster."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER_STAFF,
        "roster.title",
        rx.hstack(
            rx.icon_button(rx.icon("chevron-left"), variant="soft", on_click=RosterState.shift_day(-1),
                           aria_label=t("roster.prev")),
            rx.text(RosterState.day_label, size="4", weight="bold", flex="1", text_align="center"),
            rx.icon_button(rx.icon("chevron-right"), variant="soft", on_click=RosterState.shift_day(1),
                           aria_label=t("roster.next")),
            align="center",
            width="100%",
        ),
        card(rx.cond(
            RosterState.duties.length() > 0,
            rx.foreach(RosterState.duties, lambda d: rx.hstack(
                rx.badge(d["shift"], variant="soft"),
                rx.vstack(rx.text(d["name"], size="2", weight="medium"),
                          rx.text(d["role"] + " · " + d["hours"], size="1", color="var(--gray-11)"), spacing="0"),
                rx.spacer(),
                rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="red",
                               on_click=RosterState.remove(d["id"]), aria_label=t("roster.remove")),
                align="center", width="100%",
            )),
            rx.text(t("roster.empty"), size="2", color="var(--gray-11)"),
        )),
        section_title("roster.add"),
        card(rx.form(
            rx.vstack(
                _select("user", "roster.person", RosterState.people),
                _select("shift", "roster.shift", RosterState.shift_options),
                _select("role", "roster.role", RosterState.role_options),
                form_error(RosterState.error),
                rx.button(t("roster.add"), type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=RosterState.add,
        )),
    )
