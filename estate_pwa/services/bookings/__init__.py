"""Special services (特约服务) from the menu to the job: the catalogue and its public price list and A4 price board
(catalogue, board), bookable slots with capacity from the roster (slots), booking and cancelling as jobs of the
jobs system (booking), and the charge, payments, refunds and receipts through the fee machinery (money).

`from estate_pwa.services import bookings; bookings.book(...)` reaches all of it."""

from estate_pwa.services.bookings.board import BOARD_KIND, board_link, board_pdf
from estate_pwa.services.bookings.booking import (
    BookingRow, book, booking_bill, cancel, day_bookings, day_of, fee_if_cancelled, my_bookings, status_of,
)
from estate_pwa.services.bookings.catalogue import (
    PriceList, ServiceRow, bookable, catalogue, price_list, save_service, set_active, special_count, staff_choices,
)
from estate_pwa.services.bookings.common import BOOKING, MENU, STATUSES
from estate_pwa.services.bookings.money import RECEIPT_KIND, BillView, MoneyLine, receipt_pdf
from estate_pwa.services.bookings.slots import (
    ClosureRow, SlotDay, SlotRow, close_slot, closed_slots, free_staff, office_day, reopen_slot, week,
)
from estate_pwa.services.jobs.rules import WORKERS

__all__ = [
    "BOARD_KIND", "BOOKING", "MENU", "RECEIPT_KIND", "STATUSES", "WORKERS",
    "BillView", "BookingRow", "ClosureRow", "MoneyLine", "PriceList", "ServiceRow", "SlotDay", "SlotRow",
    "board_link", "board_pdf", "book", "bookable", "booking_bill", "cancel", "catalogue", "close_slot",
    "closed_slots", "day_bookings", "day_of", "fee_if_cancelled", "free_staff", "my_bookings", "office_day",
    "price_list", "receipt_pdf", "reopen_slot",
    "save_service", "set_active", "special_count", "staff_choices", "status_of", "week",
]
