"""Login and resident sign-up screens."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t
from estate_pwa.components.layout import field_label, form_error, main, offline_banner
from estate_pwa.states.auth import JoinState, LoginState
from estate_pwa.states.session import SessionState


def _field(label_key: str, **props) -> rx.Component:
    return rx.vstack(
        field_label(t(label_key), props["id"], size="2", weight="medium"),
        rx.input(size="3", width="100%", **props),
        spacing="1",
        width="100%",
    )


def _auth_frame(title_key: str, subtitle_key: str, *children: rx.Component) -> rx.Component:
    return rx.box(
        offline_banner(),
        main(rx.vstack(
            rx.hstack(
                rx.spacer(),
                rx.button(t("lang.switch"), on_click=SessionState.switch_language, variant="ghost", size="2"),
                width="100%",
            ),
            rx.vstack(
                rx.image(src="/icons/icon-192.png", width="72px", height="72px", border_radius="18px", alt=""),
                rx.heading(t("app.name"), size="7"),
                rx.text(t(subtitle_key), size="2", color="var(--gray-11)", text_align="center"),
                align="center",
                spacing="2",
                padding_y="16px",
            ),
            rx.card(
                rx.vstack(rx.heading(t(title_key), size="5"), *children, spacing="4", width="100%"),
                width="100%",
                size="3",
            ),
            spacing="4",
            padding="16px",
            max_width="420px",
            margin="0 auto",
            width="100%",
        )),
        min_height="100vh",
        background="linear-gradient(180deg, var(--accent-3) 0%, var(--gray-2) 45%)",
    )


@rx.page(route=routes.LOGIN, title=page_title("title.login"), on_load=SessionState.enter_app)
def login() -> rx.Component:
    """Phone number and password."""
    return _auth_frame(
        "login.title",
        "login.subtitle",
        rx.form(
            rx.vstack(
                _field("login.phone", id="phone", name="phone", type="tel", input_mode="numeric",
                       auto_complete="username", max_length=32),
                _field("login.password", id="password", name="password", type="password",
                       auto_complete="current-password", max_length=256),
                form_error(LoginState.error),
                rx.button(t("login.submit"), type="submit", size="3", width="100%"),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.submit,
            width="100%",
        ),
        rx.link(t("login.join"), href=routes.JOIN, size="2", align="center"),
    )


@rx.page(route=routes.JOIN, title=page_title("title.join"), on_load=JoinState.load)
def join() -> rx.Component:
    """Invite code, name, phone number, password."""
    return _auth_frame(
        "join.title",
        "join.subtitle",
        rx.form(
            rx.vstack(
                _field("join.code", id="code", name="code", default_value=JoinState.code, max_length=64,
                       auto_capitalize="characters", key=JoinState.code),
                _field("join.name", id="name", name="name", auto_complete="name", max_length=60),
                _field("login.phone", id="phone", name="phone", type="tel", input_mode="numeric",
                       auto_complete="username", max_length=32),
                _field("login.password", id="password", name="password", type="password",
                       auto_complete="new-password", max_length=256),
                rx.text(t("join.password_hint"), size="1", color="var(--gray-11)"),
                form_error(JoinState.error),
                rx.button(t("join.submit"), type="submit", size="3", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=JoinState.submit,
            width="100%",
        ),
        rx.link(t("join.back"), href=routes.LOGIN, size="2", align="center"),
    )


@rx.page(route="/", title=page_title(), on_load=SessionState.enter_app)
def index() -> rx.Component:
    """The start URL of the installed app: sends the device to its home or to login."""
    return rx.center(rx.spinner(size="3"), min_height="100vh")
