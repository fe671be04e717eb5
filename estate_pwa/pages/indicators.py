"""The manager's indicators: the overview's tiles (composed into the manager's home) and one indicator's page with
its definition, numbers, 12-month trend, the records behind it and the estate's own target. Tablet first."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.a11y import labelled_upload
from estate_pwa.components.i18n import LANGUAGE, page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, field_label, form_error, section_title
from estate_pwa.i18n import TEXT
from estate_pwa.models import Role
from estate_pwa.services.indicators import DrillLine, PeriodKind, Tile
from estate_pwa.services.indicators.certification import EVIDENCE_ITEMS, LEVELS, EvidenceRow, LevelRow
from estate_pwa.states.indicators import CertificationState, IndicatorDetailState, IndicatorsState
from estate_pwa.states.session import SessionState

STATUS_KEYS = [f"indicator.status.{s}" for s in ("met", "not_met", "no_data", "in_progress")]
WHY_KEYS = [k for k in TEXT if k.startswith("indicator.why.")]
TREND_KEYS = [f"indicator.trend.{d}" for d in ("up", "down", "flat")]
BASE_KEYS = [f"indicator.base.{b}" for b in ("households", "residents", "answered")]
LEVEL_KEYS = [f"certification.level.{level.key}" for level in LEVELS]
NOTE_KEYS = [k for k in TEXT if k.startswith(("urgency.", "status.", "incident.status_", "facilities.drill_"))]
STATUS_COLOUR = {"met": "green", "not_met": "red", "no_data": "gray", "in_progress": "blue"}
TREND_ICON = {"up": "trending-up", "down": "trending-down", "flat": "minus"}


def _name(tile: Tile) -> rx.Var:
    return rx.cond(SessionState.lang == "en", tile.name_en, tile.name_zh)


def _status(tile: Tile) -> rx.Component:
    return rx.badge(t_key("indicator.status." + tile.status, STATUS_KEYS),
                    color_scheme=rx.match(tile.status, *STATUS_COLOUR.items(), "gray"), variant="soft")


def _trend(tile: Tile) -> rx.Component:
    return rx.cond(
        tile.trend != "",
        rx.el.span(
            rx.match(tile.trend, *[(k, rx.icon(v, size=16)) for k, v in TREND_ICON.items()], rx.fragment()),
            role="img", aria_label=t_key("indicator.trend." + tile.trend, TREND_KEYS), title=t_key(
                "indicator.trend." + tile.trend, TREND_KEYS), color="var(--gray-11)", display="inline-flex"),
    )


def _tile(tile: Tile) -> rx.Component:
    """One indicator: number, name, value with its trend, target and whether it is met (or why there is no data)."""
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.cond(tile.number > 0, rx.text(tile.number, size="1", color="var(--gray-11)")),
                    rx.text(_name(tile), size="2", weight="medium", trim="both"),
                    align="start", spacing="2", width="100%",
                ),
                rx.hstack(
                    rx.cond(tile.value != "", rx.text(tile.value, size="6", weight="bold"),
                            rx.text("—", size="6", weight="bold", color="var(--gray-11)")),
                    _trend(tile),
                    align="center", spacing="2",
                ),
                rx.hstack(
                    _status(tile),
                    rx.text(t("indicator.target"), " ", tile.target,
                            rx.cond(tile.per_year, t("indicator.per_year"), ""), size="1", color="var(--gray-11)"),
                    align="center", spacing="2", wrap="wrap",
                ),
                rx.cond(tile.why != "", rx.text(t_key(tile.why, WHY_KEYS), size="1", color="var(--gray-11)")),
                spacing="2", width="100%",
            ),
            height="100%", width="100%",
        ),
        href=f"{routes.MANAGER_INDICATOR}?key=" + tile.key + "&period=" + IndicatorsState.period,
        underline="none", color="inherit", data_indicator=tile.key,
    )


def _period_picker(state) -> rx.Component:
    return rx.box(
        rx.segmented_control.root(
            *[rx.segmented_control.item(t(f"indicator.period.{k.value}"), value=k.value) for k in PeriodKind],
            value=state.period, on_change=state.choose_period, size="2",
        ),
        overflow_x="auto", max_width="100%",
    )


def indicators_overview() -> rx.Component:
    """The overview composed into the manager's home: period, links, the 25 tiles and the yearly targets."""
    return rx.vstack(
        rx.hstack(
            section_title("indicator.overview"),
            rx.text(IndicatorsState.period_label, size="2", color="var(--gray-11)"),
            rx.spacer(),
            rx.link(t("indicator.surveys_link"), href=routes.MANAGER_SURVEYS, size="2"),
            rx.link(t("indicator.certification_link"), href=routes.MANAGER_CERTIFICATION, size="2"),
            rx.link(t("fees.link"), href=routes.MANAGER_FEES, size="2"),
            rx.link(t("facilities.link"), href=routes.MANAGER_FACILITIES, size="2"),
            align="center", spacing="3", width="100%", wrap="wrap",
        ),
        rx.fragment(_period_picker(IndicatorsState), key=LANGUAGE),
        form_error(IndicatorsState.error),
        rx.grid(rx.foreach(IndicatorsState.plan_tiles, _tile),
                columns=rx.breakpoints(initial="2", sm="3", md="4", lg="5"), spacing="3", width="100%"),
        section_title("indicator.yearly"),
        rx.grid(rx.foreach(IndicatorsState.yearly_tiles, _tile),
                columns=rx.breakpoints(initial="2", sm="3", md="4", lg="5"), spacing="3", width="100%"),
        rx.hstack(
            *[rx.link(rx.button(t(f"indicator.report_{kind}"), variant="soft", size="2"),
                      href=IndicatorsState.report_links[kind], download=True, reload_document=True)
              for kind in ("pdf", "xlsx", "csv")],
            spacing="2", wrap="wrap",
        ),
        spacing="3", width="100%",
    )


def _line(line: DrillLine) -> rx.Component:
    return rx.hstack(
        rx.badge(rx.cond(line.counts, t("indicator.counts"), t("indicator.fails")),
                 color_scheme=rx.cond(line.counts, "green", "red"), variant="soft"),
        rx.vstack(
            rx.text("#", line.record_id, " ", line.title, size="2", trim="both"),
            rx.text(line.when, " ", rx.cond(line.note_key != "", t_key(line.note_key, NOTE_KEYS), line.note),
                    size="1", color="var(--gray-11)"),
            spacing="0", flex="1", min_width="0",
        ),
        rx.cond(line.link != "", rx.link(t("indicator.open"), href=line.link, size="2")),
        align="center", width="100%", spacing="3",
    )


def _trend_chart() -> rx.Component:
    return rx.recharts.responsive_container(
        rx.recharts.line_chart(
            rx.recharts.line(data_key="value", stroke="var(--accent-9)", stroke_width=2, connect_nulls=False,
                             is_animation_active=False),
            rx.recharts.x_axis(data_key="label", font_size=11),
            rx.recharts.y_axis(font_size=11, width=40),
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.graphing_tooltip(),
            data=IndicatorDetailState.trend_data,
        ),
        width="100%", height=220,
    )


def _target_form() -> rx.Component:
    state = IndicatorDetailState
    return rx.form(
        rx.hstack(
            rx.vstack(
                field_label(t("indicator.op"), "indicator-op", size="1"),
                rx.el.select(rx.el.option("≥", value=">="), rx.el.option("≤", value="<="), id="indicator-op",
                             name="op", default_value=state.op, key=state.op),
                spacing="1",
            ),
            rx.vstack(
                field_label(t("indicator.own_target"), "indicator-target", size="1"),
                rx.input(id="indicator-target", name="target", default_value=state.target_value,
                         key=state.target_value, input_mode="decimal", width="8em"),
                spacing="1",
            ),
            rx.cond(
                state.bases.length() > 0,
                rx.vstack(
                    field_label(t("indicator.base"), "indicator-base", size="1"),
                    rx.el.select(rx.foreach(state.bases, lambda b: rx.el.option(
                        t_key("indicator.base." + b, BASE_KEYS), value=b)), id="indicator-base", name="base",
                        default_value=state.base, key=state.base + SessionState.lang),
                    spacing="1",
                ),
            ),
            rx.button(t("indicator.save_target"), type="submit", size="2"),
            align="end", spacing="3", wrap="wrap",
        ),
        on_submit=state.save_target,
    )


@rx.page(route=routes.MANAGER_INDICATOR, title=page_title("title.indicators"), on_load=IndicatorDetailState.load)
def indicator_page() -> rx.Component:
    """One indicator with everything behind its number."""
    state = IndicatorDetailState
    return app_page(
        Role.MANAGER,
        routes.MANAGER,
        "title.indicators",
        rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("indicator.back"), align="center"), href=routes.MANAGER,
                size="2"),
        form_error(state.error),
        rx.heading(_name(state.tile), size="5"),
        rx.grid(
            card(
                rx.hstack(rx.text(state.tile.value, size="8", weight="bold"), _trend(state.tile), align="center"),
                rx.hstack(_status(state.tile), rx.text(t("indicator.target"), " ", state.tile.target,
                                                       rx.cond(state.tile.per_year, t("indicator.per_year"), ""),
                                                       size="2"),
                          rx.text(state.period_label, size="2", color="var(--gray-11)"), spacing="2", wrap="wrap"),
                rx.cond(state.tile.why != "", rx.text(t_key(state.tile.why, WHY_KEYS), size="2",
                                                     color="var(--gray-11)")),
                rx.cond(state.tile.numerator != "", rx.text(
                    t("indicator.numerator"), " ", state.tile.numerator,
                    rx.cond(state.tile.denominator != "", rx.fragment(" · ", t("indicator.denominator"), " ",
                                                                     state.tile.denominator)),
                    size="2")),
            ),
            card(
                rx.text(t("indicator.definition"), weight="bold", size="2"),
                rx.text(rx.cond(SessionState.lang == "en", state.definition_en, state.definition_zh), size="2"),
            ),
            columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
        ),
        rx.cond(state.parts.length() > 0, rx.vstack(
            section_title("indicator.parts"),
            rx.grid(rx.foreach(state.parts, _tile), columns=rx.breakpoints(initial="2", md="4"), spacing="3",
                    width="100%"),
            width="100%",
        )),
        rx.cond(state.trend.length() > 0, rx.vstack(section_title("indicator.trend"), card(_trend_chart()),
                                                  width="100%")),
        section_title("indicator.records"),
        rx.cond(state.tile.feature == "facilities",
                rx.link(rx.hstack(rx.icon("clipboard-list", size=16), t("facilities.link"), align="center"),
                        href=routes.MANAGER_FACILITIES, size="2")),
        card(
            rx.cond(state.lines.length() > 0, rx.foreach(state.lines, _line),
                    rx.text(t("indicator.no_records"), size="2", color="var(--gray-11)")),
            rx.hstack(
                rx.button(t("indicator.previous_page"), size="1", variant="soft", disabled=state.page <= 1,
                          on_click=state.turn_page(state.page - 1)),
                rx.text(t_fill("indicator.page", page=state.page, pages=state.pages, total=state.total), size="1"),
                rx.button(t("indicator.next_page"), size="1", variant="soft", disabled=state.page >= state.pages,
                          on_click=state.turn_page(state.page + 1)),
                align="center", spacing="3", wrap="wrap",
            ),
        ),
        section_title("indicator.own_target"),
        card(_target_form()),
    )


def _level(level: LevelRow) -> rx.Component:
    return card(
        rx.text(t_key("certification.level." + level.key, LEVEL_KEYS), weight="bold", size="3"),
        rx.hstack(
            rx.badge(rx.cond(level.ready, t("certification.ready"), t("certification.not_ready")),
                     color_scheme=rx.cond(level.ready, "green", "amber"), variant="soft"),
            rx.text(rx.match(level.state, *[(s, t_fill(f"certification.state.{s}", months=level.months))
                                            for s in ("upcoming", "open", "passed")],
                             t("certification.state.unknown")), size="2"),
            rx.cond(level.window != "", rx.text(level.window, size="1", color="var(--gray-11)")),
            spacing="2", align="center", wrap="wrap",
        ),
        rx.text(t_fill("certification.summary", met=level.met, blocking=level.blocking.length(),
                       missing=level.missing), size="2"),
        rx.callout(rx.cond(level.gates_clear, t("certification.gates_clear"), t("certification.gates_blocked")),
                   icon=rx.cond(level.gates_clear, "shield-check", "shield-alert"),
                   color_scheme=rx.cond(level.gates_clear, "green", "red"), size="1"),
        rx.cond(level.blocking.length() > 0, rx.vstack(
            rx.text(t("certification.blocking"), size="1", color="var(--gray-11)"),
            rx.flex(rx.foreach(level.blocking, lambda item: rx.link(
                rx.badge(rx.cond(SessionState.lang == "en", item[2], item[1]), color_scheme="red", variant="outline"),
                href=f"{routes.MANAGER_INDICATOR}?key=" + item[0] + "&period=rolling12")), gap="1", wrap="wrap"),
            spacing="1",
        )),
    )


def _evidence(index: int, item: str) -> rx.Component:
    """One evidence item (items are fixed, so each has its own upload area) and its files."""
    row = CertificationState.evidence[index].to(EvidenceRow)
    upload_id = f"evidence-{item}"
    return rx.hstack(
        rx.vstack(
            rx.text(t(f"certification.evidence.{item}"), size="2", weight="medium"),
            rx.cond(row.files.length() > 0,
                    rx.flex(rx.foreach(row.files, lambda f: rx.link(f[0], href=f[1], size="1", is_external=True)),
                            gap="2", wrap="wrap"),
                    rx.text(t("certification.no_files"), size="1", color="var(--gray-11)")),
            spacing="1", flex="1", min_width="0",
        ),
        labelled_upload(
            t(f"certification.evidence.{item}"),
            rx.button(rx.icon("upload", size=14), t("certification.upload"), type="button", size="1",
                      variant="soft"),
            id=upload_id, max_files=3, multiple=True, border="none", padding="0",
            accept={"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]},
            on_drop=CertificationState.upload_evidence(rx.upload_files(upload_id=upload_id), item),
        ),
        align="center", width="100%",
    )


@rx.page(route=routes.MANAGER_CERTIFICATION, title=page_title("title.certification"),
         on_load=CertificationState.load)
def certification_page() -> rx.Component:
    """Each level's window and readiness, the zero-tolerance gates, and the evidence checklist."""
    state = CertificationState
    return app_page(
        Role.MANAGER,
        routes.MANAGER,
        "title.certification",
        form_error(state.error),
        card(rx.form(
            rx.hstack(
                rx.vstack(field_label(t("certification.founded"), "founded-on", size="1"),
                          rx.input(id="founded-on", name="founded_on", type="date", default_value=state.founded_on,
                                   key=state.founded_on),
                          spacing="1"),
                rx.button(t("certification.save_founded"), type="submit"),
                align="end", spacing="3", wrap="wrap",
            ),
            on_submit=state.save_founded,
        ),
            rx.cond(state.founded_on == "", rx.text(t("certification.no_founded"), size="2",
                                                    color="var(--gray-11)"))),
        rx.grid(rx.foreach(state.levels, _level), columns=rx.breakpoints(initial="1", md="3"), spacing="3",
                width="100%"),
        rx.hstack(section_title("certification.evidence"),
                  rx.text(t_fill("certification.evidence_done", done=state.evidence_done,
                                 total=state.evidence.length()), size="2", color="var(--gray-11)"),
                  spacing="2", align="center"),
        card(rx.cond(state.evidence.length() == len(EVIDENCE_ITEMS),
                     rx.fragment(*[_evidence(i, item) for i, item in enumerate(EVIDENCE_ITEMS)]))),
    )
