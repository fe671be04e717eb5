"""Builds the Reflex app: theme, PWA head tags and every page; nothing else lives here."""

import warnings

import reflex as rx
from sqlalchemy.exc import SAWarning

from estate_pwa import http, models
from estate_pwa.components.layout import connection_overlay
from estate_pwa.pages import (  # noqa: F401  (pages register themselves)
    auth, bookings, cleaning, cleaning_scanner, facilities, fees, incidents, indicators, inspections, inspections_scanner, jobs, manager, me, patrol, resident, scanner, staff, survey,
)
from estate_pwa.scheduler import patrol_clock

# Every table shares SQLModel's metadata, so Reflex's merge of per-model metadata meets each table again.
warnings.filterwarnings("ignore", message="Table '.*' already exists within the given MetaData", category=SAWarning)
for table in models.ALL_TABLES:
    rx.ModelRegistry.register(table)

THEME_COLOUR = "#0d9488"

app = rx.App(
    html_lang="zh-CN",
    api_transformer=http.api,
    stylesheets=["/a11y.css"],
    head_components=[
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.meta(name="theme-color", content=THEME_COLOUR),
        rx.el.meta(name="mobile-web-app-capable", content="yes"),
        rx.el.meta(name="apple-mobile-web-app-capable", content="yes"),
        rx.el.link(rel="apple-touch-icon", href="/icons/icon-192.png"),
        rx.el.link(rel="icon", type="image/png", href="/icons/icon-192.png"),
        rx.el.script(src="/pwa.js", defer=True),
        rx.el.script(src="/countdown.js", defer=True),
        rx.el.script(src="/outbox.js", defer=True),
        rx.el.script(src="/signature.js", defer=True),
        rx.el.style(".countdown{font-variant-numeric:tabular-nums;font-weight:600}"
                    ".countdown[data-overdue='1']{color:var(--red-11)}"),
    ],
)
# The app's own connection state instead of Reflex's English "Cannot connect to server" toast over the tab bar.
app.app_wraps[5, "Overlay"] = lambda stateful: connection_overlay() if stateful else None
app.register_lifespan_task(patrol_clock)
