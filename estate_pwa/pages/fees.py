"""Fee screens: the resident's bills, payments and receipts (phone); the office's month of bills with payments,
voids, the collection rate and arrears by age (tablet first); and the public price list (明码标价, no login)."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, field_label, form_error, main, offline_banner, section_title
from estate_pwa.models import PaymentMethod, PriceUnit, Role, ServiceCategory
from estate_pwa.services.fees import BUCKET_LABELS, ArrearsRow, BillRow, PaymentLine, ServiceRow
from estate_pwa.states.fees import FeeOfficeState, PriceListState, ResidentFeesState
from estate_pwa.states.session import SessionState

STATUS_KEYS = [f"fees.status.{s}" for s in ("paid", "partial", "unpaid")]
STATUS_COLOUR = {"paid": "green", "partial": "amber", "unpaid": "red"}
METHOD_KEYS = [f"fees.method.{m.value}" for m in PaymentMethod]
AGE_KEYS = [f"fees.age.{b}" for b in BUCKET_LABELS]
UNIT_KEYS = [f"fees.price_unit.{u.value}" for u in PriceUnit]
CATEGORY_KEYS = [f"fees.category.{c.value}" for c in ServiceCategory]
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
        rx.text(t_fill("fees.area_rate", area=row.area, rate=row.rate), size="1", color="var(--gray-11)"),
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
                rx.text(t_fill("fees.area_rate", area=row.area, rate=row.rate), size="1", color="var(--gray-11)"),
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
            rx.dialog.description(t_fill("fees.balance_is", balance=row.balance), size="2"),
            rx.form(
                rx.vstack(
                    field_label(t("fees.amount"), PAY_AMOUNT, size="2", weight="medium"),
                    rx.input(id=PAY_AMOUNT, name="amount", default_value=row.balance.replace(",", ""),
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
        rx.cond((state.paying.id == 0) & (state.voiding == 0), form_error(state.error)),
        rx.grid(_summary(), _arrears(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
                align="start"),
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
    )


def _service(row: ServiceRow) -> rx.Component:
    name = rx.cond(SessionState.lang == "en", row.name_en, row.name_zh)
    about = rx.cond(SessionState.lang == "en", rx.cond(row.description_en != "", row.description_en,
                                                         row.description_zh), row.description_zh)
    return rx.hstack(
        rx.vstack(
            rx.text(name, size="3", weight="medium"),
            rx.cond(about != "", rx.text(about, size="1", color="var(--gray-11)")),
            rx.badge(t_key("fees.category." + row.category, CATEGORY_KEYS), variant="soft", color_scheme="gray",
                     size="1"),
            spacing="1", align="start",
        ),
        rx.spacer(),
        rx.cond(row.special,
                rx.text(t_fill("services.price", price=row.price,
                               unit=t_key("fees.price_unit." + row.price_unit, UNIT_KEYS)),
                        size="3", weight="bold", color="var(--accent-11)", white_space="nowrap"),
                rx.badge(t("services.included_badge"), color_scheme="green", variant="soft")),
        align="center", width="100%", padding_y="8px", border_bottom="1px solid var(--gray-a4)",
        data_testid="service-row",
    )


@rx.page(route=routes.PRICE_LIST, title=page_title("title.price_list"), on_load=PriceListState.load)
def price_list() -> rx.Component:
    """Anyone, no login: the special services at their marked prices, and the public services the fee includes."""
    state = PriceListState
    return rx.box(
        offline_banner(),
        main(rx.vstack(
            rx.hstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("services.back"), align="center"),
                        href=routes.LOGIN, size="2"),
                rx.spacer(),
                rx.button(t("lang.switch"), on_click=SessionState.switch_language, variant="ghost", size="2"),
                width="100%", align="center",
            ),
            rx.vstack(
                rx.heading(t("services.title"), size="6"),
                rx.text(state.estate, size="2", color="var(--gray-11)"),
                spacing="1",
            ),
            rx.cond(
                (state.special.length() + state.included.length()) > 0,
                rx.fragment(
                    section_title("services.special"),
                    card(rx.foreach(state.special, _service)),
                    section_title("services.included"),
                    card(rx.foreach(state.included, _service)),
                    rx.text(t("services.note"), size="1", color="var(--gray-11)"),
                ),
                card(rx.text(t("services.none"), size="2", color="var(--gray-11)")),
            ),
            spacing="4", padding="16px", max_width="720px", margin="0 auto", width="100%",
        )),
        min_height="100vh",
        background="var(--gray-2)",
    )

