"""Patrol screens: the guard's rounds, the scan result of a checkpoint URL, the manager's live board."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.alerts import open_incidents_panel
from estate_pwa.components.countdown import countdown
from estate_pwa.components.i18n import LANGUAGE, page_title, t
from estate_pwa.components.layout import app_page, card, form_error, main, offline_banner, section_title
from estate_pwa.models import Role, RoundStatus
from estate_pwa.services import patrol
from estate_pwa.states.patrol import (
    ALL, GuardRoundsState, PatrolBoardState, PatrolHistoryState, PatrolSetupState, ScanState,
)

STATUS_COLOURS = {"scheduled": "gray", "in_progress": "blue", "on_time": "green", "late": "amber",
                  "incomplete": "orange", "missed": "red"}


def translated(key: rx.Var, keys) -> rx.Component:
    """The text of a key carried by a row, one of `keys`, in the device's language (no server round trip)."""
    return rx.match(key, *[(k, t(k)) for k in keys], key)


def filled(key: str, **values: rx.Var) -> rx.Var:
    """A translated text with its `{name}` placeholders filled on the device."""
    text = t(key).to(str)
    for name, value in values.items():
        text = text.replace("{" + name + "}", value if isinstance(value, str) else value.to(str))
    return text


def status_label(status: rx.Var) -> rx.Component:
    return rx.match(status, *[(s.value, t(f"patrol.status_{s.value}")) for s in RoundStatus], status)


def _status(row: patrol.RoundCard) -> rx.Component:
    return rx.match(
        row.status,
        *[(status, rx.badge(status_label(row.status), color_scheme=colour))
          for status, colour in STATUS_COLOURS.items()],
        rx.badge(status_label(row.status)),
    )


def _guard(row: patrol.RoundCard) -> rx.Component:
    return rx.cond(row.guard != "", row.guard, t("patrol.unassigned"))


def _round_card(row: patrol.RoundCard, server_now: rx.Var, *actions: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(row.route, weight="bold"), rx.spacer(), _status(row), width="100%"),
            rx.hstack(
                rx.text(row.window, size="2"),
                rx.text(_guard(row), size="2", color="var(--gray-11)"),
                rx.spacer(),
                rx.text(row.progress, size="3", weight="bold", data_testid="round-progress"),
                width="100%", align="center",
            ),
            rx.cond((row.status == "scheduled") | (row.status == "in_progress"), rx.hstack(
                rx.icon("timer", size=14),
                rx.text(rx.cond(row.before_start, t("patrol.starts_in"), t("patrol.ends_in")), size="1",
                        color="var(--gray-11)"),
                countdown(row.deadline, server_now), align="center", spacing="1")),
            _warnings(row),
            *actions,
            spacing="2", width="100%",
        ),
        width="100%",
        data_testid="round-card",
    )


def _warnings(row: patrol.RoundCard) -> rx.Component:
    """Badges of a round's scans flagged too fast and refused."""
    return rx.hstack(
        rx.cond(row.flagged > 0, rx.badge(t("patrol.flagged"), color_scheme="red", variant="outline")),
        rx.cond(row.refused > 0, rx.badge(filled("patrol.refused_count", count=row.refused), color_scheme="orange",
                                          variant="outline")),
        spacing="1", wrap="wrap",
    )


def _details_button(state, row: patrol.RoundCard) -> rx.Component:
    """Opens the round's checkpoints and scans (a manager, once it has been started or has closed)."""
    return rx.cond(row.actions.contains(patrol.DETAILS),
                   rx.button(rx.icon("list-checks", size=14), t("patrol.details"), size="1", variant="soft",
                             on_click=state.show_round(row.id)))


def _round_dialog(state) -> rx.Component:
    """One round's checkpoints (counted when, or not yet) and every scan kept on it, with why it did not count."""
    detail = state.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(detail.route, " ", detail.day, " ", detail.window, " · ", _guard(detail), size="3"),
            rx.vstack(
                rx.text(t("patrol.detail_stops"), size="2", weight="bold"),
                rx.foreach(state.detail_stops, lambda stop: rx.hstack(
                    rx.cond(stop.counted, rx.icon("circle-check", size=16, color="var(--green-9)"),
                            rx.icon("circle-dashed", size=16, color="var(--gray-9)")),
                    rx.text(stop.point, size="2"), rx.spacer(),
                    rx.text(rx.cond(stop.counted, stop.at, t("patrol.not_counted_yet")), size="2",
                            color="var(--gray-11)"),
                    width="100%", align="center", data_testid="detail-stop")),
                rx.text(t("patrol.detail_scans"), size="2", weight="bold", margin_top="8px"),
                rx.cond(state.detail_scans.length() == 0,
                        rx.text(t("patrol.detail_no_scans"), size="2", color="var(--gray-11)")),
                rx.foreach(state.detail_scans, lambda line: rx.vstack(
                    rx.hstack(rx.text(line.at, size="1", color="var(--gray-11)", min_width="60px"),
                              rx.text(line.point, size="2", weight="medium"), spacing="2", align="center"),
                    rx.text(translated(line.what, patrol.SCAN_LINE_KEYS), size="1",
                            color=rx.cond(line.counted, "var(--green-11)", "var(--orange-11)")),
                    rx.cond(line.phone != "", rx.text(filled("patrol.phone_time", time=line.phone), size="1",
                                                      color="var(--gray-11)")),
                    spacing="0", width="100%", data_testid="detail-scan")),
                rx.dialog.close(rx.button(t("units.close"), variant="soft", margin_top="8px")),
                spacing="2", width="100%",
            ),
            max_width="420px",
        ),
        open=state.detail_open,
        on_open_change=state.round_dialog_changed,
    )


def scan_message(answer) -> rx.Component:
    """What became of a scan (a ScanAnswer), with the round's status when the scan finished it."""
    return rx.fragment(
        translated(answer.message, patrol.SCAN_MESSAGE_KEYS),
        rx.cond(answer.finished != "", rx.fragment(" · ", _finished(answer.finished))),
    )


def _finished(status: rx.Var) -> rx.Component:
    return rx.match(status, *[(s.value, filled("patrol.round_finished", status=t(f"patrol.status_{s.value}")))
                              for s in (RoundStatus.ON_TIME, RoundStatus.LATE)], "")


def _stop_button(point: patrol.CheckpointCard, place: rx.Var) -> rx.Component:
    """A checkpoint to tap for the new route, with its place in the route when chosen."""
    return rx.button(rx.cond(place != "", rx.badge(place, variant="solid", radius="full")), point.name,
                     type="button", size="1", variant=rx.cond(place != "", "solid", "outline"),
                     on_click=PatrolSetupState.toggle_stop(point.id))


def guard_rounds() -> rx.Component:
    """The guard's current and next rounds, with one-tap start (on the guard's home)."""
    return rx.vstack(
        section_title("patrol.my_rounds"),
        form_error(GuardRoundsState.error),
        rx.foreach(GuardRoundsState.rounds, lambda row: _round_card(
            row, GuardRoundsState.server_now,
            rx.cond(row.actions.contains(patrol.START),
                    rx.button(rx.icon("play", size=14), t("patrol.start"), size="3", width="100%",
                              on_click=GuardRoundsState.start(row.id))),
            rx.cond(row.actions.contains(patrol.SCAN), rx.vstack(
                rx.link(rx.button(rx.icon("scan-line", size=16), t("patrol.scan_now"), size="3", width="100%"),
                        href=routes.GUARD_SCAN, width="100%"),
                rx.text(t("patrol.scan_hint"), size="1", color="var(--gray-11)"),
                spacing="1", width="100%")),
        )),
        rx.cond(GuardRoundsState.rounds.length() == 0,
                card(rx.text(rx.cond(GuardRoundsState.loaded, t("patrol.no_rounds"), t("common.loading")), size="2",
                             color="var(--gray-11)"))),
        width="100%", spacing="3",
    )


@rx.page(route="/p/[qr]", title=page_title("title.checkpoint"), on_load=ScanState.load)
def scan_result() -> rx.Component:
    """What a guard sees after opening a checkpoint's code with the phone camera."""
    return rx.box(
        offline_banner(),
        main(rx.center(
            rx.card(
                rx.vstack(
                    rx.cond(
                        ScanState.answer.message == "",
                        rx.spinner(size="3"),
                        rx.cond(ScanState.answer.counted, rx.icon("circle-check", size=72, color="var(--green-9)"),
                                rx.icon("circle-alert", size=72, color="var(--amber-9)")),
                    ),
                    rx.heading(ScanState.answer.point, size="6"),
                    rx.cond(ScanState.answer.message != "",
                            rx.text(scan_message(ScanState.answer), size="3", data_testid="scan-message",
                                    text_align="center"),
                            rx.text(t("common.loading"), size="3", color="var(--gray-11)")),
                    rx.cond(ScanState.answer.progress != "",
                            rx.text(ScanState.answer.progress, size="8", weight="bold", data_testid="scan-progress")),
                    rx.link(rx.button(t("patrol.back_to_rounds"), size="3", variant="soft"), href=routes.GUARD),
                    align="center", spacing="3",
                ),
                width="100%", max_width="380px", size="4",
            ),
            min_height="100vh", padding="16px",
        )),
        background="var(--gray-2)",
    )


PATROL_TABS = ((routes.MANAGER_PATROL, "patrol.tab_board"), (routes.MANAGER_PATROL_HISTORY, "patrol.tab_history"),
               (routes.MANAGER_PATROL_SETUP, "patrol.tab_setup"))


def _patrol_tabs(active: str) -> rx.Component:
    """Links between the board, the history and the checkpoints & routes."""
    return rx.hstack(*[
        rx.link(rx.button(t(key), size="2", variant="solid" if route == active else "soft"), href=route)
        for route, key in PATROL_TABS
    ], spacing="2", wrap="wrap")


def _muted(key: str) -> rx.Component:
    return card(rx.text(t(key), size="2", color="var(--gray-11)"))


@rx.page(route=routes.MANAGER_PATROL, title=page_title("title.patrol"), on_load=PatrolBoardState.load)
def manager_patrol() -> rx.Component:
    """Live board of today's rounds and the guards' last scans."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER_PATROL,
        "patrol.board",
        _patrol_tabs(routes.MANAGER_PATROL),
        form_error(PatrolBoardState.error),
        rx.grid(
            rx.vstack(
                section_title("patrol.today"),
                rx.foreach(PatrolBoardState.rounds, lambda row: _round_card(
                    row, PatrolBoardState.server_now, _details_button(PatrolBoardState, row))),
                rx.cond(PatrolBoardState.rounds.length() == 0, _muted("patrol.no_rounds")),
                width="100%", spacing="3",
            ),
            rx.vstack(
                section_title("incident.open_title"),
                open_incidents_panel(),
                section_title("patrol.last_scans"),
                card(rx.foreach(PatrolBoardState.last_scans, lambda s: rx.hstack(
                    rx.text(s.guard, size="2", weight="medium"), rx.spacer(),
                    rx.text(s.point, size="2"), rx.text(s.at, size="1", color="var(--gray-11)"),
                    width="100%", data_testid="last-scan"))),
                width="100%", spacing="3",
            ),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        rx.moment(interval=10000, on_change=PatrolBoardState.refresh, display="none"),
        _round_dialog(PatrolBoardState),
    )


def _select(name: str, options: rx.Var, all_key: str, value: rx.Var) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", aria_label=t(f"patrol.filter_{name}")),
        rx.select.content(
            rx.select.item(t(all_key), value=ALL),
            rx.foreach(options, lambda o: rx.select.item(o.name, value=o.id)),
        ),
        name=name, default_value=rx.cond(value == "", ALL, value),
    )


@rx.page(route=routes.MANAGER_PATROL_HISTORY, title=page_title("title.patrol_history"), on_load=PatrolHistoryState.load)
def manager_patrol_history() -> rx.Component:
    """Past rounds by days, route, guard and status, with the same selection as CSV."""
    statuses = [(status.value, t(f"patrol.status_{status.value}")) for status in RoundStatus]
    return app_page(
        Role.MANAGER,
        routes.MANAGER_PATROL,
        "patrol.history",
        _patrol_tabs(routes.MANAGER_PATROL_HISTORY),
        card(rx.form(
            rx.grid(
                rx.el.label(rx.vstack(rx.text(t("patrol.from_day"), size="1"),
                                      rx.input(type="date", name="first_day", key=PatrolHistoryState.first_day,
                                               default_value=PatrolHistoryState.first_day, width="100%"),
                                      spacing="1")),
                rx.el.label(rx.vstack(rx.text(t("patrol.to_day"), size="1"),
                                      rx.input(type="date", name="last_day", default_value=PatrolHistoryState.last_day,
                                               key=PatrolHistoryState.last_day, width="100%"), spacing="1")),
                _select("route", PatrolHistoryState.route_options, "patrol.all_routes", PatrolHistoryState.route),
                _select("guard", PatrolHistoryState.guard_options, "patrol.all_guards", PatrolHistoryState.guard),
                rx.select.root(
                    rx.select.trigger(width="100%", aria_label=t("patrol.filter_status")),
                    rx.select.content(rx.select.item(t("patrol.all_statuses"), value=ALL),
                                      *[rx.select.item(name, value=value) for value, name in statuses]),
                    name="status", default_value=ALL, key=LANGUAGE,
                ),
                rx.button(rx.icon("search", size=14), t("patrol.filter"), type="submit", width="100%"),
                columns=rx.breakpoints(initial="2", md="3"), spacing="2", width="100%", align="end",
            ),
            on_submit=PatrolHistoryState.apply,
        )),
        form_error(PatrolHistoryState.error),
        rx.hstack(rx.text(filled("patrol.history_count", shown=PatrolHistoryState.shown,
                             total=PatrolHistoryState.total), size="2", color="var(--gray-11)",
                      data_testid="history-count"),
                  rx.spacer(),
                  rx.button(rx.icon("download", size=14), t("patrol.export_selection"), size="2", variant="soft",
                            on_click=PatrolHistoryState.export_csv),
                  width="100%", align="center"),
        rx.foreach(PatrolHistoryState.rows, lambda row: rx.card(rx.vstack(
            rx.hstack(
                rx.vstack(rx.text(row.route, size="2", weight="bold"),
                          rx.text(row.day, " ", row.window, " · ", _guard(row), size="1", color="var(--gray-11)"),
                          spacing="0"),
                rx.spacer(),
                rx.text(row.progress, size="2", weight="bold"),
                _status(row),
                align="center", width="100%"),
            rx.hstack(_warnings(row), rx.spacer(), _details_button(PatrolHistoryState, row), width="100%",
                      align="center"),
            spacing="2", width="100%"), width="100%", data_testid="history-row")),
        _round_dialog(PatrolHistoryState),
    )


@rx.page(route=routes.MANAGER_PATROL_SETUP, title=page_title("title.patrol_setup"), on_load=PatrolSetupState.load)
def manager_patrol_setup() -> rx.Component:
    """Checkpoints with their codes (print all, download one, reissue, add) and routes (list, add)."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER_PATROL,
        "patrol.setup",
        _patrol_tabs(routes.MANAGER_PATROL_SETUP),
        form_error(PatrolSetupState.error),
        rx.grid(
            rx.vstack(
                rx.hstack(section_title("patrol.checkpoints"), rx.spacer(),
                          rx.button(rx.icon("printer", size=14), t("patrol.print_sheet"), size="1", variant="soft",
                                    on_click=PatrolSetupState.download_sheet), width="100%", align="center"),
                rx.grid(rx.foreach(PatrolSetupState.checkpoints, lambda p: rx.card(rx.vstack(
                    rx.image(src=p.qr, width="120px", height="120px", alt=p.name),
                    rx.text(p.name, size="2", weight="bold", text_align="center"),
                    rx.text(p.area, " · ", p.short_id, size="1", color="var(--gray-11)"),
                    rx.hstack(
                        rx.cond(p.actions.contains("download"),
                                rx.button(t("patrol.download_png"), size="1", variant="ghost",
                                          on_click=PatrolSetupState.download_png(p.id))),
                        rx.cond(p.actions.contains("reissue"),
                                rx.button(t("patrol.reissue"), size="1", variant="ghost",
                                          on_click=PatrolSetupState.reissue(p.id))),
                        spacing="2", wrap="wrap", justify="center"),
                    align="center", spacing="1"))), columns="2", spacing="2", width="100%"),
                card(rx.form(
                    rx.vstack(
                        rx.text(t("patrol.new_point"), size="2", weight="bold"),
                        rx.select.root(
                            rx.select.trigger(placeholder=t("patrol.area"), width="100%", aria_label=t("patrol.area")),
                            rx.select.content(rx.foreach(PatrolSetupState.areas,
                                                         lambda a: rx.select.item(a.name, value=a.id))),
                            name="area",
                        ),
                        rx.input(name="name", placeholder=t("patrol.point_name"), max_length=100, width="100%"),
                        rx.input(name="location", placeholder=t("patrol.location"), max_length=200, width="100%"),
                        rx.hstack(
                            rx.input(name="latitude", placeholder=t("patrol.latitude"), inputmode="decimal",
                                     default_value=PatrolSetupState.point_latitude,
                                     key=f"latitude-{PatrolSetupState.located_count}", max_length=32, width="100%"),
                            rx.input(name="longitude", placeholder=t("patrol.longitude"), inputmode="decimal",
                                     default_value=PatrolSetupState.point_longitude,
                                     key=f"longitude-{PatrolSetupState.located_count}", max_length=32, width="100%"),
                            spacing="2", width="100%"),
                        rx.button(rx.icon("locate-fixed", size=14), t("patrol.use_my_location"), type="button",
                                  size="1", variant="soft", on_click=PatrolSetupState.locate),
                        rx.button(t("common.save"), type="submit"),
                        spacing="2", width="100%",
                    ),
                    on_submit=PatrolSetupState.create_point,
                    key=PatrolSetupState.point_form,
                )),
                width="100%", spacing="3",
            ),
            rx.vstack(
                section_title("patrol.routes"),
                rx.foreach(PatrolSetupState.routes, lambda r: card(
                    rx.hstack(rx.text(r.name, weight="bold"), rx.spacer(),
                              rx.badge(rx.cond(r.strict, t("patrol.strict_order"), t("patrol.free_order")),
                                       variant="soft"),
                              width="100%"),
                    rx.text(filled("patrol.route_schedule", starts=r.starts, ends=r.ends, every=r.every,
                                   expected=r.expected, grace=r.grace), size="1", color="var(--gray-11)"),
                    rx.text(r.stops, size="2"),
                    data_testid="route-card",
                )),
                rx.cond(PatrolSetupState.routes.length() == 0, _muted("patrol.no_routes")),
                card(rx.form(
                    rx.vstack(
                        rx.text(t("patrol.new_route"), size="2", weight="bold"),
                        rx.input(name="name", placeholder=t("patrol.route_name"), max_length=100, width="100%"),
                        rx.text(t("patrol.tap_stops"), size="1", color="var(--gray-11)"),
                        rx.flex(rx.foreach(PatrolSetupState.checkpoints, lambda p, i: _stop_button(
                            p, PatrolSetupState.stop_places[i])), wrap="wrap", gap="2"),
                        rx.grid(
                            *[rx.el.label(rx.vstack(rx.text(t(key), size="1"), field, spacing="1")) for key, field in (
                                ("patrol.route_starts", rx.input(type="time", name="starts", default_value="20:00")),
                                ("patrol.route_ends", rx.input(type="time", name="ends", default_value="06:00")),
                                ("patrol.route_every", rx.input(type="number", name="every", default_value="120",
                                                                min=5, max=1440)),
                                ("patrol.route_expected", rx.input(type="number", name="expected",
                                                                   default_value="40", min=1, max=720)),
                                ("patrol.route_grace", rx.input(type="number", name="grace", default_value="10",
                                                                min=0, max=240)),
                            )],
                            columns="2", spacing="2", width="100%",
                        ),
                        rx.checkbox(t("patrol.route_strict"), name="strict"),
                        rx.button(t("common.save"), type="submit"),
                        spacing="2", width="100%",
                    ),
                    on_submit=PatrolSetupState.create_route,
                )),
                width="100%", spacing="3",
            ),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
    )
