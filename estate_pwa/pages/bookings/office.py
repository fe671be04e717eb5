"""The office's bookings (tablet first): a day's bookings (cancel with a reason, record a payment), the slots it
closes with their reasons, and the catalogue of services."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, field_label, form_error, list_card, section_title
from estate_pwa.models import PaymentMethod, PriceUnit, Role, ServiceCategory
from estate_pwa.pages.bookings.cards import SLOT_STATE_KEYS, booked_name, booking_card, name_of, price_tag
from estate_pwa.services.bookings import WORKERS, ClosureRow, ServiceRow, SlotRow
from estate_pwa.states.bookings import ManagerBookingsState

def _office_cancel_dialog() -> rx.Component:
    state, row = ManagerBookingsState, ManagerBookingsState.cancelling
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("bookings.cancel_title"), size="4"),
            rx.dialog.description(booked_name(row), " ", row.when, " · ", row.resident, size="2"),
            rx.form(
                rx.vstack(
                    field_label(t("bookings.office_reason"), "booking-reason", size="2", weight="medium"),
                    rx.input(id="booking-reason", name="reason", max_length=200, size="3", width="100%"),
                    form_error(state.error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("bookings.keep"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(t("bookings.cancel_confirm"), type="submit", color_scheme="red", size="3"),
                        justify="end", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=state.cancel,
            ),
        ),
        open=row.id > 0,
        on_open_change=state.close_dialog,
    )


def _pay_dialog() -> rx.Component:
    state, row = ManagerBookingsState, ManagerBookingsState.paying
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(booked_name(row), " · ", row.resident, size="4"),
            rx.dialog.description(t_fill("fees.balance_is", balance=row.bill.balance), size="2"),
            rx.form(
                rx.vstack(
                    field_label(t("fees.amount"), "booking-amount", size="2", weight="medium"),
                    rx.input(id="booking-amount", name="amount", default_value=row.bill.balance.replace(",", ""),
                             key=row.id.to(str), input_mode="decimal", size="3", width="100%", max_length=20),
                    rx.text(t("fees.method"), size="2", weight="medium"),
                    rx.radio_cards.root(
                        *[rx.radio_cards.item(t(f"fees.method.{m.value}"), value=m.value) for m in PaymentMethod],
                        name="method", default_value=PaymentMethod.CASH.value, columns="2", size="1",
                        width="100%", aria_label=t("fees.method"),
                    ),
                    field_label(t("fees.reference"), "booking-reference", size="2", weight="medium"),
                    rx.input(id="booking-reference", name="reference", max_length=64, size="3", width="100%"),
                    form_error(state.error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(t("fees.record"), type="submit", size="3", data_testid="record-payment"),
                        justify="end", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=state.record,
                reset_on_submit=False,
            ),
        ),
        open=row.id > 0,
        on_open_change=state.close_dialog,
    )


def _number_field(key: str, name: str, value: rx.Var, field_id: str) -> rx.Component:
    return rx.vstack(
        field_label(t(key), field_id, size="1", weight="medium"),
        rx.input(id=field_id, name=name, default_value=value, input_mode="numeric", max_length=6, size="2",
                 width="100%"),
        spacing="1", width="100%",
    )


def _service_dialog() -> rx.Component:
    state, row = ManagerBookingsState, ManagerBookingsState.editing
    editing = row.id > 0
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(editing, t("bookings.edit_service"), t("bookings.new_service")), size="4"),
            rx.dialog.description(t("bookings.service_hint"), size="1"),
            rx.form(
                rx.vstack(
                    field_label(t("bookings.name_zh"), "service-name-zh", size="1", weight="medium"),
                    rx.input(id="service-name-zh", name="name_zh", default_value=row.name_zh, max_length=50,
                             size="2", width="100%"),
                    field_label(t("bookings.name_en"), "service-name-en", size="1", weight="medium"),
                    rx.input(id="service-name-en", name="name_en", default_value=row.name_en, max_length=80,
                             size="2", width="100%"),
                    field_label(t("bookings.description"), "service-about", size="1", weight="medium"),
                    rx.input(id="service-about", name="description_zh", default_value=row.description_zh,
                             max_length=300, size="2", width="100%"),
                    rx.grid(
                        rx.vstack(
                            field_label(t("bookings.category"), "service-category", size="1", weight="medium"),
                            rx.el.select(*[rx.el.option(t(f"fees.category.{c.value}"), value=c.value)
                                           for c in ServiceCategory],
                                         id="service-category", name="category",
                                         default_value=rx.cond(row.category != "", row.category, "repair")),
                            spacing="1"),
                        rx.vstack(
                            rx.el.label(rx.el.input(type="checkbox", name="special", default_checked=row.special),
                                        " ", t("bookings.special")),
                            spacing="1"),
                        columns="2", spacing="2", width="100%"),
                    rx.grid(
                        rx.vstack(
                            field_label(t("bookings.price"), "service-price", size="1", weight="medium"),
                            rx.input(id="service-price", name="price", default_value=row.price.replace(",", ""),
                                     input_mode="decimal", max_length=12, size="2", width="100%"),
                            spacing="1", width="100%"),
                        rx.vstack(
                            field_label(t("bookings.price_unit"), "service-unit", size="1", weight="medium"),
                            rx.el.select(*[rx.el.option(t(f"fees.price_unit.{u.value}"), value=u.value)
                                           for u in PriceUnit],
                                         id="service-unit", name="price_unit",
                                         default_value=rx.cond(row.price_unit != "", row.price_unit, "visit")),
                            spacing="1"),
                        _number_field("bookings.duration", "duration_minutes", row.duration.to(str),
                                      "service-duration"),
                        _number_field("bookings.lead", "lead_hours", row.lead_hours.to(str), "service-lead"),
                        _number_field("bookings.free_hours", "free_cancel_hours", row.free_cancel_hours.to(str),
                                      "service-free"),
                        rx.vstack(
                            field_label(t("bookings.cancel_fee_field"), "service-fee", size="1", weight="medium"),
                            rx.input(id="service-fee", name="cancel_fee",
                                     default_value=row.cancel_fee.replace(",", ""), input_mode="decimal",
                                     max_length=12, size="2", width="100%"),
                            spacing="1", width="100%"),
                        columns="2", spacing="2", width="100%"),
                    rx.grid(
                        rx.vstack(
                            field_label(t("bookings.staff_role"), "service-role", size="1", weight="medium"),
                            rx.el.select(rx.el.option(t("bookings.nobody"), value="none"),
                                         *[rx.el.option(t(f"role.{w.value}"), value=w.value) for w in WORKERS],
                                         id="service-role", name="staff_role",
                                         default_value=rx.cond(row.staff_role != "", row.staff_role, "none")),
                            spacing="1"),
                        rx.vstack(
                            field_label(t("bookings.staff_person"), "service-person", size="1", weight="medium"),
                            rx.el.select(rx.el.option(t("bookings.anyone"), value="none"),
                                         rx.foreach(state.staff, lambda p: rx.el.option(p[1], value=p[0])),
                                         id="service-person", name="staff_id",
                                         default_value=rx.cond(row.staff_id > 0, row.staff_id.to(str), "none")),
                            spacing="1"),
                        columns="2", spacing="2", width="100%"),
                    form_error(state.error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(t("bookings.save"), type="submit", size="3", data_testid="save-service"),
                        justify="end", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=state.save_service,
                reset_on_submit=False,
                key=row.id.to(str),
            ),
            max_width="560px",
        ),
        open=editing | state.adding,
        on_open_change=state.close_dialog,
    )


def _catalogue_row(row: ServiceRow) -> rx.Component:
    state = ManagerBookingsState
    return rx.hstack(
        rx.vstack(
            rx.text(name_of(row), size="2", weight="medium",
                    text_decoration=rx.cond(row.active, "none", "line-through")),
            rx.text(rx.cond(row.special, t_fill("bookings.catalogue_line", minutes=row.duration.to(str),
                                                 hours=row.lead_hours.to(str),
                                                 free=row.free_cancel_hours.to(str), fee=row.cancel_fee),
                            t("services.included_badge")),
                    " ", rx.cond(row.staff_name != "", row.staff_name, ""),
                    size="1", color="var(--gray-11)"),
            spacing="0", align="start",
        ),
        rx.spacer(),
        rx.cond(row.special, price_tag(row)),
        rx.button(t("bookings.edit"), size="1", variant="soft", on_click=state.edit_service(row.id)),
        rx.cond(row.actions.contains("deactivate"),
                rx.button(t("bookings.deactivate"), size="1", variant="ghost", color_scheme="red",
                          on_click=state.set_active(row.id, False)),
                rx.button(t("bookings.activate"), size="1", variant="ghost",
                          on_click=state.set_active(row.id, True))),
        align="center", width="100%", spacing="2", padding_y="6px", border_bottom="1px solid var(--gray-a4)",
        data_testid="catalogue-row",
    )


def _office_slot(slot: SlotRow) -> rx.Component:
    closable = slot.actions.contains("close")
    return rx.button(
        rx.vstack(
            rx.text(slot.label, size="2", weight="medium"),
            rx.text(rx.cond(slot.state == "open", t_fill("bookings.places", count=slot.free.to(str)),
                            t_key("bookings.slot." + slot.state, SLOT_STATE_KEYS)), size="1"),
            rx.cond(slot.reason != "", rx.text(slot.reason, size="1")),
            spacing="0", align="center",
        ),
        on_click=ManagerBookingsState.open_close_slot(slot.key),
        disabled=~closable, variant=rx.cond(closable, "surface", "soft"),
        color_scheme=rx.cond(slot.state == "closed", "red", rx.cond(closable, "blue", "gray")),
        height="auto", padding_y="6px", data_testid="office-slot",
    )


def _closure(row: ClosureRow) -> rx.Component:
    return rx.hstack(
        rx.text(booked_name(row), size="2", weight="medium"),
        rx.text(row.when, size="2"),
        rx.spacer(),
        rx.text(row.reason, " · ", t_fill("bookings.closed_by", name=row.closed_by), size="1",
                color="var(--gray-11)"),
        rx.button(t("bookings.reopen_slot"), size="1", variant="soft",
                  on_click=ManagerBookingsState.reopen_slot(row.id),
                  aria_label=t_fill("bookings.reopen_slot_named", service=booked_name(row), when=row.when)),
        align="center", width="100%", wrap="wrap", spacing="2", padding_y="4px",
        border_bottom="1px solid var(--gray-a4)", data_testid="closed-slot",
    )


def _slots_panel() -> rx.Component:
    """A bookable service's slots on the day shown (tap one to close it, with a reason) and the closed slots to
    come."""
    state = ManagerBookingsState
    return rx.fragment(
        section_title("bookings.slots_title"),
        card(
            rx.text(t("bookings.slots_hint"), size="1", color="var(--gray-11)"),
            rx.hstack(
                field_label(t("bookings.slot_service"), "slot-service", size="2", weight="medium"),
                rx.el.select(rx.el.option(t("bookings.choose_service"), value="", disabled=True),
                             rx.foreach(state.slot_services, lambda s: rx.el.option(name_of(s), value=s.id.to(str))),
                             id="slot-service", value=state.slot_service, on_change=state.show_slots),
                align="center", spacing="2", wrap="wrap",
            ),
            rx.cond(state.slots.length() > 0,
                    rx.grid(rx.foreach(state.slots, _office_slot), columns=rx.breakpoints(initial="3", md="6"),
                            spacing="2", width="100%")),
        ),
        section_title("bookings.closed_slots"),
        list_card(state.closed, _closure, "bookings.no_closed_slots"),
    )


def _close_slot_dialog() -> rx.Component:
    state, slot = ManagerBookingsState, ManagerBookingsState.closing
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("bookings.close_slot_title"), size="4"),
            rx.dialog.description(slot.day, " ", slot.label, " · ", t("bookings.close_slot_note"), size="2"),
            rx.form(
                rx.vstack(
                    field_label(t("bookings.close_reason"), "slot-reason", size="2", weight="medium"),
                    rx.input(id="slot-reason", name="reason", max_length=200, size="3", width="100%"),
                    form_error(state.error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("bookings.keep_slot"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(t("bookings.close_confirm"), type="submit", color_scheme="red", size="3",
                                  data_testid="confirm-close-slot"),
                        justify="end", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=state.close_slot,
                reset_on_submit=False,
            ),
        ),
        open=slot.key != "",
        on_open_change=state.close_dialog,
    )


@rx.page(route=routes.MANAGER_BOOKINGS, title=page_title("title.bookings_office"), on_load=ManagerBookingsState.load)
def manager_bookings() -> rx.Component:
    """The office: the day's bookings (cancel, record payments), closing slots, and the catalogue of services."""
    state = ManagerBookingsState
    return app_page(
        Role.MANAGER,
        routes.MANAGER,
        "bookings.office_title",
        rx.cond(state.notice != "", card(rx.text(state.notice, size="2"), role="status")),
        rx.cond((state.paying.id == 0) & (state.cancelling.id == 0) & (state.editing.id == 0) & ~state.adding
                & (state.closing.key == ""), form_error(state.error)),
        card(rx.hstack(
            rx.icon_button(rx.icon("chevron-left", size=18), on_click=state.shift_day(-1), variant="soft",
                           aria_label=t("bookings.previous_day")),
            rx.text(state.day_label, size="3", weight="bold", data_testid="booking-day"),
            rx.icon_button(rx.icon("chevron-right", size=18), on_click=state.shift_day(1), variant="soft",
                           aria_label=t("bookings.next_day")),
            rx.spacer(),
            rx.text(t_fill("bookings.day_count", count=state.rows.length().to(str)), size="2"),
            align="center", width="100%",
        )),
        rx.cond(state.rows.length() > 0,
                rx.grid(rx.foreach(state.rows, lambda r: booking_card(r, True)),
                        columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
                card(rx.text(t("bookings.none_today"), size="2", color="var(--gray-11)"))),
        _slots_panel(),
        rx.hstack(section_title("bookings.catalogue"), rx.spacer(),
                  rx.button(rx.icon("plus", size=16), t("bookings.new_service"), size="2",
                            on_click=state.new_service),
                  align="center", width="100%"),
        card(rx.foreach(state.catalogue, _catalogue_row)),
        rx.link(t("fees.price_list_link"), href=routes.PRICE_LIST, size="2"),
        _office_cancel_dialog(),
        _pay_dialog(),
        _service_dialog(),
        _close_slot_dialog(),
    )
