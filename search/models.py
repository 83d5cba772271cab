"""One embedding row per product image: the vector search ranks by, its perceptual hash, the model that made it."""
from django.db import models

from ml.embedding import EMBED_DIM

from .fields import EmbeddingField


class ImageEmbedding(models.Model):
    image = models.OneToOneField("catalog.ProductImage", on_delete=models.CASCADE, related_name="embedding")
    # Unit length (cosine distance = 1 - dot product); an HNSW cosine index on PostgreSQL (migration 0001).
    vector = EmbeddingField(dimensions=EMBED_DIM)
    phash = models.BigIntegerField(help_text="64-bit perceptual hash (ml.embedding.baselines.phash), for duplicates.")
    model_version = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves on every write: the SQLite path's cached matrix is keyed by it.
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"embedding of image {self.image_id} ({self.model_version})"
