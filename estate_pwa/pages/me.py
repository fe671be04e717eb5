"""The Me screen, shared by every role."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t
from estate_pwa.components.layout import app_page, card, form_error, section_title
from estate_pwa.pages.jobs import received_by_me
from estate_pwa.states.jobs import FirstReceiverState
from estate_pwa.states.me import MeState
from estate_pwa.states.session import SessionState


def _role_link(role: rx.Var, label: rx.Var) -> rx.Component:
    return rx.link(
        rx.badge(label, size="2", variant=rx.cond(SessionState.nav_role == role, "solid", "soft")),
        href="/" + role,
    )


@rx.page(route=routes.ME, title=page_title("title.me"), on_load=[MeState.load, FirstReceiverState.load])
def me() -> rx.Component:
    """Profile, roles, language, password and logout."""
    return app_page(
        None,
        routes.ME,
        "me.title",
        card(
            rx.hstack(
                rx.avatar(fallback=SessionState.user_name.to(str)[:1], size="5", radius="full"),
                rx.vstack(
                    rx.heading(SessionState.user_name, size="5"),
                    rx.text(SessionState.estate_name, size="2", color="var(--gray-11)"),
                    spacing="1",
                ),
                align="center",
                spacing="4",
            ),
        ),
        section_title("me.view_as"),
        card(rx.flex(
            rx.foreach(SessionState.view_roles, lambda role, i: _role_link(role, SessionState.role_labels[i])),
            wrap="wrap",
            gap="2",
        )),
        rx.cond(SessionState.nav_role != "resident", received_by_me()),
        section_title("me.language"),
        card(rx.hstack(
            rx.text(rx.cond(SessionState.lang == "en", "English", "中文")),
            rx.spacer(),
            rx.button(t("lang.switch"), on_click=SessionState.switch_language, variant="soft"),
            align="center",
        )),
        section_title("me.change_password"),
        card(rx.form(
            rx.vstack(
                rx.input(name="current", type="password", placeholder=t("me.current_password"),
                         auto_complete="current-password", max_length=256, width="100%", required=True),
                rx.input(name="new", type="password", placeholder=t("me.new_password"),
                         auto_complete="new-password", max_length=256, width="100%", required=True),
                rx.text(t("join.password_hint"), size="1", color="var(--gray-11)"),
                form_error(MeState.password_error),
                rx.button(t("me.save_password"), type="submit", variant="soft"),
                spacing="3",
                width="100%",
            ),
            on_submit=MeState.change_password,
            reset_on_submit=True,
            key=MeState.form_key,
        )),
        rx.button(t("me.logout"), on_click=SessionState.logout, color_scheme="red", variant="soft", size="3",
                  width="100%", id="logout"),
    )
