"""The ISO 4217 currencies a shop can sell in (those our shipping and payment setup can serve)."""
from __future__ import annotations

CURRENCIES: list[tuple[str, str]] = [
    ("EUR", "EUR · Euro"), ("GBP", "GBP · Pound sterling"), ("USD", "USD · US dollar"), ("CHF", "CHF · Swiss franc"),
    ("SEK", "SEK · Swedish krona"), ("NOK", "NOK · Norwegian krone"), ("DKK", "DKK · Danish krone"),
    ("PLN", "PLN · Polish złoty"), ("CZK", "CZK · Czech koruna"), ("HUF", "HUF · Hungarian forint"),
    ("RON", "RON · Romanian leu"), ("CAD", "CAD · Canadian dollar"), ("AUD", "AUD · Australian dollar"),
    ("NZD", "NZD · New Zealand dollar"), ("JPY", "JPY · Japanese yen"),
]
CURRENCY_CODES = frozenset(code for code, _ in CURRENCIES)
DEFAULT_CURRENCY = "EUR"
