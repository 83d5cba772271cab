"""Checkout forms: the shopper's contact, delivery address and shipping method, checked at the edge with
messages that say what to fix. Quantities and prices are never form fields: they come from the cart."""
from __future__ import annotations

import re

from django import forms
from django.utils.html import format_html

from catalog.templatetags.storefront import money

from .models import Order
from .payments import payment_providers
from .services import ADDRESS_FIELDS
from .shipping import (COUNTRIES, COUNTRY_NAMES, DEFAULT_POSTAL_CODE_PATTERN, POSTAL_CODE_EXAMPLES,
                       POSTAL_CODE_PATTERNS, shipping_methods_for)

_PHONE = re.compile(r"\+?[\d\s()./-]{5,31}")


class CheckoutForm(forms.ModelForm):
    """Contact, address, shipping method and notes; shipping prices are shown for the cart's currency."""

    country = forms.ChoiceField(choices=[("", "Choose a country")] + COUNTRIES, label="Country")
    shipping_method = forms.ChoiceField(label="Shipping method", widget=forms.RadioSelect)

    class Meta:
        model = Order
        fields = ADDRESS_FIELDS
        labels = {
            "email": "Email", "full_name": "Full name", "phone": "Phone (optional)",
            "address_line1": "Address", "address_line2": "Apartment, floor, etc. (optional)", "city": "City",
            "postal_code": "Postal code", "notes": "Notes for the shops (optional)",
        }
        help_texts = {
            "email": "We send your order confirmation here.",
            "phone": "Only for the courier, if they cannot find you.",
            "notes": "At most 1000 characters.",
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "notes": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        }

    def __init__(self, *args, currency: str, shipments: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["country"].widget.attrs["autocomplete"] = "country"
        per_shop = " per shop" if shipments > 1 else ""
        self.fields["shipping_method"].choices = [
            (m.code, format_html("{} · {}{} · {}", m.label, money(m.price_for(currency), currency), per_shop, m.days))
            for m in shipping_methods_for(currency)
        ]
        if shipments > 1:
            self.fields["shipping_method"].help_text = (
                f"Your order comes from {shipments} shops; each ships its own parcel, so shipping is charged per shop."
            )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not _PHONE.fullmatch(phone):
            raise forms.ValidationError(
                "Enter a phone number with digits, spaces, and + ( ) - only, e.g. +31 20 123 4567.", code="phone"
            )
        return phone

    def clean(self):
        data = super().clean()
        country, postal = data.get("country"), (data.get("postal_code") or "").strip().upper()
        if country and postal:
            pattern = POSTAL_CODE_PATTERNS.get(country, DEFAULT_POSTAL_CODE_PATTERN)
            if not re.fullmatch(pattern, postal):
                example = POSTAL_CODE_EXAMPLES.get(country)
                self.add_error("postal_code", forms.ValidationError(
                    f"“{postal}” is not a postal code in {COUNTRY_NAMES[country]}"
                    + (f" (they look like {example})." if example else "."),
                    code="postal_code",
                ))
            else:
                data["postal_code"] = postal
        return data


class PaymentForm(forms.Form):
    """The review page's form: the payment method plus the key and cart fingerprint of this review.

    It has no quantity or price fields on purpose: what is placed is the cart as the server holds it.
    """

    payment_method = forms.ChoiceField(label="Payment method", widget=forms.RadioSelect,
                                       error_messages={"required": "Please choose a payment method."})
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        providers = payment_providers()
        self.fields["payment_method"].choices = [
            (p.code, format_html('<span class="choice__text">{}<span class="choice__note">{}</span></span>', p.label,
                                 p.description))
            for p in providers.values()
        ]
        if len(providers) == 1:
            self.fields["payment_method"].initial = next(iter(providers))
