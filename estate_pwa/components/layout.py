"""The phone-first app shell: header, offline banner, content and the role's bottom tab bar."""

import reflex as rx

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


def header(title_key: str) -> rx.Component:
    """Top bar: the screen's title and the estate's name."""
    return rx.hstack(
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
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


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
        bottom_nav(role, active) if role is not None else role_nav(active),
        min_height="100vh",
        background="var(--gray-2)",
    )


def card(*children: rx.Component, **props) -> rx.Component:
    """A white panel for a group of content."""
    return rx.card(rx.vstack(*children, spacing="3", width="100%"), width="100%", size="2", **props)


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
