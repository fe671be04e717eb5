"""A countdown to a server deadline that ticks on the phone (assets/countdown.js), red once overdue."""

import reflex as rx


def countdown(deadline: rx.Var, server_now: rx.Var, **props) -> rx.Component:
    """Show the time left until `deadline` (ISO, UTC), measured against the server's clock at render."""
    return rx.el.span(
        "…",
        custom_attrs={"data-deadline": deadline, "data-server-now": server_now},
        class_name="countdown",
        **props,
    )
