import django.db.models.deletion
from django.db import migrations, models

import search.fields
import search.migration_ops


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0005_currencies"),
    ]

    operations = [
        search.migration_ops.PgvectorExtension(),
        migrations.CreateModel(
            name="ImageEmbedding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("vector", search.fields.EmbeddingField(dimensions=128)),
                ("phash", models.BigIntegerField(help_text="64-bit perceptual hash (ml.embedding.baselines.phash), for duplicates.")),
                ("model_version", models.CharField(db_index=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("image", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="embedding", to="catalog.productimage")),
            ],
        ),
        search.migration_ops.create_hnsw_index(),
    ]
