"""Manager screens: overview, staff, units and invites, roster (phone and tablet)."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import LANGUAGE, ROLE_KEYS, WEEKDAY_KEYS, page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, field_label, form_error, section_title
from estate_pwa.i18n import TEXT
from estate_pwa.models import STAFF_ROLES, Role
from estate_pwa.services import accounts, roster
from estate_pwa.services.accounts import StaffRow
from estate_pwa.services.estate import AuditRow, Stat, UnitRow
from estate_pwa.services.oncall import GapRow
from estate_pwa.services.roster import DutyRow, OnDutyRow, Option
from estate_pwa.pages.indicators import indicators_overview
from estate_pwa.states.indicators import IndicatorsState
from estate_pwa.states.manager import ManagerHomeState, RosterState, StaffAdminState, UnitsState

STAT_KEYS = ["manager.buildings", "manager.units", "manager.occupied", "manager.residents", "manager.staff",
             "manager.facilities"]
AUDIT_KEYS = [k for k in TEXT if k.startswith("audit.")]


def _stat(item: Stat) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(item.value, size="7", weight="bold", color="var(--accent-11)"),
            rx.text(t_key(item.label, STAT_KEYS), size="1", color="var(--gray-11)"),
            spacing="1",
        ),
        width="100%",
    )


def _on_duty_row(duty: OnDutyRow) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=duty.name[:1], size="2", radius="full"),
        rx.vstack(rx.text(duty.name, size="2", weight="medium"),
                  rx.text(t_fill("home.shift_until", shift=duty.shift, until=duty.until), size="1",
                          color="var(--gray-11)"),
                  spacing="0"),
        rx.spacer(),
        rx.badge(t_key(duty.role, ROLE_KEYS), variant="soft"),
        align="center", width="100%",
    )


def _audit_row(entry: AuditRow) -> rx.Component:
    return rx.hstack(
        rx.text(entry.when, size="1", color="var(--gray-11)", min_width="76px"),
        rx.text(rx.cond(entry.who != "", entry.who, t("audit.system")), size="2", weight="medium"),
        rx.text(t_key(entry.what, AUDIT_KEYS), size="2"),
        spacing="2", wrap="wrap", width="100%",
    )


def estate_counts() -> rx.Component:
    """Widget: the estate's counts (buildings, units, residents, staff, facilities)."""
    return rx.grid(rx.foreach(ManagerHomeState.stats, _stat), columns=rx.breakpoints(initial="2", sm="3", md="6"),
                   spacing="3", width="100%")


def on_duty_now() -> rx.Component:
    """Widget: who is on duty now, in which role and until when."""
    return rx.vstack(
        section_title("manager.on_duty"),
        card(rx.cond(
            ManagerHomeState.on_duty.length() > 0,
            rx.foreach(ManagerHomeState.on_duty, _on_duty_row),
            rx.text(t("manager.nobody_on_duty"), size="2", color="var(--gray-11)"),
        )),
        width="100%",
    )


def recent_activity() -> rx.Component:
    """Widget: the latest entries of the audit log."""
    return rx.vstack(
        section_title("manager.recent"),
        card(rx.foreach(ManagerHomeState.recent, _audit_row)),
        width="100%",
    )


@rx.page(route=routes.MANAGER, title=page_title("title.manager"),
         on_load=[IndicatorsState.load, ManagerHomeState.load])
def manager_home() -> rx.Component:
    """The manager's home, composed of widgets: the plan's indicators, counts, who is on duty, recent activity."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER,
        "manager.title",
        indicators_overview(),
        estate_counts(),
        rx.grid(on_duty_now(), recent_activity(), columns=rx.breakpoints(initial="1", md="2"), spacing="4",
                width="100%"),
    )


def _staff_row(person: StaffRow) -> rx.Component:
    roles = person.roles.map(lambda key: t_key(key, ROLE_KEYS)).join(t("staff.role_separator").to(str))
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(person.name, size="3", weight="medium"),
                rx.cond(~person.active, rx.badge(t("staff.disabled"), color_scheme="red", variant="soft")),
                align="center",
            ),
            rx.text(person.phone + " · " + roles, size="1", color="var(--gray-11)"),
            spacing="0",
        ),
        rx.spacer(),
        rx.hstack(
            rx.cond(person.actions.contains(accounts.RESET_PASSWORD),
                    rx.button(t("staff.reset"), size="1", variant="soft",
                              on_click=StaffAdminState.reset_password(person.id))),
            rx.cond(person.actions.contains(accounts.DISABLE),
                    rx.button(t("staff.disable"), size="1", variant="soft", color_scheme="red",
                              on_click=StaffAdminState.set_active(person.id, False))),
            rx.cond(person.actions.contains(accounts.ENABLE),
                    rx.button(t("staff.enable"), size="1", variant="soft", color_scheme="green",
                              on_click=StaffAdminState.set_active(person.id, True))),
            spacing="2",
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
        rx.cond(StaffAdminState.reset_password_shown != "",
                rx.callout(t_fill("staff.reset_done", name=StaffAdminState.reset_name,
                                  password=StaffAdminState.reset_password_shown),
                           icon="key-round", color_scheme="green", width="100%", role="status")),
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


def _unit_row(unit: UnitRow) -> rx.Component:
    residents = rx.cond(unit.residents > 0, t_fill("units.residents", count=unit.residents), t("units.vacant"))
    return rx.hstack(
        rx.vstack(
            rx.text(unit.label, size="3", weight="medium"),
            rx.text(t_fill("units.area", area=unit.area), " · ", residents, size="1", color="var(--gray-11)"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(unit.actions.contains(accounts.INVITE),
                rx.button(rx.icon("qr-code", size=14), t("units.invite"), size="1", variant="soft",
                          on_click=UnitsState.invite(unit.id))),
        align="center",
        width="100%",
        padding_y="6px",
        border_bottom="1px solid var(--gray-a4)",
    )


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title(t_fill("units.invite_for", unit=UnitsState.invite_unit)),
                rx.image(src=UnitsState.invite_qr, width="240px", height="240px", alt=UnitsState.invite_code),
                rx.text(UnitsState.invite_code, size="6", weight="bold", font_family="monospace",
                        letter_spacing="0.15em"),
                rx.text(t_fill("units.invite_expires", when=UnitsState.invite_expiry), size="1",
                        color="var(--gray-11)"),
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
                rx.select.trigger(placeholder=t("units.all_buildings"), aria_label=t("jobs.building")),
                rx.select.content(
                    rx.select.item(t("units.all_buildings"), value="all"),
                    rx.foreach(UnitsState.buildings, lambda b: rx.select.item(b.name, value=b.id.to_string())),
                ),
                value=UnitsState.building,
                on_change=UnitsState.set_filter,
                key=LANGUAGE,
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


def _select(name: str, label_key: str, options: rx.Var | list[tuple[str, rx.Var]]) -> rx.Component:
    items = ([rx.foreach(options, lambda o: rx.select.item(o.name, value=o.id.to_string()))]
             if isinstance(options, rx.Var) else [rx.select.item(label, value=value) for value, label in options])
    return rx.select.root(
        rx.select.trigger(placeholder=t(label_key), width="100%", aria_label=t(label_key)),
        rx.select.content(*items),
        name=name,
        required=True,
        key=LANGUAGE,
    )


def _duty_row(duty: DutyRow) -> rx.Component:
    return rx.hstack(
        rx.badge(duty.shift, variant="soft"),
        rx.vstack(rx.text(duty.name, size="2", weight="medium"),
                  rx.text(t_key(duty.role, ROLE_KEYS), " · ", duty.starts, "–", duty.ends, size="1",
                          color="var(--gray-11)"),
                  spacing="0"),
        rx.spacer(),
        rx.cond(duty.actions.contains(roster.REMOVE),
                rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="red",
                               on_click=RosterState.remove(duty.id), aria_label=t("roster.remove"))),
        align="center", width="100%",
    )


def _gap_row(gap: GapRow) -> rx.Component:
    return rx.text(gap.starts, " → ", gap.ends, size="2", weight="medium", color="var(--red-11)")


def on_call_cover() -> rx.Component:
    """The technicians' 24-hour cover: who is on call now, and every gap in the next 14 days (before it happens)."""
    return card(
        rx.heading(t("oncall.title"), as_="h2", size="3"),
        rx.cond(RosterState.on_call_now.length() > 0,
                rx.text(t("oncall.now"), " ", RosterState.on_call_now.join("、"), size="2")),
        rx.cond(
            RosterState.cover_gaps.length() > 0,
            rx.vstack(
                rx.callout(t("oncall.gaps"), icon="triangle-alert", color_scheme="red", size="1", width="100%"),
                rx.foreach(RosterState.cover_gaps, _gap_row),
                spacing="1", width="100%", id="oncall-gaps",
            ),
            rx.text(t("oncall.covered"), size="2", color="var(--green-11)"),
        ),
        rx.cond(RosterState.oncall_notice != "",
                rx.callout(RosterState.oncall_notice, color_scheme="green", size="1", role="status", width="100%")),
        form_error(RosterState.oncall_error),
        _on_call_details("oncall.put_title", rx.cond(
            RosterState.on_call_shifts.length() > 0, _put_on_call_form(),
            rx.text(t("oncall.no_shift"), size="2", color="var(--gray-11)")), "put-on-call"),
        _on_call_details("oncall.shift_title", _on_call_shift_form(), "add-on-call-shift"),
        rx.cond(RosterState.on_call_shifts.length() > 0,
                _on_call_details("oncall.shifts_title", rx.vstack(rx.foreach(RosterState.on_call_shifts, _shift_row),
                                                                  spacing="2", width="100%"), "on-call-shifts")),
        rx.link(rx.button(rx.icon("clipboard-check", size=14), t("inspections.open"), variant="soft"),
                href=routes.INSPECTIONS),
    )


def _on_call_details(title_key: str, body: rx.Component, element_id: str) -> rx.Component:
    return rx.el.details(
        rx.el.summary(rx.text(t(title_key), as_="span", weight="medium", size="2"), cursor="pointer"),
        rx.box(body, padding_top="8px"),
        id=element_id, width="100%",
    )


def _shift_row(shift: Option) -> rx.Component:
    """An on-call shift and its remove button (the server refuses one anybody was put on)."""
    return rx.hstack(
        rx.text(shift.name, size="2"),
        rx.spacer(),
        rx.icon_button(rx.icon("trash-2", size=16), variant="ghost", color_scheme="red", size="2",
                       aria_label=t_fill("oncall.remove_shift", name=shift.name),
                       on_click=RosterState.remove_on_call_shift(shift.id)),
        width="100%", align="center", data_testid="on-call-shift",
    )


def _labelled_input(field_id: str, label_key: str, **props) -> rx.Component:
    return rx.vstack(field_label(t(label_key), field_id, size="2"), rx.input(id=field_id, width="100%", **props),
                     spacing="1", width="100%")


def _put_on_call_form() -> rx.Component:
    """A technician on an on-call shift for a run of days (the server checks every field)."""
    return rx.form(
        rx.vstack(
            _select("user", "oncall.technician", RosterState.technicians),
            _select("shift", "oncall.shift", RosterState.on_call_shifts),
            rx.hstack(
                _labelled_input("oncall-first-day", "oncall.first_day", name="first_day", type="date",
                                default_value=RosterState.day, required=True),
                _labelled_input("oncall-days", "oncall.days", name="days", type="number", min=1, max=31,
                                default_value="7", required=True),
                spacing="3", width="100%",
            ),
            rx.button(t("oncall.put"), type="submit"),
            spacing="3", width="100%",
        ),
        on_submit=RosterState.put_on_call, key=RosterState.oncall_key.to_string() + RosterState.day,
    )


def _on_call_shift_form() -> rx.Component:
    """A new on-call shift: its name and times (an end before the start is on the next day)."""
    return rx.form(
        rx.vstack(
            rx.text(t("oncall.shift_hint"), size="1", color="var(--gray-11)"),
            _labelled_input("oncall-shift-name", "oncall.shift_name", name="name", max_length=20, required=True),
            rx.hstack(
                _labelled_input("oncall-starts", "oncall.starts", name="starts", type="time", default_value="20:00",
                                required=True),
                _labelled_input("oncall-ends", "oncall.ends", name="ends", type="time", default_value="08:00",
                                required=True),
                spacing="3", width="100%",
            ),
            rx.button(t("oncall.add_shift"), type="submit"),
            spacing="3", width="100%",
        ),
        on_submit=RosterState.add_on_call_shift, key=RosterState.oncall_key.to_string(),
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
            rx.text(RosterState.day, " ", t_key(RosterState.weekday, WEEKDAY_KEYS), size="4", weight="bold",
                    flex="1", text_align="center"),
            rx.icon_button(rx.icon("chevron-right"), variant="soft", on_click=RosterState.shift_day(1),
                           aria_label=t("roster.next")),
            align="center",
            width="100%",
        ),
        card(rx.cond(
            RosterState.duties.length() > 0,
            rx.foreach(RosterState.duties, _duty_row),
            rx.text(t("roster.empty"), size="2", color="var(--gray-11)"),
        )),
        on_call_cover(),
        section_title("roster.add"),
        card(rx.form(
            rx.vstack(
                _select("user", "roster.person", RosterState.people),
                _select("shift", "roster.shift", RosterState.shift_options),
                _select("role", "roster.role", [(r.value, t(f"role.{r.value}")) for r in STAFF_ROLES]),
                form_error(RosterState.error),
                rx.button(t("roster.add"), type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=RosterState.add,
        )),
    )
