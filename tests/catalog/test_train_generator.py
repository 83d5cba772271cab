import pytest
from django.core.management import CommandError, call_command

from ml.generative.data import load_image_folder

pytestmark = pytest.mark.django_db


def test_export_writes_a_folder_the_trainer_reads(catalog_world, tmp_path):
    # given published photos in Home and its child Kitchen, and a draft product's photo
    catalog_world["product_b"].status = "draft"
    catalog_world["product_b"].save()
    # when the category is exported without training
    call_command("train_generator", category="home", out=str(tmp_path), export_only=True)
    # then only the active product's photo is there, labelled by its leaf category, and the trainer can read it
    data = load_image_folder(tmp_path / "data", image_size=32, channels=3)
    assert data.images.shape == (1, 32, 32, 3)
    assert data.class_names == ("kitchen",)


def test_unknown_category_is_a_clear_error(catalog_world, tmp_path):
    with pytest.raises(CommandError, match="No category with slug 'nope'. Known categories: home, kitchen"):
        call_command("train_generator", category="nope", out=str(tmp_path))


def test_too_few_photos_refuses_to_train(catalog_world, tmp_path):
    with pytest.raises(CommandError, match="Only 2 published photos"):
        call_command("train_generator", category="home", out=str(tmp_path), min_images=16)
