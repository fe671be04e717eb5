"""Reflex configuration: SQLite and the in-process state manager unless the environment says otherwise."""

import reflex as rx

from estate_pwa.core.config import settings

config = rx.Config(
    app_name="estate_pwa",
    db_url=settings.db_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(theme=rx.theme(appearance="light", accent_color="teal", radius="large")),
    ],
)
