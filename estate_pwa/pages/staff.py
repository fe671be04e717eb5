"""Home screens of guards, cleaners and technicians."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import WEEKDAY_KEYS, page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, section_title
from estate_pwa.components.outbox import outbox
from estate_pwa.models import Role
from estate_pwa.pages.cleaning import cleaner_areas
from estate_pwa.pages.inspections import inspections_link
from estate_pwa.pages.jobs import technician_jobs
from estate_pwa.pages.patrol import guard_rounds
from estate_pwa.services.roster import ShiftRow
from estate_pwa.states.cleaning import CleanerState
from estate_pwa.states.jobs import TechnicianJobsState
from estate_pwa.states.patrol import GuardRoundsState, ScanState
from estate_pwa.states.session import SessionState
from estate_pwa.states.staff_home import StaffHomeState



def duty_card() -> rx.Component:
    """Widget: the staff member's name, on duty or not, and the shift they are on."""
    return card(
        rx.hstack(
            rx.vstack(
                rx.text(SessionState.user_name, size="5", weight="bold"),
                rx.text(rx.cond(StaffHomeState.on_duty,
                                t_fill("home.shift_until", shift=StaffHomeState.duty_shift,
                                       until=StaffHomeState.duty_until), ""),
                        size="2", color="var(--gray-11)"),
                spacing="1",
            ),
            rx.spacer(),
            rx.cond(
                StaffHomeState.loaded,
                rx.cond(
                    StaffHomeState.on_duty,
                    rx.badge(rx.icon("circle-check", size=14), t("home.on_duty"), color_scheme="green", size="3"),
                    rx.badge(t("home.off_duty"), color_scheme="gray", size="3"),
                ),
                rx.badge(t("common.loading"), color_scheme="gray", variant="outline", size="3"),
            ),
            align="center",
            width="100%",
        ),
    )


def _shift_row(shift: ShiftRow) -> rx.Component:
    return rx.hstack(
        rx.text(shift.day, " ", t_key(shift.weekday, WEEKDAY_KEYS), size="2", width="96px"),
        rx.badge(shift.shift, variant="soft"),
        rx.spacer(),
        rx.text(shift.starts, "–", shift.ends, size="2", color="var(--gray-11)"),
        align="center",
        width="100%",
    )


def next_shifts() -> rx.Component:
    """Widget: the staff member's next shifts in the role of the page."""
    return card(rx.cond(
        StaffHomeState.shifts.length() > 0,
        rx.vstack(
            rx.foreach(StaffHomeState.shifts, _shift_row),
            spacing="2",
            width="100%",
        ),
        rx.text(rx.cond(StaffHomeState.loaded, t("home.no_shifts"), t("common.loading")), size="2",
                color="var(--gray-11)"),
    ))


@rx.page(route=routes.GUARD, title=page_title("title.guard"),
         on_load=[StaffHomeState.load_guard, GuardRoundsState.load])
def guard_home() -> rx.Component:
    """Guard's home: duty status, current and next rounds, shifts."""
    return app_page(
        Role.GUARD,
        routes.GUARD,
        "guard.title",
        outbox(),
        duty_card(),
        guard_rounds(),
        section_title("home.next_shifts"),
        next_shifts(),
    )


@rx.page(route=routes.CLEANER, title=page_title("title.cleaner"),
         on_load=[StaffHomeState.load_cleaner, CleanerState.load, TechnicianJobsState.load_cleaner])
def cleaner_home() -> rx.Component:
    """Cleaner's home: duty status, today's areas with their checklists, booked services to do, shifts."""
    return app_page(
        Role.CLEANER,
        routes.CLEANER,
        "cleaner.title",
        duty_card(),
        cleaner_areas(),
        technician_jobs("bookings.my_jobs"),
        section_title("home.next_shifts"),
        next_shifts(),
    )


@rx.page(route=routes.TECHNICIAN, title=page_title("title.technician"),
         on_load=[StaffHomeState.load_technician, TechnicianJobsState.load])
def technician_home() -> rx.Component:
    """Technician's home: duty status, jobs with countdowns, the claim pool, shifts."""
    return app_page(
        Role.TECHNICIAN,
        routes.TECHNICIAN,
        "technician.title",
        duty_card(),
        inspections_link(),
        technician_jobs(),
        section_title("home.next_shifts"),
        next_shifts(),
    )
