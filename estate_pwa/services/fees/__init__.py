"""Management fees and the priced service menu: bills (billing), payments, voids and arrears (payments),
numbered receipts (receipts) and the catalogue with its public price list (menu)."""

from estate_pwa.services.fees.billing import (
    BillRow, PaymentLine, PeriodSummary, RateRow, bill_for, generate_month, my_bills, office_bill, period_bills,
    rate_rows, set_rate, summary,
)
from estate_pwa.services.fees.common import BUCKET_LABELS, CASHIERS, period_of
from estate_pwa.services.fees.menu import (
    PriceList, ServiceRow, catalogue, price_list, save_service, set_active, special_count,
)
from estate_pwa.services.fees.payments import Arrears, ArrearsRow, arrears, record_payment, void_payment
from estate_pwa.services.fees.receipts import receipt_number

__all__ = [
    "BUCKET_LABELS", "CASHIERS", "Arrears", "ArrearsRow", "BillRow", "PaymentLine", "PeriodSummary", "PriceList",
    "RateRow", "ServiceRow", "arrears", "bill_for", "catalogue", "generate_month", "my_bills", "office_bill",
    "period_bills", "period_of", "price_list", "rate_rows", "receipt_number", "record_payment", "save_service",
    "set_active", "set_rate", "special_count", "summary", "void_payment",
]
