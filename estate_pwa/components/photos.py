"""The photos kit, screen side: a camera/gallery picker that uploads at once, a camera field of a form the phone's
outbox queues, thumbnails, and the full-size view.

Photos arrive as rows of signed links (services/photos.PhotoLink: `thumb`, `full`); the browser fetches them over
HTTP and caches them, and the full-size photo is only fetched when its dialog opens — no server round trip.
"""

import reflex as rx

from estate_pwa.components.a11y import labelled_upload
from estate_pwa.components.i18n import t

ACCEPT = {"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]}
THUMB_PX = "72px"


def _full_size(photo) -> rx.Component:
    """A thumbnail that opens its photo at full size."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.el.button(
                rx.image(src=photo.thumb, width=THUMB_PX, height=THUMB_PX, object_fit="cover",
                         border_radius="8px", alt=t("photos.thumbnail"), loading="lazy"),
                type="button", aria_label=t("photos.open"), cursor="zoom-in", padding="0", border="none",
                background="none",
            ),
        ),
        rx.dialog.content(
            rx.dialog.title(t("photos.full"), size="2"),
            rx.image(src=photo.full, width="100%", alt=t("photos.full"), border_radius="8px"),
            rx.dialog.close(rx.button(t("photos.close"), variant="soft", width="100%", margin_top="12px")),
            max_width="min(96vw, 900px)",
            padding="12px",
        ),
    )


def thumbnails(photos) -> rx.Component:
    """A row of thumbnails (a list var of PhotoLink); each opens its photo at full size."""
    return rx.flex(rx.foreach(photos, _full_size), gap="2", wrap="wrap")


def photo_picker(upload_id: str, on_drop, previews, limit: int = 3) -> rx.Component:
    """A camera/gallery button that uploads at once (`on_drop` is the state's handler, called with the files)
    and shows the photos taken so far (`previews`, a list var of PhotoLink)."""
    return rx.vstack(
        labelled_upload(
            t("photos.add"),
            rx.button(rx.icon("camera", size=14), t("photos.add"), type="button", variant="soft", size="2"),
            id=upload_id,
            accept=ACCEPT,
            max_files=limit,
            multiple=True,
            on_drop=on_drop(rx.upload_files(upload_id=upload_id)),
            border="none",
            padding="0",
        ),
        rx.cond(previews.length() > 0, thumbnails(previews)),
        spacing="2",
    )


def camera_input(name: rx.Var | str, label: rx.Var | str, test_id: str) -> rx.Component:
    """A small camera button of a form the phone's outbox queues (assets/outbox.js): the phone's camera first, up
    to 3 photos, queued with the form under the field's `name` (the button shows how many); `label` is the
    field's accessible name, and contains the button's own text."""
    return rx.el.label(
        rx.icon("camera", size=14),
        rx.el.span(t("photos.camera")),
        rx.el.input(type="file", name=name, accept="image/*", capture="environment", multiple=True,
                    class_name="sr-only", custom_attrs={"aria-label": label}, data_testid=test_id),
        class_name="rt-reset rt-BaseButton rt-r-size-2 rt-variant-soft rt-Button",
        style={"display": "inline-flex", "gap": "6px", "alignItems": "center", "cursor": "pointer",
               "alignSelf": "flex-start"},
    )
