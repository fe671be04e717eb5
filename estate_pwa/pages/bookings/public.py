"""The public price list (明码标价): anyone, no login, with the printable A4 price board."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_key
from estate_pwa.components.layout import card, main, offline_banner, section_title
from estate_pwa.pages.bookings.cards import CATEGORY_KEYS, name_of, price_tag
from estate_pwa.services.bookings import ServiceRow
from estate_pwa.states.bookings import PriceListState
from estate_pwa.states.session import SessionState

def _service(row: ServiceRow) -> rx.Component:
    about = rx.cond(SessionState.lang == "en", rx.cond(row.description_en != "", row.description_en,
                                                         row.description_zh), row.description_zh)
    return rx.hstack(
        rx.vstack(
            rx.text(name_of(row), size="3", weight="medium"),
            rx.cond(about != "", rx.text(about, size="1", color="var(--gray-11)")),
            rx.badge(t_key("fees.category." + row.category, CATEGORY_KEYS), variant="soft", color_scheme="gray",
                     size="1"),
            spacing="1", align="start",
        ),
        rx.spacer(),
        rx.cond(row.special, price_tag(row), rx.badge(t("services.included_badge"), color_scheme="green",
                                                   variant="soft")),
        align="center", width="100%", padding_y="8px", border_bottom="1px solid var(--gray-a4)",
        data_testid="service-row",
    )


@rx.page(route=routes.PRICE_LIST, title=page_title("title.price_list"), on_load=PriceListState.load)
def price_list() -> rx.Component:
    """Anyone, no login: the special services at their marked prices, the public services the fee includes, and
    the A4 price board to print."""
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
                    rx.cond(state.board_url != "",
                            rx.link(rx.hstack(rx.icon("printer", size=16), t("bookings.board_link"), align="center",
                                              spacing="1"),
                                    href=state.board_url, reload_document=True, download=True, size="2",
                                    data_testid="board-link")),
                    section_title("services.special"),
                    card(rx.foreach(state.special, _service)),
                    section_title("services.included"),
                    card(rx.foreach(state.included, _service)),
                    rx.text(t("services.note"), " ", t("services.book_note"), size="1", color="var(--gray-11)"),
                    rx.link(rx.hstack(rx.icon("calendar-check", size=16), t("services.book_in_app"), align="center",
                                      spacing="1"),
                            href=routes.RESIDENT_SERVICES, size="2", data_testid="book-in-app"),
                ),
                card(rx.text(t("services.none"), size="2", color="var(--gray-11)")),
            ),
            spacing="4", padding="16px", max_width="720px", margin="0 auto", width="100%",
        )),
        min_height="100vh",
        background="var(--gray-2)",
    )
