"""Shipping methods and the countries we ship to. Each merchant ships its own part, so a method's price
is charged once per merchant in the order."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# ISO 3166-1 alpha-2 codes with English names: the countries the demo shops ship to.
COUNTRIES: list[tuple[str, str]] = [
    ("AT", "Austria"), ("AU", "Australia"), ("BE", "Belgium"), ("BG", "Bulgaria"), ("CA", "Canada"),
    ("CH", "Switzerland"), ("CY", "Cyprus"), ("CZ", "Czechia"), ("DE", "Germany"), ("DK", "Denmark"),
    ("EE", "Estonia"), ("ES", "Spain"), ("FI", "Finland"), ("FR", "France"), ("GB", "United Kingdom"),
    ("GR", "Greece"), ("HR", "Croatia"), ("HU", "Hungary"), ("IE", "Ireland"), ("IS", "Iceland"),
    ("IT", "Italy"), ("JP", "Japan"), ("LT", "Lithuania"), ("LU", "Luxembourg"), ("LV", "Latvia"),
    ("MT", "Malta"), ("NL", "Netherlands"), ("NO", "Norway"), ("NZ", "New Zealand"), ("PL", "Poland"),
    ("PT", "Portugal"), ("RO", "Romania"), ("SE", "Sweden"), ("SI", "Slovenia"), ("SK", "Slovakia"),
    ("US", "United States"),
]
COUNTRY_NAMES = dict(COUNTRIES)

# Postal-code shapes for the countries with a simple rule; others take 2-10 letters, digits, spaces or dashes.
POSTAL_CODE_PATTERNS = {
    "AT": r"\d{4}", "BE": r"\d{4}", "CH": r"\d{4}", "DE": r"\d{5}", "DK": r"\d{4}", "ES": r"\d{5}",
    "FI": r"\d{5}", "FR": r"\d{5}", "IT": r"\d{5}", "NL": r"\d{4} ?[A-Za-z]{2}", "PL": r"\d{2}-\d{3}",
    "PT": r"\d{4}-\d{3}", "SE": r"\d{3} ?\d{2}", "US": r"\d{5}(-\d{4})?", "CA": r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d",
    "GB": r"[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}", "JP": r"\d{3}-?\d{4}", "AU": r"\d{4}", "NO": r"\d{4}",
    "IE": r"[A-Za-z\d]{3} ?[A-Za-z\d]{4}",
}
DEFAULT_POSTAL_CODE_PATTERN = r"[A-Za-z\d][A-Za-z\d \-]{1,9}"
# One real-looking example per country with a postal-code rule, for the error message (kept in step with
# POSTAL_CODE_PATTERNS by tests/orders/test_views.py).
POSTAL_CODE_EXAMPLES = {
    "AT": "1010", "BE": "1000", "CH": "8001", "DE": "10115", "DK": "1050", "ES": "28013", "FI": "00100",
    "FR": "75001", "IT": "00184", "NL": "1012 AB", "PL": "00-950", "PT": "1100-148", "SE": "111 52",
    "US": "10001", "CA": "K1A 0B1", "GB": "SW1A 1AA", "JP": "100-0001", "AU": "2000", "NO": "0150", "IE": "D02 AF30",
}


@dataclass(frozen=True)
class ShippingMethod:
    code: str
    label: str
    days: str
    prices: dict[str, Decimal]

    def price_for(self, currency: str) -> Decimal | None:
        return self.prices.get(currency)


SHIPPING_METHODS: dict[str, ShippingMethod] = {
    m.code: m for m in (
        ShippingMethod("standard", "Standard", "3-5 working days",
                       {"EUR": Decimal("4.90"), "GBP": Decimal("4.50"), "USD": Decimal("5.50")}),
        ShippingMethod("express", "Express", "1-2 working days",
                       {"EUR": Decimal("12.00"), "GBP": Decimal("10.50"), "USD": Decimal("14.00")}),
    )
}


def shipping_methods_for(currency: str) -> list[ShippingMethod]:
    return [m for m in SHIPPING_METHODS.values() if m.price_for(currency) is not None]
