"""Train the studio's conditional GAN on a shop's own published photos of one category.

Exports the category (and its sub-categories) into the ``labels.csv`` folder format read by
``ml.generative.data.load_image_folder`` (one class per leaf category), then trains.
"""
from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Category, ProductImage
from catalog.selectors import category_descendant_ids


def export_category_images(category: Category, folder: Path) -> int:
    """Write every published photo of active products under ``category`` to ``folder`` with labels.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    images = (
        ProductImage.objects.filter(
            is_published=True, product__status="active", product__category__in=category_descendant_ids(category)
        )
        .select_related("product__category")
        .order_by("id")
    )
    rows = []
    for image in images.iterator():
        name = f"{image.pk}.{image.file.name.rsplit('.', 1)[-1]}"
        with image.file.open("rb") as src:
            (folder / name).write_bytes(src.read())
        rows.append((name, image.product.category.slug))
    with open(folder / "labels.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["filename", "label"])
        writer.writerows(rows)
    return len(rows)


class Command(BaseCommand):
    help = "Export a category's published photos and train the conditional GAN on them."

    def add_arguments(self, parser):
        parser.add_argument("--category", required=True, help="category slug (its sub-categories are included)")
        parser.add_argument("--out", default=None, help="work folder (default var/train/generator/<slug>)")
        parser.add_argument("--image-size", type=int, default=64)
        parser.add_argument("--steps", type=int, default=20000)
        parser.add_argument("--min-images", type=int, default=16, help="refuse to train on fewer photos than this")
        parser.add_argument("--export-only", action="store_true", help="write the training folder and stop")

    def handle(self, *args, category: str, out: str | None, image_size: int, steps: int, min_images: int,
               export_only: bool, **options):
        cat = Category.objects.filter(slug=category).first()
        if cat is None:
            known = ", ".join(Category.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No category with slug {category!r}. Known categories: {known}.")
        if image_size not in (32, 64, 128):
            raise CommandError(f"--image-size must be 32, 64 or 128, got {image_size}.")
        work = Path(out) if out else Path(settings.VAR_DIR) / "train" / "generator" / cat.slug
        count = export_category_images(cat, work / "data")
        self.stdout.write(f"Exported {count} published photos of '{cat.name}' to {work / 'data'}")
        if export_only:
            return
        if count < min_images:
            raise CommandError(
                f"Only {count} published photos in '{cat.name}'; a generator needs at least {min_images} "
                "(approve more photos or pass --min-images)."
            )
        from ml.generative.train_gan import train_gan_on_folder

        result = train_gan_on_folder(
            work / "data", out=work / "checkpoints", export=work / f"gan_{cat.slug}", image_size=image_size, steps=steps
        )
        self.stdout.write(self.style.SUCCESS(f"Trained; generator exported to {work / f'gan_{cat.slug}'}: {result}"))
