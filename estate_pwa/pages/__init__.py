"""One module per screen, grouped by role; each registers itself with `rx.page`."""
