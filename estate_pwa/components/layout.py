"""The phone-first app shell: header, offline banner, main content and the role's bottom tab bar, and the quiet
"reconnecting" note that replaces Reflex's connection toast on every screen."""

import reflex as rx
from reflex.components.core.banner import has_connection_errors

from estate_pwa import routes
from estate_pwa.components.alerts import sos_banner
from estate_pwa.components.i18n import t
from estate_pwa.models import Role
from estate_pwa.states.session import SessionState

NAV_HEIGHT = "64px"
CONTENT_WIDTH = "1024px"


def offline_banner() -> rx.Component:
    """A banner that the head script shows whenever the device is offline."""
    return rx.box(
        rx.hstack(rx.icon("wifi-off", size=16), rx.text(t("app.offline"), size="2"), align="center", spacing="2"),
        id="offline-banner",
        display="none",
        position="sticky",
        top="0",
        z_index="20",
        padding="8px 16px",
        background="var(--amber-9)",
        color="black",
        role="status",
    )


def connection_status() -> rx.Component:
    """Replaces Reflex's default overlay (its English "Cannot connect to server: websocket error…" toast over the
    tab bar): while the event socket is down, a small "reconnecting…" note in the user's language sits above the
    tab bar; it stays hidden while the device is offline (assets/a11y.css), where the offline banner already says so.
    Installed by `connection_overlay` in estate_pwa.py."""
    return rx.box(
        rx.cond(
            has_connection_errors,
            rx.hstack(rx.spinner(size="1"), rx.text(t("app.reconnecting"), size="1"), align="center", spacing="2",
                      padding="4px 12px", border_radius="999px", background="var(--color-panel-solid)",
                      color="var(--gray-12)", box_shadow="var(--shadow-3)"),
        ),
        id="reconnecting",
        role="status",
        position="fixed",
        left="50%",
        transform="translateX(-50%)",
        bottom=f"calc({NAV_HEIGHT} + env(safe-area-inset-bottom) + 8px)",
        z_index="30",
        pointer_events="none",
    )


def connection_overlay() -> rx.Component:
    """The app wrap `(5, "Overlay")`: a fragment, because Reflex nests every later wrap and the page inside it."""
    return rx.fragment(connection_status())


def field_label(text: rx.Var | str, html_for: str, **props) -> rx.Component:
    """A form field's visible label, tied to its input by id (Radix text's `html_for` ends up in CSS)."""
    return rx.el.label(rx.text(text, as_="span", **props), html_for=html_for)


def main(*children: rx.Component, **props) -> rx.Component:
    """The screen's main landmark (one per page)."""
    return rx.el.main(*children, width="100%", **props)


def header(title_key: str) -> rx.Component:
    """Top bar: the screen's title and the estate's name."""
    return rx.el.header(rx.hstack(
        rx.vstack(
            rx.heading(t(title_key), size="5", weight="bold"),
            rx.text(SessionState.estate_name, size="1", color="var(--gray-11)"),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(t("lang.switch"), on_click=SessionState.switch_language, variant="ghost", size="1"),
        align="center",
        padding="12px 16px",
        background="var(--color-panel-solid)",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
    ), position="sticky", top="0", z_index="10", width="100%")


def bottom_nav(role: Role, active: str) -> rx.Component:
    """The role's tabs, fixed to the bottom and wide enough for 360 px phones."""
    tabs = []
    for route, key, icon in routes.TABS[role]:
        colour = "var(--accent-11)" if route == active else "var(--gray-11)"
        tabs.append(rx.link(
            rx.vstack(rx.icon(icon, size=22), rx.text(t(key), size="1"), align="center", spacing="1"),
            href=route,
            color=colour,
            flex="1",
            padding_y="8px",
            underline="none",
            aria_current="page" if route == active else None,
        ))
    return rx.el.nav(
        rx.hstack(*tabs, justify="between", max_width=CONTENT_WIDTH, margin="0 auto", spacing="0", width="100%"),
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        height=NAV_HEIGHT,
        background="var(--color-panel-solid)",
        border_top="1px solid var(--gray-a5)",
        z_index="10",
        style={"padding-bottom": "env(safe-area-inset-bottom)"},
        aria_label="main",
    )


def app_page(role: Role | None, active: str, title_key: str, *children: rx.Component) -> rx.Component:
    """A logged-in screen of `role` (None: a screen every role shares)."""
    return rx.box(
        offline_banner(),
        header(title_key),
        main(
            sos_banner() if role == Role.MANAGER else rx.fragment(),
            rx.vstack(
                *children,
                spacing="4",
                padding="16px",
                padding_bottom=f"calc({NAV_HEIGHT} + 24px)",
                max_width=CONTENT_WIDTH,
                margin="0 auto",
                width="100%",
            ),
        ),
        bottom_nav(role, active) if role is not None else role_nav(active),
        min_height="100vh",
        background="var(--gray-2)",
    )


def card(*children: rx.Component, **props) -> rx.Component:
    """A white panel for a group of content."""
    return rx.card(rx.vstack(*children, spacing="3", width="100%"), width="100%", size="2", **props)


def list_card(items: rx.Var, row, empty_key: str) -> rx.Component:
    """A card listing `items` through `row`, or saying `empty_key` when there are none."""
    return card(rx.cond(items.length() > 0, rx.foreach(items, row),
                        rx.text(t(empty_key), size="2", color="var(--gray-11)")))


def section_title(key: str) -> rx.Component:
    """A small heading above a card."""
    return rx.text(t(key), size="2", weight="bold", color="var(--gray-11)")


def form_error(message: rx.Var) -> rx.Component:
    """A refusal message under a form (announced to screen readers)."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", size="1", role="alert", width="100%"),
    )


def role_nav(active: str) -> rx.Component:
    """The bottom tab bar of whichever role's screens the person was last using (for shared pages)."""
    return rx.match(
        SessionState.nav_role,
        *[(role.value, bottom_nav(role, active)) for role in routes.HOME_PRIORITY],
        rx.fragment(),
    )
