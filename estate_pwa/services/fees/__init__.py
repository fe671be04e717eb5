"""Management fees: bills (billing), payments, voids and arrears (payments), numbered receipts
(receipts); the service menu lives in services.bookings."""

from estate_pwa.services.fees.billing import (
    BillRow, PaymentLine, PeriodSummary, bill_for, generate_month, my_bills, office_bill, period_bills, summary,
)
from estate_pwa.services.fees.common import BUCKET_LABELS, CASHIERS, period_of
from estate_pwa.services.fees.payments import Arrears, ArrearsRow, arrears, record_payment, void_payment
from estate_pwa.services.fees.providers import PROVIDERS, RECEIVED, PaymentProvider, Received
from estate_pwa.services.fees.rates import (
    Choice, FeeTerms, RateRow, buildings, rate_rows, set_late_fee, set_rate, set_unit_terms, terms,
)
from estate_pwa.services.fees.receipts import receipt_number
from estate_pwa.services.fees import exports  # registers the downloads

__all__ = [
    "BUCKET_LABELS", "CASHIERS", "PROVIDERS", "RECEIVED", "Arrears", "ArrearsRow", "BillRow", "Choice", "FeeTerms",
    "PaymentLine", "PaymentProvider", "PeriodSummary", "RateRow", "Received", "arrears",
    "bill_for", "buildings", "exports", "generate_month", "my_bills", "office_bill", "period_bills",
    "period_of", "rate_rows", "receipt_number", "record_payment", "set_late_fee", "set_rate", "set_unit_terms",
    "summary", "terms", "void_payment",
]
