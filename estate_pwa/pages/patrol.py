"""Patrol screens: the guard's rounds, the scan result of a checkpoint URL, the manager's live board."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.countdown import countdown
from estate_pwa.components.i18n import t
from estate_pwa.components.layout import app_page, card, form_error, offline_banner, section_title
from estate_pwa.models import Role
from estate_pwa.states.patrol import GuardRoundsState, PatrolBoardState, ScanState

STATUS_COLOURS = {"scheduled": "gray", "in_progress": "blue", "on_time": "green", "late": "amber",
                  "incomplete": "orange", "missed": "red"}


def _status(row: dict) -> rx.Component:
    return rx.match(
        row["status"],
        *[(status, rx.badge(row["status_label"], color_scheme=colour)) for status, colour in STATUS_COLOURS.items()],
        rx.badge(row["status_label"]),
    )


def _round_card(row: dict, server_now: rx.Var, *actions: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(row["route"], weight="bold"), rx.spacer(), _status(row), width="100%"),
            rx.hstack(
                rx.text(row["window"], size="2"),
                rx.text(row["guard"], size="2", color="var(--gray-11)"),
                rx.spacer(),
                rx.text(row["progress"], size="3", weight="bold", data_testid="round-progress"),
                width="100%", align="center",
            ),
            rx.cond((row["status"] == "scheduled") | (row["status"] == "in_progress"), rx.hstack(
                rx.icon("timer", size=14), rx.text(row["deadline_label"], size="1", color="var(--gray-11)"),
                countdown(row["deadline"], server_now), align="center", spacing="1")),
            rx.cond(row["flagged"] != "", rx.badge(t("patrol.flagged"), color_scheme="red", variant="outline")),
            *actions,
            spacing="2", width="100%",
        ),
        width="100%",
        data_testid="round-card",
    )


def guard_rounds() -> rx.Component:
    """The guard's current and next rounds, with one-tap start (on the guard's home)."""
    return rx.vstack(
        section_title("patrol.my_rounds"),
        form_error(GuardRoundsState.error),
        rx.foreach(GuardRoundsState.rounds, lambda row: _round_card(
            row, GuardRoundsState.server_now,
            rx.cond(row["startable"] == "1",
                    rx.button(rx.icon("play", size=14), t("patrol.start"), size="3", width="100%",
                              on_click=GuardRoundsState.start(row["id"]))),
            rx.cond(row["status"] == "in_progress",
                    rx.text(t("patrol.scan_hint"), size="1", color="var(--gray-11)")),
        )),
        rx.cond(GuardRoundsState.rounds.length() == 0,
                card(rx.text(t("patrol.no_rounds"), size="2", color="var(--gray-11)"))),
        width="100%", spacing="3",
    )


@rx.page(route="/p/[qr]", title="巡更打卡 · 智慧物业", on_load=ScanState.load)
def scan_result() -> rx.Component:
    """What a guard sees after opening a checkpoint's code with the phone camera."""
    return rx.box(
        offline_banner(),
        rx.center(
            rx.card(
                rx.vstack(
                    rx.cond(
                        ScanState.counted,
                        rx.icon("circle-check", size=72, color="var(--green-9)"),
                        rx.icon("circle-alert", size=72, color="var(--amber-9)"),
                    ),
                    rx.heading(ScanState.point_name, size="6"),
                    rx.text(ScanState.message, size="3", data_testid="scan-message", text_align="center"),
                    rx.cond(ScanState.progress != "",
                            rx.text(ScanState.progress, size="8", weight="bold", data_testid="scan-progress")),
                    rx.link(rx.button(t("patrol.back_to_rounds"), size="3", variant="soft"), href=routes.GUARD),
                    align="center", spacing="3",
                ),
                width="100%", max_width="380px", size="4",
            ),
            min_height="100vh", padding="16px",
        ),
        background="var(--gray-2)",
    )


@rx.page(route=routes.MANAGER_PATROL, title="巡更 · 智慧物业", on_load=PatrolBoardState.load)
def manager_patrol() -> rx.Component:
    """Live board of today's rounds, guards' last scans, checkpoints and their printable codes."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER_PATROL,
        "patrol.board",
        form_error(PatrolBoardState.error),
        rx.grid(
            rx.vstack(
                section_title("patrol.today"),
                rx.foreach(PatrolBoardState.rounds, lambda row: _round_card(row, PatrolBoardState.server_now)),
                rx.cond(PatrolBoardState.rounds.length() == 0,
                        card(rx.text(t("patrol.no_rounds"), size="2", color="var(--gray-11)"))),
                rx.button(rx.icon("download", size=14), t("patrol.export"), variant="soft",
                          on_click=PatrolBoardState.export_csv),
                width="100%", spacing="3",
            ),
            rx.vstack(
                section_title("patrol.last_scans"),
                card(rx.foreach(PatrolBoardState.last_scans, lambda s: rx.hstack(
                    rx.text(s["guard"], size="2", weight="medium"), rx.spacer(),
                    rx.text(s["point"], size="2"), rx.text(s["at"], size="1", color="var(--gray-11)"),
                    width="100%", data_testid="last-scan"))),
                section_title("patrol.checkpoints"),
                rx.grid(rx.foreach(PatrolBoardState.checkpoints, lambda p: rx.card(rx.vstack(
                    rx.image(src=p["qr"], width="120px", height="120px", alt=p["name"]),
                    rx.text(p["name"], size="2", weight="bold"),
                    rx.text(p["area"] + " · " + p["short"], size="1", color="var(--gray-11)"),
                    rx.button(t("patrol.reissue"), size="1", variant="ghost",
                              on_click=PatrolBoardState.reissue(p["id"])),
                    align="center", spacing="1"))), columns="2", spacing="2", width="100%"),
                card(rx.form(
                    rx.vstack(
                        rx.text(t("patrol.new_point"), size="2", weight="bold"),
                        rx.select.root(
                            rx.select.trigger(placeholder=t("patrol.area"), width="100%"),
                            rx.select.content(rx.foreach(PatrolBoardState.areas,
                                                         lambda a: rx.select.item(a["name"], value=a["id"]))),
                            name="area",
                        ),
                        rx.input(name="name", placeholder=t("patrol.point_name"), max_length=100, width="100%"),
                        rx.input(name="location", placeholder=t("patrol.location"), max_length=200, width="100%"),
                        rx.button(t("common.save"), type="submit"),
                        spacing="2", width="100%",
                    ),
                    on_submit=PatrolBoardState.create_point,
                )),
                width="100%", spacing="3",
            ),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        rx.moment(interval=10000, on_change=PatrolBoardState.refresh, display="none"),
    )
