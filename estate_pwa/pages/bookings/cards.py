"""What the booking screens share: a service's name in the device's language and its marked price, and a booking
as a card (status, amount, who does it, the bill with its payments, receipts and refunds, and the viewer's
actions: the resident's or the office's)."""

import reflex as rx

from estate_pwa.components.i18n import t, t_fill, t_key
from estate_pwa.components.layout import card
from estate_pwa.models import PaymentMethod, PriceUnit, ServiceCategory
from estate_pwa.services.bookings import STATUSES, BookingRow, MoneyLine, ServiceRow
from estate_pwa.states.bookings import ManagerBookingsState, ResidentBookingsState
from estate_pwa.states.session import SessionState

UNIT_KEYS = [f"fees.price_unit.{u.value}" for u in PriceUnit]
CATEGORY_KEYS = [f"fees.category.{c.value}" for c in ServiceCategory]
STATUS_KEYS = [f"bookings.status.{s}" for s in STATUSES]
STATUS_COLOUR = {"booked": "blue", "in_progress": "amber", "completed": "green", "closed": "gray",
                 "cancelled": "red"}
BILL_KEYS = [f"fees.status.{s}" for s in ("paid", "partial", "unpaid")]
METHOD_KEYS = [f"fees.method.{m.value}" for m in PaymentMethod]
SLOT_STATE_KEYS = [f"bookings.slot.{s}" for s in ("full", "past", "too_soon", "closed")]


def name_of(row) -> rx.Var:
    return rx.cond(SessionState.lang == "en", row.name_en, row.name_zh)


def price_tag(row: ServiceRow) -> rx.Component:
    return rx.text(t_fill("services.price", price=row.price, unit=t_key("fees.price_unit." + row.price_unit,
                                                                      UNIT_KEYS)),
                   size="3", weight="bold", color="var(--accent-11)", white_space="nowrap")


def _status(row: BookingRow) -> rx.Component:
    return rx.badge(t_key("bookings.status." + row.status, STATUS_KEYS),
                    color_scheme=rx.match(row.status, *STATUS_COLOUR.items(), "gray"), variant="soft", size="2",
                    data_testid="booking-status")


def _money_line(line: MoneyLine) -> rx.Component:
    return rx.hstack(
        rx.text("¥", line.amount, size="2", text_decoration=rx.cond(line.void, "line-through", "none")),
        rx.text(t_key("fees.method." + line.method, METHOD_KEYS), size="1", color="var(--gray-11)"),
        rx.cond(line.void, rx.badge(t("fees.void"), color_scheme="red", variant="soft", size="1")),
        rx.spacer(),
        rx.cond(line.receipt_url != "",
                rx.link(rx.hstack(rx.icon("file-down", size=14), t_fill("fees.receipt_link", number=line.receipt),
                                  align="center", spacing="1"),
                        href=line.receipt_url, reload_document=True, download=True, size="2",
                        white_space="nowrap", data_testid="receipt-link")),
        align="center", width="100%", spacing="2",
    )


def _refund(line: MoneyLine) -> rx.Component:
    return rx.text(t_fill("bookings.refunded", amount=line.amount, when=line.when), size="1",
                   color="var(--gray-11)")


def _bill(row: BookingRow) -> rx.Component:
    bill = row.bill
    return rx.cond(
        bill.id > 0,
        rx.vstack(
            rx.hstack(
                rx.text(t_fill("bookings.bill_line", amount=bill.amount, paid=bill.paid), size="2"),
                rx.spacer(),
                rx.badge(t_key("fees.status." + bill.status, BILL_KEYS), variant="outline", size="1"),
                align="center", width="100%",
            ),
            rx.foreach(bill.payments, _money_line),
            rx.foreach(bill.refunds, _refund),
            spacing="1", width="100%", padding_top="6px", border_top="1px solid var(--gray-a4)",
        ),
    )


def _reassign(row: BookingRow) -> rx.Component:
    """The office sends someone else who does the service (the job is re-dispatched, the booking follows)."""
    field = "reassign-" + row.id.to(str)
    return rx.cond(row.actions.contains("reassign"), rx.hstack(
        rx.el.label(t("bookings.reassign"), html_for=field, style={"font-size": "var(--font-size-2)"}),
        rx.el.select(rx.el.option("—", value="", disabled=True),
                     rx.foreach(row.staff_options, lambda option: rx.el.option(option[1], value=option[0])),
                     id=field, value="", on_change=lambda staff: ManagerBookingsState.reassign(row.id, staff)),
        align="center", spacing="1",
    ))


def booking_card(row: BookingRow, office: bool) -> rx.Component:
    state = ManagerBookingsState if office else ResidentBookingsState
    actions = rx.hstack(
        rx.cond(row.actions.contains("cancel"),
                rx.button(t("bookings.cancel"), size="2", variant="soft", color_scheme="red",
                          on_click=state.open_cancel(row.id))),
        rx.cond(row.actions.contains("pay"),
                rx.button(rx.icon("hand-coins", size=16), t("fees.record"), size="2",
                          on_click=ManagerBookingsState.open_pay(row.id))) if office else rx.fragment(),
        _reassign(row) if office else rx.fragment(),
        rx.cond(row.actions.contains("rate"),
                rx.hstack(
                    rx.button(rx.icon("thumbs-up", size=16), t("bookings.satisfied"), size="2",
                              on_click=ResidentBookingsState.rate(row.id, True)),
                    rx.button(rx.icon("thumbs-down", size=16), t("bookings.unsatisfied"), size="2",
                              variant="soft", color_scheme="gray", on_click=ResidentBookingsState.rate(row.id, False)),
                    spacing="2")) if not office else rx.fragment(),
        spacing="2", wrap="wrap",
    )
    return card(
        rx.hstack(
            rx.vstack(
                rx.text(booked_name(row), size="3", weight="bold"),
                rx.text(row.when, size="2", color="var(--gray-11)"),
                spacing="0", align="start",
            ),
            rx.spacer(),
            _status(row),
            align="center", width="100%",
        ),
        rx.text(t_fill("bookings.amount_line", quantity=row.quantity,
                       unit=t_key("fees.price_unit." + row.price_unit, UNIT_KEYS), price=row.price,
                       amount=row.amount), size="2"),
        rx.text(t_fill("bookings.staff_line", staff=row.staff), size="1", color="var(--gray-11)"),
        rx.text(row.resident, " · ", row.unit, size="1", color="var(--gray-11)") if office else rx.fragment(),
        rx.cond(row.status == "booked",
                rx.text(t_fill("bookings.free_until", time=row.free_until), size="1", color="var(--gray-11)")),
        rx.cond(row.cancellation_fee != "",
                rx.text(t_fill("bookings.cancelled_fee", fee=row.cancellation_fee), size="1",
                        color="var(--red-11)")),
        rx.cond(row.cancel_reason != "", rx.text(row.cancel_reason, size="1", color="var(--gray-11)")),
        _bill(row),
        actions,
        data_testid="booking-card",
    )


def booked_name(row: BookingRow) -> rx.Var:
    return rx.cond(SessionState.lang == "en", row.service_en, row.service_zh)
