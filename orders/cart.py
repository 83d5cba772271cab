"""The cart: found through the session for anonymous shoppers, kept on the account once they log in."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from catalog.models import Product, ProductVariant

from .models import Cart, CartLine

SESSION_KEY = "orders.cart_id"
MAX_LINE_QUANTITY = 99
MAX_CART_LINES = 50


def cart_get(request, *, create: bool = False) -> Cart | None:
    """Return the request's cart (the account's when logged in), creating it only when asked."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cart = Cart.objects.filter(user=user).first()
        if cart is None and create:
            try:
                with transaction.atomic():
                    cart = Cart.objects.create(user=user)
            except IntegrityError:  # a parallel request made it first
                cart = Cart.objects.get(user=user)
        return cart
    cart_id = request.session.get(SESSION_KEY)
    cart = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if isinstance(cart_id, int) else None
    if cart is None and create:
        cart = Cart.objects.create()
        request.session[SESSION_KEY] = cart.pk
    return cart


def _buyable(variant: ProductVariant) -> str:
    """Return why ``variant`` cannot be bought now ('' when it can)."""
    product = variant.product
    if product.status != Product.Status.ACTIVE or not variant.is_active:
        return f"{_name(variant)} is no longer available."
    if variant.stock == 0:
        return f"{_name(variant)} is sold out."
    return ""


def _name(variant: ProductVariant) -> str:
    return f"{variant.product.title} ({variant.label})" if variant.label else variant.product.title


def _check_quantity(quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError("Quantity must be a whole number.", code="quantity") from None
    if quantity < 0 or quantity > MAX_LINE_QUANTITY:
        raise ValidationError(f"Quantity must be between 1 and {MAX_LINE_QUANTITY}.", code="quantity")
    return quantity


@transaction.atomic
def cart_add(*, cart: Cart, variant: ProductVariant, quantity: int = 1) -> CartLine:
    """Add ``quantity`` of ``variant``; refuses (with the reason) what cannot be bought or is not in stock."""
    quantity = _check_quantity(quantity)
    if quantity == 0:
        raise ValidationError(f"Quantity must be between 1 and {MAX_LINE_QUANTITY}.", code="quantity")
    Cart.objects.select_for_update().filter(pk=cart.pk).first()
    variant = ProductVariant.objects.select_related("product").get(pk=variant.pk)
    reason = _buyable(variant)
    if reason:
        raise ValidationError(reason, code="unavailable")
    line = CartLine.objects.filter(cart=cart, variant=variant).first()
    wanted = quantity + (line.quantity if line else 0)
    if line is None and cart.lines.count() >= MAX_CART_LINES:
        raise ValidationError(f"A cart holds at most {MAX_CART_LINES} different items.", code="cart_full")
    if wanted > MAX_LINE_QUANTITY:
        raise ValidationError(f"At most {MAX_LINE_QUANTITY} of one item per order.", code="quantity")
    if wanted > variant.stock:
        raise ValidationError(
            f"Only {variant.stock} left of {_name(variant)}" + (f"; your cart already holds {line.quantity}." if line else "."),
            code="stock",
        )
    if line is None:
        line = CartLine.objects.create(cart=cart, variant=variant, quantity=wanted)
    else:
        line.quantity = wanted
        line.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    return line


@transaction.atomic
def cart_set_quantity(*, cart: Cart, variant_id: int, quantity) -> CartLine | None:
    """Set a line's quantity (0 removes it); more than the stock is refused with how many are left."""
    quantity = _check_quantity(quantity)
    line = CartLine.objects.select_related("variant__product").filter(cart=cart, variant_id=variant_id).first()
    if line is None:
        raise ValidationError("That item is not in your cart.", code="not_in_cart")
    if quantity == 0:
        line.delete()
        return None
    variant = line.variant
    if quantity > line.quantity and quantity > variant.stock:
        raise ValidationError(f"Only {variant.stock} left of {_name(variant)}.", code="stock")
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    return line


def cart_remove(*, cart: Cart, variant_id: int) -> None:
    CartLine.objects.filter(cart=cart, variant_id=variant_id).delete()


def cart_count(request) -> int:
    """Return how many items the request's cart holds (0 without a cart); for the header badge."""
    cart = cart_get(request)
    if cart is None:
        return 0
    return cart.lines.aggregate(n=Sum("quantity"))["n"] or 0


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> Cart:
    """Move ``source``'s lines into ``target`` (quantities added, capped by stock and the per-line limit)."""
    for line in source.lines.select_related("variant"):
        existing = CartLine.objects.filter(cart=target, variant=line.variant).first()
        total = min(line.quantity + (existing.quantity if existing else 0), MAX_LINE_QUANTITY)
        if line.variant.stock >= 1:
            # Never more than can be bought; a sold-out line stays, and the cart says so.
            total = min(total, line.variant.stock)
        total = max(total, 1)
        if existing:
            existing.quantity = total
            existing.save(update_fields=["quantity"])
        else:
            CartLine.objects.create(cart=target, variant=line.variant, quantity=total)
    source.delete()
    return target


def merge_cart_on_login(sender, request, user, **kwargs) -> None:
    """Signal receiver: the anonymous cart of this session becomes (or joins) the account's cart."""
    if request is None or not hasattr(request, "session"):
        return
    cart_id = request.session.pop(SESSION_KEY, None)
    anonymous = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if isinstance(cart_id, int) else None
    if anonymous is None:
        return
    with transaction.atomic():
        mine = Cart.objects.select_for_update().filter(user=user).first()
        if mine is None:
            anonymous.user = user
            anonymous.save(update_fields=["user", "updated_at"])
        else:
            cart_merge(source=anonymous, target=mine)


@dataclass
class CartItem:
    line: CartLine
    variant: ProductVariant
    product: Product
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    problem: str = ""

    @property
    def name(self) -> str:
        return _name(self.variant)


@dataclass
class CartSummary:
    """Everything a cart page or checkout step shows, computed from the database (never from a form)."""

    items: list[CartItem] = field(default_factory=list)
    subtotals: dict[str, Decimal] = field(default_factory=dict)
    count: int = 0

    @property
    def problems(self) -> list[str]:
        return [item.problem for item in self.items if item.problem]

    @property
    def currencies(self) -> list[str]:
        return sorted(self.subtotals)

    @property
    def is_empty(self) -> bool:
        return not self.items

    def by_merchant(self) -> list[tuple]:
        groups: dict[int, list[CartItem]] = defaultdict(list)
        merchants = {}
        for item in self.items:
            groups[item.product.merchant_id].append(item)
            merchants[item.product.merchant_id] = item.product.merchant
        return [(merchants[mid], groups[mid]) for mid in sorted(groups, key=lambda m: merchants[m].name)]

    @property
    def fingerprint(self) -> str:
        """A hash of what the shopper is shown (lines, quantities, prices): placing checks it is unchanged."""
        rows = sorted(f"{i.variant.pk}:{i.quantity}:{i.unit_price}:{i.product.currency}" for i in self.items)
        return hashlib.sha256("|".join(rows).encode()).hexdigest()[:32]


def cart_summary(cart: Cart | None) -> CartSummary:
    summary = CartSummary()
    if cart is None:
        return summary
    lines = cart.lines.select_related("variant__product__merchant", "variant__product__category").order_by("added_at", "id")
    for line in lines:
        variant = line.variant
        product = variant.product
        problem = _buyable(variant)
        if not problem and line.quantity > variant.stock:
            problem = f"Only {variant.stock} left of {_name(variant)}; you have {line.quantity} in your cart."
        total = variant.price * line.quantity
        summary.items.append(CartItem(line, variant, product, line.quantity, variant.price, total, problem))
        summary.subtotals[product.currency] = summary.subtotals.get(product.currency, Decimal("0")) + total
        summary.count += line.quantity
    return summary
