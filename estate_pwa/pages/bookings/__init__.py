"""Booking screens: the public price list (明码标价, no login) with its printable A4 board (`public`); the
resident's special services — menu, the week's slots, the confirmation with the price, their bookings (phone:
home → service → slot → confirm, four taps; `resident`); the office's day of bookings with payments at the office,
the slots it closes and the catalogue (`office`). `cards` holds what they share."""

from estate_pwa.pages.bookings import office, public, resident  # noqa: F401  (pages register themselves)
