"""The catalog admin stands below the studio: it imports nothing from imagestudio, and the studio adds its tools
(the bulk preset action, the "Open in studio" button) to the photo admin from its own AppConfig.ready()."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

import catalog.admin
from catalog.admin import extensions

pytestmark = pytest.mark.django_db

ADMIN_DIR = Path(catalog.admin.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside functions (relative imports as written)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_catalog_admin_imports_no_studio_module():
    files = sorted(ADMIN_DIR.glob("*.py"))
    assert {f.name for f in files} >= {"__init__.py", "product.py", "forms.py", "extensions.py"}
    upward = {f.name: sorted(m for m in _imported_modules(f) if m.split(".")[0] == "imagestudio") for f in files}
    assert {name: mods for name, mods in upward.items() if mods} == {}


def test_the_studio_registers_its_tools_on_the_photo_admin():
    from imagestudio.admin_actions import run_preset_on_images

    assert run_preset_on_images in extensions.photo_actions()
    assert [column.__name__ for column in extensions.photo_columns()] == ["studio"]


def test_photo_list_offers_the_studio_action_and_button(client, catalog_world):
    # given a merchant on their photo list
    client.force_login(catalog_world["user_a"])
    response = client.get(reverse("admin:catalog_productimage_changelist"))
    assert response.status_code == 200
    # then the studio's bulk action is offered and each photo has its "Open in studio" button, in the Studio column
    choices = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert "run_preset_on_images" in choices
    html = response.content.decode()
    assert reverse("imagestudio:open", args=[catalog_world["image_a"].pk]) in html
    assert 'class="column-studio"' in html and ">Studio<" in html


def test_product_page_and_photo_page_show_the_studio_button(client, catalog_world):
    client.force_login(catalog_world["user_a"])
    image = catalog_world["image_a"]
    open_url = reverse("imagestudio:open", args=[image.pk])
    product_page = client.get(reverse("admin:catalog_product_change", args=[catalog_world["product_a"].pk]))
    assert product_page.status_code == 200
    assert open_url in product_page.content.decode() and "Open in studio" in product_page.content.decode()
    photo_page = client.get(reverse("admin:catalog_productimage_change", args=[image.pk]))
    assert photo_page.status_code == 200
    assert open_url in photo_page.content.decode() and 'field-studio' in photo_page.content.decode()


def test_without_registered_tools_the_photo_admin_has_none(client, catalog_world, monkeypatch):
    # given no app above the catalog registered anything (as when the studio is not installed)
    monkeypatch.setattr(extensions, "_photo_actions", [])
    monkeypatch.setattr(extensions, "_photo_columns", {})
    client.force_login(catalog_world["user_a"])
    # then the photo list and the product page work, without the studio's action or button
    listing = client.get(reverse("admin:catalog_productimage_changelist"))
    assert listing.status_code == 200
    assert "run_preset_on_images" not in listing.content.decode() and "Open in studio" not in listing.content.decode()
    product_page = client.get(reverse("admin:catalog_product_change", args=[catalog_world["product_a"].pk]))
    assert product_page.status_code == 200 and "Open in studio" not in product_page.content.decode()


def test_a_registered_column_shows_what_its_function_renders(client, catalog_world, monkeypatch):
    monkeypatch.setattr(extensions, "_photo_columns", {})
    extensions.register_photo_column("checks", "Checks", lambda image: f"checked photo {image.pk}")
    client.force_login(catalog_world["user_a"])
    listing = client.get(reverse("admin:catalog_productimage_changelist")).content.decode()
    assert f"checked photo {catalog_world['image_a'].pk}" in listing and 'class="column-checks"' in listing


def test_a_column_name_must_be_an_identifier():
    with pytest.raises(ValueError, match="must be a Python identifier"):
        extensions.register_photo_column("open studio", "Studio", str)
