"""Fill an empty shop with demo merchants, staff logins, categories, photographed products (some in several
colours and sizes), a shopper account and a short order history.

Idempotent: running it again changes nothing that already exists.
"""
from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from catalog import services
from catalog.management.demo_variants import TSHIRT_SLUG, encode_jpeg, mug_colours_add, tshirt_create
from catalog.models import Category, Merchant, Product
from catalog.roles import MERCHANT_GROUP, REVIEWER_GROUP, ensure_role_groups
from orders.demo import CUSTOMER_USERNAME, demo_customer_ensure, demo_orders_place

# (slug, name, position, synth kinds shown in it)
CATEGORIES = [
    ("kitchen", "Kitchen & Dining", 1, ("mug", "bottle", "vase")),
    ("bags", "Bags & Travel", 2, ("bag",)),
    ("footwear", "Footwear", 3, ("sneaker",)),
    ("lighting", "Lighting", 4, ("lamp",)),
    ("home", "Home & Storage", 5, ("box", "chair")),
    ("accessories", "Accessories", 6, ("watch", "headphones")),
    ("apparel", "Apparel", 7, ()),
]
MERCHANTS = [("northwind-goods", "Northwind Goods", "northwind"), ("harbour-and-pine", "Harbour & Pine", "harbour")]
STAFF = [("reviewer", REVIEWER_GROUP, False), ("admin", None, True)]
PRODUCT_COUNT = 28
NOUNS = {
    "bottle": "Bottle", "mug": "Mug", "box": "Gift Box", "sneaker": "Sneaker", "bag": "Tote Bag", "lamp": "Desk Lamp",
    "watch": "Watch", "chair": "Lounge Chair", "vase": "Vase", "headphones": "Headphones",
}
ADJECTIVES = ["Classic", "Studio", "Everyday", "Heritage", "Nordic", "Urban", "Coastal", "Artisan", "Essential", "Weekend"]
MATERIALS = {
    "bottle": "glass", "mug": "stoneware", "box": "cardboard", "sneaker": "canvas", "bag": "cotton canvas", "lamp": "steel",
    "watch": "stainless steel", "chair": "oak", "vase": "ceramic", "headphones": "aluminium",
}


def dev_password(username: str) -> str:
    return f"atelier-{username}"


class Command(BaseCommand):
    help = (
        "Create demo merchants, staff users, categories, products with synthetic photos (a mug in three colours, "
        "a T-shirt in two colours and three sizes), a shopper account and a few orders (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=PRODUCT_COUNT, help="number of demo products (default 28)")
        parser.add_argument("--image-size", type=int, default=1024, help="side of the rendered photos in px")

    def handle(self, *args, products: int, image_size: int, **options):
        from ml.synth import demo_catalog

        groups = ensure_role_groups()
        User = get_user_model()
        logins = []
        merchants = []
        for slug, name, username in MERCHANTS:
            merchant = Merchant.objects.filter(slug=slug).first() or services.merchant_create(name=name, slug=slug)
            user = self._user(User, username, logins)
            user.groups.add(groups[MERCHANT_GROUP])
            merchant.members.add(user)
            merchants.append(merchant)
        for username, group, superuser in STAFF:
            user = self._user(User, username, logins, superuser=superuser)
            if group:
                user.groups.add(groups[group])

        categories, kind_to_category = {}, {}
        for slug, name, position, kinds in CATEGORIES:
            categories[slug] = Category.objects.filter(slug=slug).first() or services.category_create(
                name=name, slug=slug, position=position
            )
            for kind in kinds:
                kind_to_category[kind] = categories[slug]

        created = 0
        existing = set(Product.objects.filter(slug__startswith="demo-").values_list("slug", flat=True))
        # Rendering is the slow part: skip it entirely when every demo product is already there.
        have_all = sum(1 for s in existing if s[5:8].isdigit() and int(s[5:8]) < products) >= products
        renders = [] if have_all else demo_catalog(products, seed=7, size=image_size)
        # The first mug comes in three colours (each its own photo, recoloured from this render).
        mug_index = next((i for i, r in enumerate(renders) if r.kind == "mug"), None)
        for index, render in enumerate(renders):
            slug = f"demo-{index:03d}-{render.kind}"
            if slug in existing:
                continue
            with transaction.atomic():
                product = self._product(index, slug, render, merchants, kind_to_category, categories, colours=index == mug_index)
                image = services.product_image_create(
                    product=product,
                    data=encode_jpeg(render.image, image_size),
                    filename=f"{slug}.jpg",
                    alt_text=f"{product.title}, product photo",
                )
                if index == mug_index:
                    mug_colours_add(product=product, image=image, photo=render.image, mask=render.mask, image_size=image_size)
            created += 1
            self.stdout.write(f"  [{index + 1:>2}/{len(renders)}] {product.title}" + (f"  (flaws: {', '.join(render.flaws)})" if render.flaws else ""))

        if not Product.objects.filter(slug=TSHIRT_SLUG).exists():
            with transaction.atomic():
                tshirt_create(merchant=merchants[1], category=categories["apparel"], image_size=image_size)
            created += 1
            self.stdout.write("  [+] Organic Cotton T-shirt (2 colours x 3 sizes)")

        customer = demo_customer_ensure(password=dev_password(CUSTOMER_USERNAME))
        logins.append((CUSTOMER_USERNAME, dev_password(CUSTOMER_USERNAME), "shopper (order history at /account/orders/)"))
        # The demo's order history is not news: no confirmation or shipping mails for it on the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            orders = demo_orders_place(customer=customer, merchants=merchants)
        for problem in orders.skipped:
            self.stdout.write(self.style.WARNING(f"  demo order not placed: {problem}"))

        self.stdout.write(self.style.SUCCESS(
            f"Demo shop ready: {created} new products, {Product.objects.count()} in total; "
            f"{len(orders.placed)} new demo orders, {len(orders.placed) + orders.existing} in total."
        ))
        self.stdout.write("Logins (development passwords; change them anywhere real):")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<10} {password:<20} {role}")

    def _user(self, User, username, logins, *, superuser=False):
        user = User.objects.filter(username=username).first()
        if user is None:
            if superuser:
                user = User.objects.create_superuser(username, f"{username}@example.com", dev_password(username))
            else:
                user = User.objects.create_user(username, f"{username}@example.com", dev_password(username), is_staff=True)
        role = "superuser" if superuser else {"northwind": "merchant (Northwind Goods)", "harbour": "merchant (Harbour & Pine)"}.get(username, "reviewer")
        logins.append((username, dev_password(username), role))
        return user

    def _product(self, index, slug, render, merchants, kind_to_category, categories, *, colours=False):
        """Create demo product ``index``; with ``colours`` it is named without a colour and has no size (variants follow)."""
        noun = NOUNS.get(render.kind, render.kind.title())
        adjective = ADJECTIVES[index % len(ADJECTIVES)]
        title = f"{adjective} {noun}" if colours else f"{adjective} {render.colour.title()} {noun}"
        price = Decimal(9 + (index * 37) % 140) + Decimal("0.90")
        return services.product_create(
            merchant=merchants[index % len(merchants)],
            category=kind_to_category.get(render.kind, categories["home"]),
            title=title,
            slug=slug,
            description=(
                f"The {title.lower()} is made of {MATERIALS.get(render.kind, 'mixed materials')} and finished by hand. "
                f"A dependable {noun.lower()} in {render.colour}, photographed in our studio."
            ),
            price=price,
            stock=(index * 7) % 23,
            status=Product.Status.ACTIVE,
            featured=index % 5 == 0,
            colour=render.colour,
            material=MATERIALS.get(render.kind, ""),
            size="" if colours else ["S", "M", "L", "One size"][index % 4],
        )
