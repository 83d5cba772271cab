"""Rendition moves from catalog to media without touching the database.

The table keeps its name (``catalog_rendition``), its rows, its constraint and its public file keys; only
Django's model state moves (catalog 0007 removes it there, after this migration added it here). The
content type follows too, so permissions granted on renditions keep their rows.
"""
import django.db.models.deletion
from django.db import migrations, models

import media.storage


def _move_content_type(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label=new, model="rendition").exists():
        return
    ContentType.objects.using(db).filter(app_label=old, model="rendition").update(app_label=new)


def content_type_to_media(apps, schema_editor) -> None:
    _move_content_type(apps, schema_editor, old="catalog", new="media")


def content_type_to_catalog(apps, schema_editor) -> None:
    _move_content_type(apps, schema_editor, old="media", new="catalog")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("catalog", "0006_text_search_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Rendition",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("width", models.PositiveIntegerField()),
                        ("height", models.PositiveIntegerField()),
                        ("format", models.CharField(choices=[("AVIF", "AVIF"), ("WEBP", "WebP"), ("JPEG", "JPEG")], max_length=4)),
                        ("spec_hash", models.CharField(max_length=16)),
                        ("file", models.FileField(max_length=255, storage=media.storage.get_public_storage, upload_to="")),
                        ("size_bytes", models.PositiveIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("image", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="renditions", to="catalog.productimage")),
                    ],
                    options={
                        "db_table": "catalog_rendition",
                        "ordering": ["image", "format", "width"],
                        "constraints": [models.UniqueConstraint(fields=("image", "width", "format", "spec_hash"), name="rendition_unique_spec")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_media, content_type_to_catalog),
    ]
