"""The resident's special services (phone): the menu, a service's week of slots, the confirmation with the price,
and their bookings — home → service → slot → confirm, four taps."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, field_label, form_error, section_title
from estate_pwa.models import Role
from estate_pwa.pages.bookings.cards import SLOT_STATE_KEYS, booked_name, booking_card, name_of, price_tag
from estate_pwa.services.bookings import ServiceRow, SlotDay, SlotRow
from estate_pwa.states.bookings import ResidentBookingsState

WEEKDAY_KEYS = [f"weekday.{d}" for d in range(7)]


def _slot(slot: SlotRow) -> rx.Component:
    open_ = slot.actions.contains("book")
    return rx.button(
        rx.vstack(
            rx.text(slot.label, size="2", weight="medium"),
            rx.text(rx.cond(open_, t_fill("bookings.places", count=slot.free.to(str)),
                            t_key("bookings.slot." + slot.state, SLOT_STATE_KEYS)), size="1"),
            spacing="0", align="center",
        ),
        on_click=ResidentBookingsState.pick(slot.key),
        disabled=~open_, variant=rx.cond(open_, "surface", "soft"), color_scheme=rx.cond(open_, "blue", "gray"),
        height="auto", padding_y="6px", data_testid="slot",
    )


def _day(day: SlotDay) -> rx.Component:
    return rx.vstack(
        rx.text(day.day[5:], " ", t_key("weekday." + day.weekday.to(str), WEEKDAY_KEYS), size="2",
                weight="medium"),
        rx.grid(rx.foreach(day.slots, _slot), columns="3", spacing="2", width="100%"),
        spacing="1", width="100%",
    )


def _menu_item(row: ServiceRow) -> rx.Component:
    state = ResidentBookingsState
    return card(
        rx.button(
            rx.hstack(
                rx.vstack(
                    rx.text(name_of(row), size="3", weight="bold"),
                    rx.text(t_fill("bookings.terms", minutes=row.duration.to(str), hours=row.lead_hours.to(str)),
                            size="1", color="var(--gray-11)"),
                    spacing="0", align="start",
                ),
                rx.spacer(),
                price_tag(row),
                rx.icon(rx.cond(state.opened == row.id, "chevron-up", "chevron-down"), size=18),
                align="center", width="100%",
            ),
            on_click=state.open_service(row.id), variant="ghost", width="100%", height="auto", padding="4px",
            color="var(--gray-12)", aria_expanded=rx.cond(state.opened == row.id, "true", "false"),
            data_testid="menu-service",
        ),
        rx.cond(state.opened == row.id,
                rx.vstack(
                    rx.text(t_fill("bookings.rule_line", hours=row.free_cancel_hours.to(str), fee=row.cancel_fee),
                            size="1", color="var(--gray-11)"),
                    rx.foreach(state.days, _day),
                    spacing="3", width="100%")),
    )


def _confirm_dialog() -> rx.Component:
    state, slot, service = ResidentBookingsState, ResidentBookingsState.chosen, ResidentBookingsState.chosen_service
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(name_of(service), size="4"),
            rx.dialog.description(slot.day, " ", slot.label, size="2"),
            rx.form(
                rx.vstack(
                    price_tag(service),
                    rx.text(t_fill("bookings.rule_line", hours=service.free_cancel_hours.to(str),
                                   fee=service.cancel_fee), size="1", color="var(--gray-11)"),
                    rx.cond(service.price_unit != "visit",
                            rx.fragment(
                                field_label(t("bookings.quantity"), "booking-quantity", size="2", weight="medium"),
                                rx.input(id="booking-quantity", name="quantity", input_mode="decimal", max_length=8,
                                         default_value=rx.cond(service.price_unit == "hour",
                                                               (service.duration / 60).to(str), "1"),
                                         key=slot.key, size="3", width="100%"))),
                    field_label(t("bookings.note"), "booking-note", size="2", weight="medium"),
                    rx.input(id="booking-note", name="note", max_length=200, size="3", width="100%"),
                    rx.text(t("bookings.pay_at_office"), size="1", color="var(--gray-11)"),
                    form_error(state.error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(t("bookings.confirm"), type="submit", size="3", data_testid="confirm-booking"),
                        justify="end", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=state.book,
                reset_on_submit=False,
            ),
        ),
        open=slot.key != "",
        on_open_change=state.close_pick,
    )


def _cancel_dialog() -> rx.Component:
    state, row = ResidentBookingsState, ResidentBookingsState.cancelling
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("bookings.cancel_title"), size="4"),
            rx.dialog.description(
                booked_name(row), " ", row.when, " · ",
                rx.cond(row.cancel_fee_now == "0.00", t("bookings.cancel_free"),
                        t_fill("bookings.cancel_fee", fee=row.cancel_fee_now)),
                size="2"),
            form_error(state.error),
            rx.hstack(
                rx.dialog.close(rx.button(t("bookings.keep"), variant="soft", color_scheme="gray", size="3")),
                rx.button(t("bookings.cancel_confirm"), color_scheme="red", size="3", on_click=state.cancel,
                          data_testid="confirm-cancel"),
                justify="end", width="100%", padding_top="12px",
            ),
        ),
        open=row.id > 0,
        on_open_change=state.close_cancel,
    )


@rx.page(route=routes.RESIDENT_SERVICES, title=page_title("title.bookings"), on_load=ResidentBookingsState.load)
def resident_services() -> rx.Component:
    """Resident: book a special service at its marked price and follow the bookings."""
    state = ResidentBookingsState
    return app_page(
        Role.RESIDENT,
        routes.RESIDENT,
        "bookings.title",
        rx.cond(state.notice != "", card(rx.hstack(rx.icon("circle-check", size=18, color="var(--green-9)"),
                                                   rx.text(state.notice, size="2"), align="center"),
                                         role="status")),
        rx.cond(state.cancelling.id == 0, form_error(state.error)),
        rx.cond(state.mine.length() > 0,
                rx.fragment(section_title("bookings.mine"), rx.foreach(state.mine, lambda r: booking_card(r, False)))),
        section_title("bookings.menu"),
        rx.text(t("bookings.menu_hint"), size="1", color="var(--gray-11)"),
        rx.cond(state.services.length() > 0, rx.foreach(state.services, _menu_item),
                card(rx.text(t("services.none"), size="2", color="var(--gray-11)"))),
        rx.link(t("fees.price_list_link"), href=routes.PRICE_LIST, size="2"),
        _confirm_dialog(),
        _cancel_dialog(),
    )
