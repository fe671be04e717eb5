"""Fee screens: the resident's bills, payments and receipts (phone); the office's month of bills with payments,
voids, the collection rate, arrears by age, exports and the rates with the late fee (tablet first). The public
price list is in pages/bookings/public.py."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, field_label, form_error, section_title
from estate_pwa.models import PaymentMethod, Role, UnitType
from estate_pwa.services.fees import BUCKET_LABELS, ArrearsRow, BillRow, PaymentLine, RateRow
from estate_pwa.states.fees import FeeOfficeState, ResidentFeesState

STATUS_KEYS = [f"fees.status.{s}" for s in ("paid", "partial", "unpaid")]
STATUS_COLOUR = {"paid": "green", "partial": "amber", "unpaid": "red"}
METHOD_KEYS = [f"fees.method.{m.value}" for m in PaymentMethod]
AGE_KEYS = [f"fees.age.{b}" for b in BUCKET_LABELS]
UNIT_TYPE_KEYS = [f"fees.unit_type.{u.value}" for u in UnitType]
PAY_AMOUNT, PAY_REFERENCE, VOID_REASON = "fee-amount", "fee-reference", "fee-void-reason"


def _status(row: BillRow) -> rx.Component:
    return rx.badge(t_key("fees.status." + row.status, STATUS_KEYS),
                    color_scheme=rx.match(row.status, *STATUS_COLOUR.items(), "gray"), variant="soft", size="2")


def _figure(key: str, value: rx.Var, strong: bool = False) -> rx.Component:
    return rx.vstack(
        rx.text(t(key), size="1", color="var(--gray-11)"),
        rx.text("¥", value, size="3", weight="bold" if strong else "medium"),
        spacing="0",
    )


def _payment(line: PaymentLine, office: bool) -> rx.Component:
    """A payment with its receipt (a PDF download link), or struck through when voided."""
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text("¥", line.amount, size="2", weight="medium",
                        text_decoration=rx.cond(line.void, "line-through", "none")),
                rx.text(t_key("fees.method." + line.method, METHOD_KEYS), size="1", color="var(--gray-11)"),
                rx.cond(line.reference != "", rx.text(line.reference, size="1", color="var(--gray-11)")),
                spacing="2", align="baseline", wrap="wrap",
            ),
            rx.text(line.received, size="1", color="var(--gray-11)"),
            rx.cond(line.void, rx.text(t_fill("fees.voided", reason=line.void_reason), size="1",
                                       color="var(--red-11)")),
            spacing="0", align="start",
        ),
        rx.spacer(),
        rx.cond(
            line.receipt_url != "",
            rx.link(rx.hstack(rx.icon("file-down", size=14), t_fill("fees.receipt_link", number=line.receipt),
                              align="center", spacing="1"),
                    href=line.receipt_url, reload_document=True, download=True, size="2", white_space="nowrap",
                    data_testid="receipt-link"),
        ),
        rx.cond(line.actions.contains("void"),
                rx.button(t("fees.void_action"), size="1", variant="ghost", color_scheme="red",
                          on_click=FeeOfficeState.open_void(line.id))) if office else rx.fragment(),
        align="center", width="100%", spacing="2", padding_top="6px", border_top="1px solid var(--gray-a4)",
    )


def _bill_terms(row: BillRow) -> rx.Component:
    """Area × rate, the days billed when prorated from a move-in, the due date and the late fee owed today."""
    return rx.vstack(
        rx.hstack(
            rx.text(t_fill("fees.area_rate", area=row.area, rate=row.rate), size="1", color="var(--gray-11)"),
            rx.cond(row.days != "", rx.badge(t_fill("fees.prorated", days=row.days), variant="soft",
                                             color_scheme="blue", size="1")),
            spacing="2", align="center", wrap="wrap",
        ),
        rx.cond(row.late_fee != "",
                rx.text(t_fill("fees.late_fee_owed", amount=row.late_fee, due=row.due), size="1",
                        color="var(--red-11)", data_testid="late-fee")),
        spacing="1", align="start",
    )


def _resident_bill(row: BillRow) -> rx.Component:
    return card(
        rx.hstack(
            rx.text(row.period, size="4", weight="bold"),
            rx.spacer(),
            _status(row),
            align="center", width="100%",
        ),
        rx.grid(_figure("fees.due", row.amount), _figure("fees.paid", row.paid),
                _figure("fees.balance", row.balance, strong=True), columns="3", spacing="2", width="100%"),
        _bill_terms(row),
        rx.foreach(row.payments, lambda line: _payment(line, False)),
        data_testid="bill-card",
    )


@rx.page(route=routes.RESIDENT_FEES, title=page_title("title.fees"), on_load=ResidentFeesState.load)
def resident_fees() -> rx.Component:
    """Resident: what the unit owes, its bills with their payments and receipts, and how to pay."""
    state = ResidentFeesState
    return app_page(
        Role.RESIDENT,
        routes.RESIDENT_FEES,
        "fees.resident_title",
        card(
            rx.cond(
                state.owed != "",
                rx.hstack(
                    rx.vstack(rx.text(t("fees.owed"), size="2", color="var(--gray-11)"),
                              rx.text("¥", state.owed, size="7", weight="bold", color="var(--red-11)"), spacing="0"),
                    rx.spacer(),
                    rx.badge(t_fill("fees.owed_bills", count=state.unpaid.to(str)), color_scheme="amber", size="2"),
                    align="center", width="100%",
                ),
                rx.hstack(rx.icon("circle-check", size=22, color="var(--green-9)"),
                          rx.text(t("fees.all_paid"), size="3", weight="medium"), align="center"),
            ),
            rx.text(t("fees.how_to_pay"), size="2", color="var(--gray-11)"),
            rx.link(t("fees.price_list_link"), href=routes.PRICE_LIST, size="2"),
        ),
        form_error(state.error),
        section_title("fees.bills"),
        rx.cond(state.bills.length() > 0, rx.foreach(state.bills, _resident_bill),
                card(rx.text(t("fees.no_bills"), size="2", color="var(--gray-11)"))),
    )


def _office_bill(row: BillRow) -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.text(row.unit, size="3", weight="bold"),
                _bill_terms(row),
                spacing="0",
            ),
            rx.spacer(),
            _status(row),
            align="center", width="100%",
        ),
        rx.hstack(
            _figure("fees.due", row.amount), _figure("fees.paid", row.paid),
            _figure("fees.balance", row.balance, strong=True),
            rx.spacer(),
            rx.cond(row.actions.contains("pay"),
                    rx.button(rx.icon("hand-coins", size=16), t("fees.record"), size="2",
                              on_click=FeeOfficeState.open_payment(row.id))),
            align="end", spacing="4", width="100%", wrap="wrap",
        ),
        rx.foreach(row.payments, lambda line: _payment(line, True)),
        data_testid="office-bill",
    )


def _summary() -> rx.Component:
    summary = FeeOfficeState.summary
    return card(
        rx.hstack(
            rx.text(t("fees.collection"), size="2", weight="bold", color="var(--gray-11)"),
            rx.text(summary.period, size="2", color="var(--gray-11)"),
            rx.spacer(),
            rx.link(t("fees.indicator_link"), href=f"{routes.MANAGER_INDICATOR}?key=fee_collection&period=month",
                    size="2"),
            align="center", width="100%",
        ),
        rx.text(rx.cond(summary.rate != "", summary.rate, "—"), size="8", weight="bold", color="var(--accent-11)",
                data_testid="collection-rate"),
        rx.text(t_fill("fees.received_of_due", received=summary.received, due=summary.due), size="2"),
        rx.text(t_fill("fees.settled_of", settled=summary.settled.to(str), bills=summary.bills.to(str)), size="2",
                color="var(--gray-11)"),
    )


def _arrears_row(row: ArrearsRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.unit, size="2", weight="medium", min_width="5.5em"),
        rx.text(t_fill("fees.arrears_row", months=row.months.to(str), oldest=row.oldest), size="1",
                color="var(--gray-11)"),
        rx.spacer(),
        rx.text("¥", row.owed, size="2", weight="bold"),
        align="center", width="100%",
    )


def _arrears() -> rx.Component:
    arrears = FeeOfficeState.arrears
    return card(
        rx.hstack(
            rx.text(t("fees.arrears"), size="2", weight="bold", color="var(--gray-11)"),
            rx.spacer(),
            rx.cond(arrears.units > 0, rx.text(t_fill("fees.arrears_total", total=arrears.total,
                                                       units=arrears.units.to(str)), size="2")),
            align="center", width="100%",
        ),
        rx.cond(
            arrears.units > 0,
            rx.fragment(
                rx.grid(
                    *[rx.vstack(rx.text(t(key), size="1", color="var(--gray-11)"),
                                rx.text("¥", arrears.totals[i], size="3", weight="bold"), spacing="0")
                      for i, key in enumerate(AGE_KEYS)],
                    columns=rx.breakpoints(initial="2", sm="4"), spacing="2", width="100%",
                ),
                rx.foreach(arrears.rows, _arrears_row),
            ),
            rx.text(t("fees.no_arrears"), size="2", color="var(--gray-11)"),
        ),
    )


def _generate_button() -> rx.Component:
    """Generating a month's bills asks first: bills are never deleted once made."""
    state = FeeOfficeState
    title = t_fill("fees.generate", period=state.period)
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("files", size=16), title, size="3", variant="soft")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title, size="4"),
            rx.alert_dialog.description(t("fees.generate_hint"), size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", size="3")),
                rx.alert_dialog.action(rx.button(t("fees.generate_confirm"), size="3", on_click=state.generate)),
                justify="end", spacing="3", margin_top="16px",
            ),
        ),
    )


def _month_bar() -> rx.Component:
    state = FeeOfficeState
    return card(
        rx.hstack(
            rx.vstack(
                field_label(t("fees.period"), "fee-period", size="1", color="var(--gray-11)"),
                rx.input(id="fee-period", type="month", default_value=state.period, key=state.period,
                         on_change=state.choose_period, size="3"),
                spacing="1",
            ),
            _generate_button(),
            rx.spacer(),
            rx.form(
                rx.vstack(
                    field_label(t("fees.search"), "fee-search", size="1", color="var(--gray-11)"),
                    rx.hstack(
                        rx.input(id="fee-search", name="search", default_value=state.search, key=state.period,
                                 max_length=20, size="3", type="search"),
                        rx.icon_button(rx.icon("search", size=18), type="submit", size="3", variant="soft",
                                       aria_label=t("fees.search")),
                        spacing="2",
                    ),
                    spacing="1",
                ),
                on_submit=state.find,
                reset_on_submit=False,
                width="auto",
            ),
            align="end", spacing="3", width="100%", wrap="wrap",
        ),
    )


def _payment_dialog() -> rx.Component:
    state, row = FeeOfficeState, FeeOfficeState.paying
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t_fill("fees.record_title", unit=row.unit, period=row.period), size="4"),
            rx.dialog.description(
                t_fill("fees.balance_is", balance=row.balance),
                rx.cond(row.late_fee != "", t_fill("fees.with_late_fee", late=row.late_fee, owed=row.owed), ""),
                size="2"),
            rx.form(
                rx.vstack(
                    field_label(t("fees.amount"), PAY_AMOUNT, size="2", weight="medium"),
                    rx.input(id=PAY_AMOUNT, name="amount", default_value=row.owed.replace(",", ""),
                             key=row.id.to(str), input_mode="decimal", size="3", width="100%", max_length=20),
                    rx.text(t("fees.method"), size="2", weight="medium"),
                    rx.radio_cards.root(
                        *[rx.radio_cards.item(t(f"fees.method.{m.value}"), value=m.value) for m in PaymentMethod],
                        name="method", default_value=PaymentMethod.CASH.value, columns="2", size="1",
                        width="100%", aria_label=t("fees.method"),
                    ),
                    field_label(t("fees.reference"), PAY_REFERENCE, size="2", weight="medium"),
                    rx.input(id=PAY_REFERENCE, name="reference", max_length=64, size="3", width="100%"),
                    form_error(state.error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(t("fees.record"), type="submit", size="3"),
                        justify="end", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=state.record,
                reset_on_submit=False,
            ),
        ),
        open=row.id > 0,
        on_open_change=state.close_payment,
    )


def _void_dialog() -> rx.Component:
    state = FeeOfficeState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("fees.void_title"), size="4"),
            rx.dialog.description(state.voiding_label, size="2"),
            rx.form(
                rx.vstack(
                    field_label(t("fees.void_reason"), VOID_REASON, size="2", weight="medium"),
                    rx.input(id=VOID_REASON, name="reason", max_length=200, size="3", width="100%"),
                    form_error(state.error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(t("fees.void_confirm"), type="submit", color_scheme="red", size="3"),
                        justify="end", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=state.void,
            ),
        ),
        open=state.voiding > 0,
        on_open_change=state.close_void,
    )


def _export_link(label: rx.Var, href: rx.Var, name: str) -> rx.Component:
    return rx.link(rx.hstack(rx.icon("file-down", size=14), label, align="center", spacing="1"),
                   href=href, reload_document=True, download=True, size="2", white_space="nowrap",
                   data_testid=f"export-{name}")


def _exports() -> rx.Component:
    """The month's bills and the arrears as CSV and XLSX (signed download links)."""
    state = FeeOfficeState
    period = t_fill("fees.export_period", period=state.summary.period)
    return card(
        rx.text(t("fees.exports"), size="2", weight="bold", color="var(--gray-11)"),
        rx.hstack(
            rx.text(period, size="2", min_width="8em"),
            _export_link(rx.Var.create("CSV"), state.period_csv, "period-csv"),
            _export_link(rx.Var.create("XLSX"), state.period_xlsx, "period-xlsx"),
            align="center", spacing="3", wrap="wrap",
        ),
        rx.hstack(
            rx.text(t("fees.export_arrears"), size="2", min_width="8em"),
            _export_link(rx.Var.create("CSV"), state.arrears_csv, "arrears-csv"),
            _export_link(rx.Var.create("XLSX"), state.arrears_xlsx, "arrears-xlsx"),
            align="center", spacing="3", wrap="wrap",
        ),
    )


def _scope(row: RateRow) -> rx.Component:
    """A rate's scope: the building (or every building) and the unit type (or every type)."""
    return rx.text(
        rx.cond(row.building != "", row.building, t("fees.all_buildings")), " · ",
        rx.cond(row.unit_type != "", t_key("fees.unit_type." + row.unit_type, UNIT_TYPE_KEYS),
                t("fees.unit_type.all")),
        size="2", weight="medium",
    )


def _rate_line(row: RateRow) -> rx.Component:
    return rx.hstack(
        _scope(row),
        rx.spacer(),
        rx.text(t_fill("fees.rate_line", rate=row.rate, start=row.effective_from), size="2"),
        align="center", width="100%",
    )


def _rates() -> rx.Component:
    """The rates in force now, the late fee, and the button to change them."""
    state = FeeOfficeState
    return card(
        rx.hstack(
            rx.text(t("fees.rates"), size="2", weight="bold", color="var(--gray-11)"),
            rx.spacer(),
            rx.button(rx.icon("settings-2", size=16), t("fees.rates_open"), size="2", variant="soft",
                      on_click=state.open_rates),
            align="center", width="100%",
        ),
        rx.foreach(state.rates, lambda row: rx.cond(row.current, _rate_line(row))),
        rx.text(rx.cond(state.late_fee != "", t_fill("fees.late_fee_state", percent=state.late_fee),
                        t("fees.late_fee_off")), size="2", color="var(--gray-11)", data_testid="late-fee-state"),
    )


def _choice_items(choices: list) -> list[rx.Component]:
    return [rx.select.item(t(key), value=value) for value, key in choices]


def _history_line(row: RateRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(_scope(row), rx.text(row.set_at, " · ", row.set_by, size="1", color="var(--gray-11)"),
                  spacing="0", align="start"),
        rx.spacer(),
        rx.text(t_fill("fees.rate_line", rate=row.rate, start=row.effective_from), size="2"),
        rx.cond(row.current, rx.badge(t("fees.in_force"), color_scheme="green", variant="soft", size="1")),
        align="center", width="100%", padding_y="4px", border_top="1px solid var(--gray-a4)",
    )


def _building_select(name: str, label_id: str, with_all: bool) -> rx.Component:
    state = FeeOfficeState
    return rx.select.root(
        rx.select.trigger(width="100%", id=label_id),
        rx.select.content(
            *([rx.select.item(t("fees.all_buildings"), value="0")] if with_all else []),
            rx.foreach(state.building_choices, lambda c: rx.select.item(c.name, value=c.value)),
        ),
        name=name, default_value="0" if with_all else None, size="3",
    )


def _type_select(name: str, label_id: str, with_all: bool) -> rx.Component:
    options = ([("all", "fees.unit_type.all")] if with_all else []) + [(u.value, f"fees.unit_type.{u.value}")
                                                                       for u in UnitType]
    return rx.select.root(
        rx.select.trigger(width="100%", id=label_id),
        rx.select.content(*_choice_items(options)),
        name=name, default_value="all" if with_all else UnitType.RESIDENTIAL.value, size="3",
    )


def _labelled(key: str, field_id: str, control: rx.Component) -> rx.Component:
    return rx.vstack(field_label(t(key), field_id, size="2", weight="medium"), control, spacing="1", width="100%")


def _rates_dialog() -> rx.Component:
    """New rates (scope, rate, from which month), their history, the late fee, and a unit's type and move-in."""
    state = FeeOfficeState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("fees.rates_title"), size="4"),
            rx.dialog.description(t("fees.rates_hint"), size="2"),
            rx.vstack(
                form_error(state.error),
                rx.cond(state.notice != "", rx.callout(state.notice, icon="circle-check", color_scheme="green",
                                                       size="1", role="status", width="100%")),
                rx.text(t("fees.new_rate"), size="3", weight="bold"),
                rx.form(
                    rx.vstack(
                        rx.grid(
                            _labelled("fees.building", "rate-building", _building_select("building", "rate-building",
                                                                                         True)),
                            _labelled("fees.unit_type", "rate-type", _type_select("unit_type", "rate-type", True)),
                            _labelled("fees.rate_input", "rate-value",
                                      rx.input(id="rate-value", name="rate", input_mode="decimal", max_length=12,
                                               size="3", width="100%")),
                            _labelled("fees.effective_from", "rate-from",
                                      rx.input(id="rate-from", name="effective_from", type="month",
                                               default_value=state.period, key=state.period, size="3",
                                               width="100%")),
                            columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                        ),
                        rx.button(t("fees.save_rate"), type="submit", size="3"),
                        spacing="3", width="100%", align="end",
                    ),
                    on_submit=state.save_rate, reset_on_submit=False, width="100%",
                ),
                rx.text(t("fees.history"), size="2", weight="bold", color="var(--gray-11)"),
                rx.box(rx.foreach(state.rates, _history_line), max_height="180px", overflow_y="auto", width="100%"),
                rx.text(t("fees.late_fee_title"), size="3", weight="bold"),
                rx.text(t("fees.late_fee_hint"), size="1", color="var(--gray-11)"),
                rx.form(
                    rx.hstack(
                        _labelled("fees.late_fee_percent", "late-fee",
                                  rx.input(id="late-fee", name="percent", input_mode="decimal", max_length=8,
                                           default_value=rx.cond(state.late_fee != "", state.late_fee, "0"),
                                           key=state.late_fee, size="3", width="100%")),
                        rx.button(t("fees.save_late_fee"), type="submit", size="3"),
                        align="end", spacing="3", width="100%",
                    ),
                    on_submit=state.save_late_fee, reset_on_submit=False, width="100%",
                ),
                rx.text(t("fees.unit_terms"), size="3", weight="bold"),
                rx.text(t("fees.unit_terms_hint"), size="1", color="var(--gray-11)"),
                rx.form(
                    rx.vstack(
                        rx.grid(
                            _labelled("fees.building", "unit-building", _building_select("building", "unit-building",
                                                                                         False)),
                            _labelled("fees.unit_no", "unit-number",
                                      rx.input(id="unit-number", name="number", max_length=20, size="3",
                                               width="100%")),
                            _labelled("fees.unit_type", "unit-type", _type_select("unit_type", "unit-type", False)),
                            _labelled("fees.moved_in", "unit-moved-in",
                                      rx.input(id="unit-moved-in", name="occupied_from", type="date", size="3",
                                               width="100%")),
                            columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                        ),
                        rx.button(t("fees.save_unit"), type="submit", size="3"),
                        spacing="3", width="100%", align="end",
                    ),
                    on_submit=state.save_unit, reset_on_submit=False, width="100%",
                ),
                rx.hstack(
                    rx.dialog.close(rx.button(t("fees.close"), variant="soft", color_scheme="gray", size="3")),
                    justify="end", width="100%",
                ),
                spacing="3", width="100%",
            ),
            max_width="640px",
        ),
        open=state.rates_open,
        on_open_change=state.close_rates,
    )


@rx.page(route=routes.MANAGER_FEES, title=page_title("title.fee_office"), on_load=FeeOfficeState.load)
def manager_fees() -> rx.Component:
    """Manager: a month's bills (generate, record a payment, void one), its collection rate, arrears by age."""
    state = FeeOfficeState
    return app_page(
        Role.MANAGER,
        routes.MANAGER,
        "fees.manager_title",
        _month_bar(),
        rx.cond(state.notice != "", rx.callout(state.notice, icon="circle-check", color_scheme="green", size="1",
                                               role="status", width="100%", data_testid="fee-notice")),
        rx.cond((state.paying.id == 0) & (state.voiding == 0) & ~state.rates_open, form_error(state.error)),
        rx.grid(_summary(), _arrears(), _rates(), _exports(), columns=rx.breakpoints(initial="1", md="2"),
                spacing="4", width="100%", align="start"),
        rx.cond(state.recent.length() > 0, rx.vstack(
            section_title("fees.just_recorded"),
            rx.foreach(state.recent, _office_bill),
            width="100%",
        )),
        section_title("fees.bills"),
        rx.text(t("fees.first_rows"), size="1", color="var(--gray-11)"),
        rx.grid(rx.foreach(state.bills, _office_bill), columns=rx.breakpoints(initial="1", md="2"), spacing="3",
                width="100%"),
        _payment_dialog(),
        _void_dialog(),
        _rates_dialog(),
    )
