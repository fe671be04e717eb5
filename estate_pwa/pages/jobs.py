"""Request and job screens: the resident's requests, the technician's jobs, the office board.

Rows come typed from services.jobs (RequestRow …): kinds, statuses and reasons are keys translated here on the
device, and each row lists the actions its viewer may take — the page shows a button when its action is listed.
"""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.countdown import countdown
from estate_pwa.components.i18n import LANGUAGE, page_title, t, t_fill, t_key
from estate_pwa.components.layout import app_page, card, form_error, section_title
from estate_pwa.components.photos import photo_picker, thumbnails
from estate_pwa.i18n import TEXT
from estate_pwa.models import RepairCategory, RequestKind, RequestStatus, Role, Urgency
from estate_pwa.services.jobs import FOLLOW_UP_REASONS, PAUSE_REASONS
from estate_pwa.states.jobs import HOME, FirstReceiverState, OfficeState, ResidentRequestsState, TechnicianJobsState

KINDS = [k.value for k in RequestKind if k != RequestKind.BOOKED]  # a booked job comes from its booking
KIND_KEYS = [f"kind.{k.value}" for k in RequestKind]
CATEGORY_KEYS = [f"category.{c.value}" for c in RepairCategory]
URGENCY_KEYS = [f"urgency.{u.value}" for u in Urgency]
STATUS_KEYS = [f"status.{s.value}" for s in RequestStatus]
FOLLOW_UP_KEYS = [f"followup.{r}" for r in FOLLOW_UP_REASONS]
AUDIT_KEYS = [key for key in TEXT if key.startswith("audit.")]


def _clock(row, server_now: rx.Var) -> rx.Component:
    return rx.cond(
        row.deadline != "",
        rx.hstack(
            rx.icon("timer", size=14),
            rx.text(rx.cond(row.clock == "dispatch", t("jobs.dispatch_clock"), t("jobs.finish_clock")), size="1",
                    color="var(--gray-11)"),
            countdown(row.deadline, server_now, data_testid="countdown"),
            align="center", spacing="1",
        ),
        rx.cond(row.clock == "paused", rx.hstack(
            rx.icon("timer-off", size=14),
            rx.text(t("jobs.clock_paused"), size="1", color="var(--gray-11)"),
            align="center", spacing="1",
        )),
    )


def _badges(row) -> rx.Component:
    return rx.hstack(
        rx.cond(row.urgency == "emergency",
                rx.badge(t_key("urgency." + row.urgency, URGENCY_KEYS), color_scheme="red")),
        rx.badge(t_key("status." + row.status, STATUS_KEYS), variant="soft"),
        rx.cond(row.postponed, rx.badge(t("jobs.postponed"), color_scheme="amber", variant="soft")),
        rx.cond(row.breached, rx.badge(t("jobs.breach"), color_scheme="red", variant="outline")),
        rx.cond(row.on_time, rx.badge(t("jobs.on_time"), color_scheme="green", variant="soft")),
        rx.cond(row.late, rx.badge(t("jobs.late"), color_scheme="red", variant="soft")),
        spacing="1", wrap="wrap",
    )


def _title(row) -> rx.Var:
    """'Repair · Plumbing', or the kind alone for complaints and suggestions."""
    kind = t_key("kind." + row.kind, KIND_KEYS)
    return rx.cond(row.kind == "repair", kind + " · " + t_key("category." + row.category, CATEGORY_KEYS), kind)


def _request_card(row, state, *actions: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(_title(row), weight="bold", size="3"),
                rx.spacer(),
                rx.text("#" + row.id.to_string(), size="1", color="var(--gray-11)"),
                width="100%", align="center",
            ),
            _badges(row),
            rx.text(row.place + " · " + row.received, size="1", color="var(--gray-11)"),
            rx.text(row.description, size="2"),
            rx.cond(row.photos.length() > 0, thumbnails(row.photos)),
            _clock(row, state.server_now),
            rx.cond(row.promised != "",
                    rx.text(t("jobs.promised"), ": ", row.promised, size="1", color="var(--gray-11)")),
            rx.cond(row.technician != "",
                    rx.text(t("jobs.assignee"), ": ", row.technician, size="1", color="var(--gray-11)")),
            rx.cond(row.contact != "",
                    rx.hstack(rx.icon("phone", size=12), rx.text(row.contact, size="1"), align="center",
                              spacing="1")),
            rx.cond(row.late_excused, rx.badge(t("jobs.late_agreed"), color_scheme="amber", size="1")),
            rx.cond(row.reply != "", rx.callout(row.reply, icon="message-circle", size="1", width="100%")),
            *actions,
            spacing="2", width="100%",
        ),
        width="100%",
        data_testid="request-card",
    )


# Resident

def _resident_actions(row) -> rx.Component:
    return rx.cond(
        row.actions.contains("rate"),
        rx.vstack(
            rx.input(placeholder=t("jobs.comment"), max_length=500, width="100%",
                     on_blur=lambda text: ResidentRequestsState.note_comment(row.id, text)),
            rx.hstack(
                rx.button(rx.icon("thumbs-up", size=14), t("jobs.satisfied"), size="2", color_scheme="green",
                          on_click=ResidentRequestsState.rate(row.id, True)),
                rx.button(rx.icon("thumbs-down", size=14), t("jobs.unsatisfied"), size="2", variant="soft",
                          color_scheme="red", on_click=ResidentRequestsState.rate(row.id, False)),
                spacing="2",
            ),
            width="100%", spacing="2",
        ),
    )


@rx.page(route=routes.RESIDENT_REQUESTS, title=page_title("title.requests"), on_load=ResidentRequestsState.load)
def resident_requests() -> rx.Component:
    """Report a problem; follow, confirm and rate one's requests."""
    return app_page(
        Role.RESIDENT,
        routes.RESIDENT_REQUESTS,
        "jobs.new_title",
        card(rx.form(
            rx.vstack(
                rx.radio_group.root(
                    rx.hstack(
                        *[rx.radio_group.item(t(f"kind.{k}"), value=k) for k in KINDS],
                        spacing="4",
                    ),
                    name="kind", default_value="repair",
                ),
                rx.select.root(
                    rx.select.trigger(width="100%", aria_label=t("jobs.category")),
                    rx.select.content(*[rx.select.item(t(f"category.{c.value}"), value=c.value)
                                        for c in RepairCategory]),
                    name="category", default_value="plumbing", key=LANGUAGE,
                ),
                rx.vstack(
                    rx.text(t("jobs.place"), size="1", color="var(--gray-11)"),
                    rx.select.root(
                        rx.select.trigger(width="100%", id="report-place", aria_label=t("jobs.place")),
                        rx.select.content(rx.foreach(ResidentRequestsState.places, lambda place: rx.select.item(
                            rx.cond(place.value == HOME, t_fill("jobs.place_home", unit=place.name), place.name),
                            value=place.value))),
                        name="place", default_value=HOME,
                    ),
                    spacing="1", width="100%",
                ),
                rx.text_area(name="description", placeholder=t("jobs.description"), max_length=1000,
                             width="100%", rows="3"),
                rx.checkbox(t("jobs.emergency"), name="emergency"),
                photo_picker("report-photos", ResidentRequestsState.add_photos, ResidentRequestsState.previews),
                form_error(ResidentRequestsState.error),
                rx.button(t("jobs.send"), type="submit", size="3", width="100%"),
                spacing="3", width="100%",
            ),
            on_submit=ResidentRequestsState.submit,
            key=ResidentRequestsState.form_key,
        )),
        section_title("jobs.mine"),
        rx.cond(
            ResidentRequestsState.requests.length() > 0,
            rx.foreach(ResidentRequestsState.requests,
                       lambda row: _request_card(row, ResidentRequestsState, _resident_actions(row))),
            card(rx.text(t("jobs.none"), size="2", color="var(--gray-11)")),
        ),
    )


# Technician

def _finish_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text_area(name="work_done", placeholder=t("jobs.work_done"), max_length=1000, width="100%"),
            rx.input(name="parts", placeholder=t("jobs.parts"), max_length=500, width="100%"),
            photo_picker("work-photos", TechnicianJobsState.add_work_photos, TechnicianJobsState.work_previews),
            rx.text(t("jobs.sign_here"), size="1", color="var(--gray-11)"),
            rx.el.canvas(id="signature-pad", width="600", height="200",
                         style={"width": "100%", "height": "120px", "border": "1px dashed var(--gray-8)",
                                "border-radius": "8px", "touch-action": "none", "background": "white"}),
            rx.hstack(
                rx.button(t("jobs.clear"), type="button", variant="soft", size="2",
                          on_click=rx.call_script("window.estateSignature.clear()")),
                rx.button(t("jobs.submit_finish"), type="submit", size="2", color_scheme="green"),
                spacing="2",
            ),
            spacing="2", width="100%",
        ),
        on_submit=TechnicianJobsState.finish,
        width="100%",
    )


def _postpone_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(t("jobs.new_time"), size="1"),
            rx.input(name="new_time", type="datetime-local", width="100%"),
            rx.input(name="reason", placeholder=t("jobs.reason"), max_length=200, width="100%"),
            rx.button(t("jobs.postpone"), type="submit", size="2", color_scheme="amber"),
            spacing="2", width="100%",
        ),
        on_submit=TechnicianJobsState.postpone,
        width="100%",
    )


def _excuse_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.input(name="reason", placeholder=t("jobs.late_reason"), max_length=200, width="100%"),
            rx.checkbox(t("jobs.consent"), name="consent"),
            rx.button(t("jobs.record"), type="submit", size="2", color_scheme="amber"),
            spacing="2", width="100%",
        ),
        on_submit=TechnicianJobsState.excuse,
        width="100%",
    )


def _technician_actions(row) -> rx.Component:
    opened = row.id.to_string()
    return rx.vstack(
        rx.cond(
            row.actions.contains("excuse"),
            rx.button(t("jobs.cannot_make_it"), size="1", variant="ghost", color_scheme="amber",
                      on_click=TechnicianJobsState.open_excuse(opened)),
        ),
        rx.cond(TechnicianJobsState.excusing == opened, _excuse_form()),
        rx.cond(row.actions.contains("accept"),
                rx.button(rx.icon("navigation", size=14), t("jobs.accept"), size="3", width="100%",
                          on_click=TechnicianJobsState.accept(opened))),
        rx.flex(
            rx.cond(row.actions.contains("finish"),
                    rx.button(t("jobs.finish"), size="2", color_scheme="green",
                              on_click=TechnicianJobsState.open_finish(opened))),
            rx.cond(row.actions.contains("pause"), rx.menu.root(
                rx.menu.trigger(rx.button(t("jobs.pause"), size="2", variant="soft")),
                rx.menu.content(*[rx.menu.item(t(f"pause.{r}"), on_click=TechnicianJobsState.pause(opened, r))
                                  for r in PAUSE_REASONS]),
            )),
            rx.cond(row.actions.contains("postpone"),
                    rx.button(t("jobs.postpone"), size="2", variant="soft", color_scheme="amber",
                              on_click=TechnicianJobsState.open_postpone(opened))),
            rx.cond(row.actions.contains("resume"),
                    rx.button(t("jobs.resume"), size="2", on_click=TechnicianJobsState.resume(opened))),
            gap="2", wrap="wrap",
        ),
        rx.cond(TechnicianJobsState.finishing == opened, _finish_form()),
        rx.cond(TechnicianJobsState.postponing == opened, _postpone_form()),
        width="100%", spacing="2",
    )


def technician_jobs(title: str = "jobs.my_jobs") -> rx.Component:
    """The jobs assigned to the person and, for technicians, the claim pool (on the technician's home; on the
    cleaner's, their booked services under their own title)."""
    return rx.vstack(
        form_error(TechnicianJobsState.error),
        section_title(title),
        rx.cond(
            TechnicianJobsState.my_jobs.length() > 0,
            rx.foreach(TechnicianJobsState.my_jobs, lambda row: _request_card(
                row, TechnicianJobsState, _technician_actions(row))),
            card(rx.text(t("jobs.none"), size="2", color="var(--gray-11)")),
        ),
        rx.cond(
            TechnicianJobsState.pool.length() > 0,
            rx.vstack(
                section_title("jobs.pool"),
                rx.foreach(TechnicianJobsState.pool, lambda row: _request_card(
                    row, TechnicianJobsState,
                    rx.cond(row.actions.contains("claim"),
                            rx.button(t("jobs.claim"), size="2", variant="soft",
                                      on_click=TechnicianJobsState.claim(row.id))))),
                width="100%", spacing="3",
            ),
        ),
        width="100%", spacing="3",
    )


# Office

def _dispatch_control(row) -> rx.Component:
    return rx.cond(
        row.actions.contains("dispatch"),
        rx.hstack(
            rx.text(t("jobs.dispatch_to"), size="2"),
            rx.select.root(
                rx.select.trigger(placeholder="—", width="160px", aria_label=t("jobs.dispatch_to")),
                rx.select.content(rx.foreach(OfficeState.technicians, lambda tech: rx.select.item(
                    tech.name + " (" + tech.open.to_string() + ")", value=tech.id.to_string()))),
                on_change=lambda technician: OfficeState.dispatch(row.id, technician),
            ),
            align="center", spacing="2",
        ),
    )


def _reply_form(row) -> rx.Component:
    return rx.cond(
        row.actions.contains("reply"),
        rx.form(
            rx.hstack(
                rx.el.input(type="hidden", name="request", value=row.id),
                rx.input(name="text", placeholder=t("jobs.reply_placeholder"), max_length=1000, flex="1"),
                rx.button(t("jobs.send_reply"), type="submit", size="2"),
                width="100%",
            ),
            on_submit=OfficeState.reply,
            width="100%",
        ),
    )


def _reschedule_form(row) -> rx.Component:
    return rx.cond(
        row.actions.contains("reschedule"),
        rx.popover.root(
            rx.popover.trigger(rx.button(t("jobs.reschedule"), size="1", variant="soft", color_scheme="amber")),
            rx.popover.content(rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="request", value=row.id),
                    rx.text(rx.cond(row.postponed, t("jobs.reschedule_breach"), t("jobs.reschedule_note")),
                            size="1", color="var(--gray-11)"),
                    rx.input(name="new_time", type="datetime-local", width="100%"),
                    rx.input(name="reason", placeholder=t("jobs.reason"), max_length=200, width="100%"),
                    rx.button(t("common.save"), type="submit", size="2"),
                    spacing="2",
                ),
                on_submit=OfficeState.reschedule,
            )),
        ),
    )


def _office_actions(row) -> rx.Component:
    return rx.vstack(
        _dispatch_control(row),
        _reply_form(row),
        rx.hstack(
            rx.cond(row.first_receiver != "",
                    rx.text(t("jobs.first_receiver"), ": ", row.first_receiver, size="1",
                            color="var(--gray-11)")),
            rx.cond(row.dispatch_met, rx.badge(t("jobs.dispatch_met"), color_scheme="green", size="1")),
            rx.cond(row.dispatch_missed, rx.badge(t("jobs.dispatch_missed"), color_scheme="red", size="1")),
            rx.spacer(),
            _reschedule_form(row),
            rx.button(t("jobs.history"), size="1", variant="ghost", on_click=OfficeState.show_history(row.id)),
            width="100%", align="center", wrap="wrap",
        ),
        rx.cond(
            row.actions.contains("mark_quality"),
            rx.hstack(
                rx.button(t("jobs.quality_pass"), size="1", variant="soft", color_scheme="green",
                          on_click=OfficeState.mark_quality(row.id, True)),
                rx.button(t("jobs.quality_fail"), size="1", variant="soft", color_scheme="red",
                          on_click=OfficeState.mark_quality(row.id, False)),
                spacing="2",
            ),
        ),
        rx.cond(
            row.actions.contains("confirm_effective"),
            rx.hstack(
                rx.cond(row.effective == "yes", rx.badge(t("jobs.effective"), color_scheme="red", variant="soft")),
                rx.cond(row.effective == "no", rx.badge(t("jobs.not_effective"), variant="soft")),
                rx.cond(row.effective != "yes", rx.button(
                    t("jobs.confirm_effective"), size="1", variant="soft", color_scheme="red",
                    on_click=OfficeState.confirm_complaint(row.id, True))),
                rx.cond(row.effective != "no", rx.button(
                    t("jobs.confirm_not_effective"), size="1", variant="soft",
                    on_click=OfficeState.confirm_complaint(row.id, False))),
                spacing="2", align="center", wrap="wrap",
            ),
        ),
        width="100%", spacing="2",
    )


def _history_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(OfficeState.history_title),
            rx.vstack(
                rx.foreach(OfficeState.history, lambda e: rx.hstack(
                    rx.text(e.when, size="1", color="var(--gray-11)", min_width="76px"),
                    rx.text(rx.cond(e.who != "", e.who, t("audit.system")), size="2", weight="medium"),
                    rx.text(t_key("audit." + e.action, AUDIT_KEYS), size="2"),
                    spacing="2", wrap="wrap")),
                rx.cond(OfficeState.history_signature != "",
                        rx.image(src=OfficeState.history_signature, width="100%", alt=t("jobs.signature"))),
                rx.button(t("units.close"), variant="soft", on_click=OfficeState.close_history),
                spacing="2",
            ),
            max_width="420px",
        ),
        open=OfficeState.history.length() > 0,
    )


@rx.page(route=routes.MANAGER_JOBS, title=page_title("title.jobs"), on_load=OfficeState.load)
def manager_jobs() -> rx.Component:
    """The office board."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER_JOBS,
        "jobs.board",
        rx.hstack(
            rx.switch(checked=OfficeState.auto_dispatch, on_change=OfficeState.set_auto_dispatch, id="auto-dispatch",
                      aria_label=t("jobs.auto_dispatch")),
            rx.text(t("jobs.auto_dispatch"), as_="label", html_for="auto-dispatch", size="2"),
            align="center", spacing="2",
        ),
        rx.segmented_control.root(
            *[rx.segmented_control.item(t(f"jobs.show_{key}"), value=key)
              for key in ("all", "overdue", "breaches", "postponed")],
            value=OfficeState.show, on_change=OfficeState.set_show, size="1",
        ),
        form_error(OfficeState.error),
        rx.grid(
            rx.vstack(
                rx.foreach(OfficeState.board, lambda row: _request_card(row, OfficeState, _office_actions(row))),
                rx.cond(OfficeState.board.length() == 0,
                        card(rx.text(t("jobs.none"), size="2", color="var(--gray-11)"))),
                spacing="3", width="100%",
            ),
            rx.vstack(
                section_title("jobs.load"),
                card(rx.foreach(OfficeState.technicians, lambda tech: rx.hstack(
                    rx.text(tech.name, size="2"), rx.spacer(), rx.badge(tech.open), width="100%"))),
                section_title("jobs.follow_ups"),
                card(
                    rx.foreach(OfficeState.follow_ups, lambda f: rx.form(
                        rx.vstack(
                            rx.text("#" + f.request_id.to_string() + " " + f.place + " · "
                                    + t_key("followup." + f.reason, FOLLOW_UP_KEYS), size="2", weight="medium"),
                            rx.text(f.description, size="1", color="var(--gray-11)"),
                            rx.el.input(type="hidden", name="follow_up", value=f.id),
                            rx.input(name="outcome", placeholder=t("jobs.outcome"), max_length=500, width="100%"),
                            rx.hstack(
                                rx.select.root(
                                    rx.select.trigger(width="120px", aria_label=t("jobs.follow_up_result")),
                                    rx.select.content(rx.select.item(t("jobs.satisfied"), value="yes"),
                                                      rx.select.item(t("jobs.unsatisfied"), value="no")),
                                    name="satisfied", default_value="yes", key=LANGUAGE,
                                ),
                                rx.button(t("jobs.record"), type="submit", size="1"),
                                spacing="2",
                            ),
                            spacing="1", width="100%",
                        ),
                        on_submit=OfficeState.record_follow_up,
                        width="100%",
                    )),
                    rx.cond(OfficeState.follow_ups.length() == 0,
                            rx.text(t("jobs.none"), size="2", color="var(--gray-11)")),
                ),
                width="100%", spacing="3",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4", width="100%",
        ),
        rx.moment(interval=5000, on_change=OfficeState.refresh, display="none"),
        _history_dialog(),
    )


def received_by_me() -> rx.Component:
    """The staff member's own received requests and the form to record one for a resident (on the Me page)."""
    return rx.vstack(
        section_title("jobs.received_by_me"),
        rx.foreach(FirstReceiverState.owned, lambda row: _request_card(row, FirstReceiverState)),
        rx.cond(FirstReceiverState.owned.length() == 0, card(rx.text(t("jobs.none"), size="2",
                                                                     color="var(--gray-11)"))),
        section_title("jobs.record_for_resident"),
        card(rx.form(
            rx.vstack(
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(placeholder=t("jobs.building"), width="120px", aria_label=t("jobs.building")),
                        rx.select.content(rx.foreach(FirstReceiverState.buildings,
                                                     lambda b: rx.select.item(b, value=b))),
                        name="building",
                    ),
                    rx.input(name="unit", placeholder=t("jobs.unit_number"), max_length=20, flex="1"),
                    width="100%",
                ),
                rx.select.root(
                    rx.select.trigger(width="100%", aria_label=t("jobs.kind")),
                    rx.select.content(*[rx.select.item(t(f"kind.{k}"), value=k) for k in KINDS]),
                    name="kind", default_value="repair", key=LANGUAGE,
                ),
                rx.text_area(name="description", placeholder=t("jobs.description"), max_length=1000, width="100%"),
                rx.checkbox(t("jobs.emergency"), name="emergency"),
                form_error(FirstReceiverState.error),
                rx.button(t("jobs.record"), type="submit"),
                spacing="2", width="100%",
            ),
            on_submit=FirstReceiverState.record,
            key=FirstReceiverState.form_key,
        )),
        width="100%", spacing="3",
    )
