"""The in-app QR scanner: @yudiel/react-qr-scanner, whose zxing decoder works in Chromium on Linux.

Kept in its own module and loaded lazily, so only the scanner page carries its weight. The decoder's
`zxing_reader.wasm` is served by the app from assets/ (never fetched from a CDN); it must be the file of the
zxing-wasm version that reflex.lock installs (a test compares them).
"""

import reflex as rx
from reflex.vars import FunctionStringVar

LIBRARY = "@yudiel/react-qr-scanner@2.6.0"
WASM_URL = "/zxing_reader.wasm"


class QrScanner(rx.NoSSRComponent):
    """The camera view that reads QR codes; `on_scan` receives the detected codes (each with `rawValue`)."""

    library = LIBRARY
    tag = "Scanner"

    formats: rx.Var[list[str]]
    constraints: rx.Var[dict]
    paused: rx.Var[bool]
    sound: rx.Var[bool]
    scan_delay: rx.Var[int]
    allow_multiple: rx.Var[bool]
    styles: rx.Var[dict]

    on_scan: rx.EventHandler[lambda codes: [codes]]
    on_error: rx.EventHandler[rx.event.no_args_event_spec]

    def add_custom_code(self) -> list[str]:
        """Point the decoder at the app's own copy of its WebAssembly before the scanner loads."""
        return [
            f"import('{LIBRARY.rsplit('@', 1)[0]}').then((scanner) => scanner.setZXingModuleOverrides("
            f"{{locateFile: (path, prefix) => path.endsWith('.wasm') ? '{WASM_URL}' : prefix + path}}));"
        ]


def qr_scanner(kind: str = "scan", **props) -> rx.Component:
    """A square camera view that queues every code it reads in the phone's outbox (window.estateOutbox) as an
    action of `kind` and sends it; the same code held in view is taken again only after a pause (see `capture`),
    so a guard can rescan."""
    return QrScanner.create(
        formats=["qr_code"],
        constraints={"facingMode": "environment"},
        sound=False,
        allow_multiple=True,
        scan_delay=1500,
        styles={"container": {"width": "100%", "aspectRatio": "1 / 1", "borderRadius": "12px",
                              "overflow": "hidden"}},
        on_scan=FunctionStringVar.create(f"((codes) => window.estateOutbox.capture(codes, {kind!r}))"),
        **props,
    )
