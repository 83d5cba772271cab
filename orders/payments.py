"""Payment providers behind one small interface; the built-in one needs no gateway (none is reachable here).

A provider is named in ``settings.ORDERS_PAYMENT_PROVIDERS`` (dotted paths). ``start`` is called inside the
placing transaction and must not talk to the network; a gateway provider would return ``pending`` with a
redirect URL and confirm through its webhook (not built: no gateway is reachable from here).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PaymentOutcome:
    status: str  # "pending" (money not yet received) or "paid"
    reference: str
    instructions: str = ""
    redirect_url: str = ""


class PaymentProvider:
    code: str = ""
    label: str = ""
    description: str = ""

    def start(self, order) -> PaymentOutcome:  # pragma: no cover - interface
        raise NotImplementedError

    def instructions(self, order) -> str:
        """What the shopper has to do to pay ``order``, for the confirmation page and the order page.

        Must not begin a payment (``start`` does); a gateway would say where the payment stands.
        """
        return self.description


class ManualPaymentProvider(PaymentProvider):
    """Pay the courier on delivery, or by bank transfer quoting the order number; merchants mark parts paid."""

    code = "manual"
    label = "Pay on delivery or by bank transfer"
    description = "Pay the courier when your parcel arrives, or transfer the total quoting your order number."

    def start(self, order) -> PaymentOutcome:
        return PaymentOutcome(status="pending", reference=order.number, instructions=self.instructions(order))

    def instructions(self, order) -> str:
        iban = getattr(settings, "ORDERS_BANK_IBAN", "")
        transfer = f" or transfer {order.total} {order.currency} to {iban} quoting {order.number}" if iban else ""
        return f"Pay {order.total} {order.currency} to the courier on delivery{transfer}."


def payment_providers() -> dict[str, PaymentProvider]:
    providers = {}
    for path in getattr(settings, "ORDERS_PAYMENT_PROVIDERS", ["orders.payments.ManualPaymentProvider"]):
        provider = import_string(path)()
        providers[provider.code] = provider
    return providers


def payment_provider(code: str) -> PaymentProvider | None:
    return payment_providers().get(code)
