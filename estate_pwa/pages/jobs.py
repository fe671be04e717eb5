"""Request and job screens: the resident's requests, the technician's jobs, the office board."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.countdown import countdown
from estate_pwa.components.i18n import LANGUAGE, page_title, t
from estate_pwa.components.layout import app_page, card, form_error, section_title
from estate_pwa.models import RepairCategory, Role
from estate_pwa.services.jobs import PAUSE_REASONS
from estate_pwa.states.jobs import HOME, FirstReceiverState, OfficeState, ResidentRequestsState, TechnicianJobsState


def _clock(row: dict, server_now: rx.Var) -> rx.Component:
    return rx.cond(
        row["deadline"] != "",
        rx.hstack(
            rx.icon("timer", size=14),
            rx.text(row["clock_label"], size="1", color="var(--gray-11)"),
            countdown(row["deadline"], server_now, data_testid="countdown"),
            align="center", spacing="1",
        ),
    )


def _badges(row: dict) -> rx.Component:
    return rx.hstack(
        rx.cond(row["urgency"] == "emergency", rx.badge(row["urgency_label"], color_scheme="red")),
        rx.badge(row["status_label"], variant="soft"),
        rx.cond(row["postponed"] == "1", rx.badge(t("jobs.postponed"), color_scheme="amber", variant="soft")),
        rx.cond(row["breaches"] != "", rx.badge(t("jobs.breach"), color_scheme="red", variant="outline")),
        rx.cond(row["on_time"] == "1", rx.badge(t("jobs.on_time"), color_scheme="green", variant="soft")),
        rx.cond(row["on_time"] == "0", rx.badge(t("jobs.late"), color_scheme="red", variant="soft")),
        spacing="1", wrap="wrap",
    )


def _thumbnail(src, **props) -> rx.Component:
    return rx.image(src=src, width="72px", height="72px", object_fit="cover", border_radius="8px", alt="photo",
                    **props)


def _thumbnails(sources) -> rx.Component:
    return rx.flex(rx.foreach(sources, _thumbnail), gap="2", wrap="wrap")


def _request_photos(row: dict, state) -> rx.Component:
    """A request's thumbnails; tapping one asks the server for that photo at full size."""
    ids = row["photo_ids"].to(str).split("|")
    return rx.flex(
        rx.foreach(row["photos"].to(str).split("|"), lambda src, index: _thumbnail(
            src, cursor="zoom-in", on_click=state.open_photo(ids[index]))),
        gap="2", wrap="wrap",
    )


def _photo_dialog(state) -> rx.Component:
    """The photo opened from a request's thumbnails, at full size."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("jobs.photo_full"), size="2"),
            rx.image(src=state.full_photo, width="100%", alt="full-size", border_radius="8px"),
            rx.button(t("units.close"), variant="soft", width="100%", margin_top="12px",
                      on_click=state.close_photo),
            max_width="min(96vw, 900px)",
            padding="12px",
        ),
        open=state.full_photo != "",
        on_open_change=lambda _open: state.close_photo(),
    )


def _photo_picker(upload_id: str, handler, previews) -> rx.Component:
    """A camera/gallery button that uploads at once and shows what was taken."""
    return rx.vstack(
        rx.upload.root(
            rx.button(rx.icon("camera", size=14), t("jobs.add_photos"), type="button", variant="soft", size="2"),
            id=upload_id,
            accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
            max_files=3,
            multiple=True,
            on_drop=handler(rx.upload_files(upload_id=upload_id)),
            border="none",
            padding="0",
        ),
        rx.cond(previews.length() > 0, _thumbnails(previews)),
        spacing="2",
    )


def _request_card(row: dict, state, *actions: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row["title"], weight="bold", size="3"),
                rx.spacer(),
                rx.text("#" + row["id"], size="1", color="var(--gray-10)"),
                width="100%", align="center",
            ),
            _badges(row),
            rx.text(row["place"] + " · " + row["received"], size="1", color="var(--gray-11)"),
            rx.text(row["description"], size="2"),
            rx.cond(row["photos"] != "", _request_photos(row, state)),
            _clock(row, state.server_now),
            rx.cond(row["promised"] != "",
                    rx.text(t("jobs.promised"), ": ", row["promised"], size="1", color="var(--gray-11)")),
            rx.cond(row["technician"] != "",
                    rx.text(t("jobs.technician"), ": ", row["technician"], size="1", color="var(--gray-11)")),
            rx.cond(row["contact"] != "",
                    rx.hstack(rx.icon("phone", size=12), rx.text(row["contact"], size="1"), align="center",
                              spacing="1")),
            rx.cond(row["late_excused"] == "1", rx.badge(t("jobs.late_agreed"), color_scheme="amber", size="1")),
            rx.cond(row["reply"] != "", rx.callout(row["reply"], icon="message-circle", size="1", width="100%")),
            *actions,
            spacing="2", width="100%",
        ),
        width="100%",
        data_testid="request-card",
    )


# Resident

def _resident_actions(row: dict) -> rx.Component:
    return rx.cond(
        row["status"] == "completed",
        rx.vstack(
            rx.input(placeholder=t("jobs.comment"), max_length=500, width="100%",
                     on_blur=lambda text: ResidentRequestsState.note_comment(row["id"], text)),
            rx.hstack(
                rx.button(rx.icon("thumbs-up", size=14), t("jobs.satisfied"), size="2", color_scheme="green",
                          on_click=ResidentRequestsState.rate(row["id"], True)),
                rx.button(rx.icon("thumbs-down", size=14), t("jobs.unsatisfied"), size="2", variant="soft",
                          color_scheme="red", on_click=ResidentRequestsState.rate(row["id"], False)),
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
                        *[rx.radio_group.item(t(f"kind.{k}"), value=k) for k in ("repair", "complaint", "suggestion")],
                        spacing="4",
                    ),
                    name="kind", default_value="repair",
                ),
                rx.select.root(
                    rx.select.trigger(width="100%"),
                    rx.select.content(*[rx.select.item(t(f"category.{c.value}"), value=c.value)
                                        for c in RepairCategory]),
                    name="category", default_value="plumbing", key=LANGUAGE,
                ),
                rx.vstack(
                    rx.text(t("jobs.place"), size="1", color="var(--gray-11)"),
                    rx.select.root(
                        rx.select.trigger(width="100%", id="report-place"),
                        rx.select.content(rx.foreach(ResidentRequestsState.places, lambda place: rx.select.item(
                            place["label"], value=place["value"]))),
                        name="place", default_value=HOME,
                    ),
                    spacing="1", width="100%",
                ),
                rx.text_area(name="description", placeholder=t("jobs.description"), max_length=1000,
                             width="100%", rows="3"),
                rx.checkbox(t("jobs.emergency"), name="emergency"),
                _photo_picker("report-photos", ResidentRequestsState.add_photos, ResidentRequestsState.previews),
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
        _photo_dialog(ResidentRequestsState),
    )


# Technician

def _finish_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text_area(name="work_done", placeholder=t("jobs.work_done"), max_length=1000, width="100%"),
            rx.input(name="parts", placeholder=t("jobs.parts"), max_length=500, width="100%"),
            _photo_picker("work-photos", TechnicianJobsState.add_work_photos, TechnicianJobsState.work_previews),
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


def _technician_actions(row: dict) -> rx.Component:
    return rx.vstack(
        rx.cond(
            (row["dispatch_met"] == "") & (row["late_excused"] == "") & (row["status"] == "dispatched"),
            rx.button(t("jobs.cannot_make_it"), size="1", variant="ghost", color_scheme="amber",
                      on_click=TechnicianJobsState.open_excuse(row["id"])),
        ),
        rx.cond(TechnicianJobsState.excusing == row["id"], _excuse_form()),
        rx.match(
            row["status"],
            ("dispatched", rx.button(rx.icon("navigation", size=14), t("jobs.accept"), size="3", width="100%",
                                     on_click=TechnicianJobsState.accept(row["id"]))),
            ("accepted", rx.flex(
                rx.button(t("jobs.finish"), size="2", color_scheme="green",
                          on_click=TechnicianJobsState.open_finish(row["id"])),
                rx.menu.root(
                    rx.menu.trigger(rx.button(t("jobs.pause"), size="2", variant="soft")),
                    rx.menu.content(*[rx.menu.item(t(f"pause.{r}"), on_click=TechnicianJobsState.pause(row["id"], r))
                                      for r in PAUSE_REASONS]),
                ),
                rx.button(t("jobs.postpone"), size="2", variant="soft", color_scheme="amber",
                          on_click=TechnicianJobsState.open_postpone(row["id"])),
                gap="2", wrap="wrap",
            )),
            ("paused", rx.button(t("jobs.resume"), size="2", on_click=TechnicianJobsState.resume(row["id"]))),
            rx.fragment(),
        ),
        rx.cond(TechnicianJobsState.finishing == row["id"], _finish_form()),
        rx.cond(TechnicianJobsState.postponing == row["id"], _postpone_form()),
        width="100%", spacing="2",
    )


def technician_jobs() -> rx.Component:
    """The technician's jobs and the claim pool (shown on the technician's home)."""
    return rx.vstack(
        form_error(TechnicianJobsState.error),
        section_title("jobs.my_jobs"),
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
                    rx.button(t("jobs.claim"), size="2", variant="soft",
                              on_click=TechnicianJobsState.claim(row["id"])))),
                width="100%", spacing="3",
            ),
        ),
        _photo_dialog(TechnicianJobsState),
        width="100%", spacing="3",
    )


# Office

def _dispatch_control(row: dict) -> rx.Component:
    return rx.cond(
        (row["is_repair"] == "1") & ((row["status"] == "received") | (row["status"] == "dispatched")),
        rx.hstack(
            rx.text(t("jobs.dispatch_to"), size="2"),
            rx.select.root(
                rx.select.trigger(placeholder="—", width="160px"),
                rx.select.content(rx.foreach(OfficeState.technicians, lambda tech: rx.select.item(
                    tech["name"] + " (" + tech["open"] + ")", value=tech["id"]))),
                on_change=lambda technician: OfficeState.dispatch(row["id"], technician),
            ),
            align="center", spacing="2",
        ),
    )


def _reply_form(row: dict) -> rx.Component:
    return rx.cond(
        (row["is_repair"] == "") & (row["status"] != "completed") & (row["status"] != "closed"),
        rx.form(
            rx.hstack(
                rx.el.input(type="hidden", name="request", value=row["id"]),
                rx.input(name="text", placeholder=t("jobs.reply_placeholder"), max_length=1000, flex="1"),
                rx.button(t("jobs.send_reply"), type="submit", size="2"),
                width="100%",
            ),
            on_submit=OfficeState.reply,
            width="100%",
        ),
    )


def _reschedule_form(row: dict) -> rx.Component:
    return rx.cond(
        (row["status"] == "accepted") | (row["status"] == "paused"),
        rx.popover.root(
            rx.popover.trigger(rx.button(t("jobs.reschedule"), size="1", variant="soft", color_scheme="amber")),
            rx.popover.content(rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="request", value=row["id"]),
                    rx.text(rx.cond(row["postponed"] == "1", t("jobs.reschedule_breach"), t("jobs.reschedule_note")),
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


def _office_actions(row: dict) -> rx.Component:
    return rx.vstack(
        _dispatch_control(row),
        _reply_form(row),
        rx.hstack(
            rx.cond(row["first_receiver"] != "",
                    rx.text(t("jobs.first_receiver"), ": ", row["first_receiver"], size="1",
                            color="var(--gray-11)")),
            rx.cond(row["dispatch_met"] == "1", rx.badge(t("jobs.dispatch_met"), color_scheme="green", size="1")),
            rx.cond(row["dispatch_met"] == "0", rx.badge(t("jobs.dispatch_missed"), color_scheme="red", size="1")),
            rx.spacer(),
            _reschedule_form(row),
            rx.button(t("jobs.history"), size="1", variant="ghost", on_click=OfficeState.show_history(row["id"])),
            width="100%", align="center", wrap="wrap",
        ),
        rx.cond(
            (row["is_repair"] == "1") & ((row["status"] == "completed") | (row["status"] == "closed")),
            rx.hstack(
                rx.button(t("jobs.quality_pass"), size="1", variant="soft", color_scheme="green",
                          on_click=OfficeState.mark_quality(row["id"], True)),
                rx.button(t("jobs.quality_fail"), size="1", variant="soft", color_scheme="red",
                          on_click=OfficeState.mark_quality(row["id"], False)),
                spacing="2",
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
                    rx.text(e["when"], size="1", color="var(--gray-11)", min_width="76px"),
                    rx.text(e["who"], size="2", weight="medium"), rx.text(e["what"], size="2"),
                    spacing="2", wrap="wrap")),
                rx.cond(OfficeState.history_signature != "",
                        rx.image(src=OfficeState.history_signature, width="100%", alt="signature")),
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
            rx.switch(checked=OfficeState.auto_dispatch, on_change=OfficeState.set_auto_dispatch, id="auto-dispatch"),
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
                    rx.text(tech["name"], size="2"), rx.spacer(), rx.badge(tech["open"]), width="100%"))),
                section_title("jobs.follow_ups"),
                card(
                    rx.foreach(OfficeState.follow_ups, lambda f: rx.form(
                        rx.vstack(
                            rx.text("#" + f["request"] + " " + f["place"] + " · " + f["reason"], size="2",
                                    weight="medium"),
                            rx.text(f["description"], size="1", color="var(--gray-11)"),
                            rx.el.input(type="hidden", name="follow_up", value=f["id"]),
                            rx.input(name="outcome", placeholder=t("jobs.outcome"), max_length=500, width="100%"),
                            rx.hstack(
                                rx.select.root(
                                    rx.select.trigger(width="120px"),
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
        _photo_dialog(OfficeState),
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
                        rx.select.trigger(placeholder=t("jobs.building"), width="120px"),
                        rx.select.content(rx.foreach(FirstReceiverState.buildings,
                                                     lambda b: rx.select.item(b, value=b))),
                        name="building",
                    ),
                    rx.input(name="unit", placeholder=t("jobs.unit_number"), max_length=20, flex="1"),
                    width="100%",
                ),
                rx.select.root(
                    rx.select.trigger(width="100%"),
                    rx.select.content(*[rx.select.item(t(f"kind.{k}"), value=k)
                                        for k in ("repair", "complaint", "suggestion")]),
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
        _photo_dialog(FirstReceiverState),
        width="100%", spacing="3",
    )
