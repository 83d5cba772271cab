"""Rendition now belongs to the media app (media 0001): drop it from catalog's state only.

No table is dropped: ``media.Rendition`` uses the same ``catalog_rendition`` table and its rows.
"""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0006_text_search_indexes"),
        ("media", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Rendition")],
            database_operations=[],
        ),
    ]
