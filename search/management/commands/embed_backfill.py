"""Embed every published image that has no vector from the current model (after training a new one, or a restore)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Embed published images lacking a current-version vector, in batches, in this process "
            "(--force: all of them).")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="re-embed images whose vector is already current")
        parser.add_argument("--batch-size", type=int, default=32, help="images per network batch (1..512, default 32)")

    def handle(self, *args, force: bool, batch_size: int, **options):
        from tqdm import tqdm

        from media.errors import IngestError
        from catalog.models import ProductImage
        from ml.embedding.inference import EmbeddingUnavailable, model_version
        from search.services import image_embeddings_upsert

        if not 1 <= batch_size <= 512:
            raise CommandError(f"--batch-size must be from 1 to 512, got {batch_size}")
        try:
            version = model_version()
        except EmbeddingUnavailable as exc:
            raise CommandError(f"cannot embed: {exc}") from exc
        todo = ProductImage.objects.filter(is_published=True).exclude(file="").order_by("pk")
        if not force:
            todo = todo.exclude(embedding__model_version=version)
        ids = list(todo.values_list("pk", flat=True))
        embedded, failed = 0, []
        with tqdm(total=len(ids), unit="image", desc="embedding", file=self.stderr._out, disable=not ids) as bar:
            for start in range(0, len(ids), batch_size):
                batch = list(ProductImage.objects.filter(pk__in=ids[start:start + batch_size]).order_by("pk"))
                try:
                    embedded += len(image_embeddings_upsert(images=batch))
                except (IngestError, OSError):
                    # One unreadable file must not cost the whole batch: redo it one image at a time.
                    for image in batch:
                        try:
                            embedded += len(image_embeddings_upsert(images=[image]))
                        except (IngestError, OSError) as exc:
                            failed.append(f"image {image.pk}: {exc}")
                bar.update(len(batch))
        for line in failed:
            self.stderr.write(f"not embedded: {line}")
        summary = (f"embedded {embedded} image(s) with {version}; {len(failed)} failed; "
                   f"{ProductImage.objects.filter(is_published=True).count() - len(ids)} already current")
        self.stdout.write(self.style.SUCCESS(summary) if not failed else self.style.WARNING(summary))
