"""embed_backfill: embeds what lacks a current vector, in batches, reports a summary; refuses bad options."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("embed_backfill", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_backfill_embeds_every_published_image_in_batches_then_has_nothing_left(colour_images, fake_embedder):
    from catalog.models import ProductImage
    from search.models import ImageEmbedding

    # given: one unpublished image, which is not embedded
    ProductImage.objects.filter(pk=colour_images["grey"].pk).update(is_published=False)
    # when
    out, err = _run("--batch-size", "3")
    # then
    published = ProductImage.objects.filter(is_published=True).count()
    assert ImageEmbedding.objects.count() == published == 7
    assert not ImageEmbedding.objects.filter(image=colour_images["grey"]).exists()
    assert [n for n, _ in fake_embedder] == [3, 3, 1]
    assert "embedded 7 image(s) with fake-hsv-projection-1; 0 failed" in out
    assert "7/7" in err  # the progress bar
    # and a second run finds everything current
    out, _ = _run()
    assert "embedded 0 image(s)" in out and "7 already current" in out


def test_force_re_embeds_and_an_old_model_version_is_redone(colour_images, fake_embedder):
    from search.models import ImageEmbedding

    _run()
    ImageEmbedding.objects.filter(image=colour_images["red"]).update(model_version="older-model")
    out, _ = _run()
    assert "embedded 1 image(s)" in out
    out, _ = _run("--force")
    assert "embedded 8 image(s)" in out


def test_an_unreadable_file_is_reported_and_the_rest_are_embedded(colour_images, fake_embedder):
    from search.models import ImageEmbedding

    # given
    broken = colour_images["blue"]
    with open(broken.file.path, "wb") as handle:
        handle.write(b"not an image at all")
    # when
    out, err = _run("--batch-size", "4")
    # then
    assert ImageEmbedding.objects.count() == 7 and not ImageEmbedding.objects.filter(image=broken).exists()
    assert f"not embedded: image {broken.pk}:" in err
    assert "1 failed" in out


@pytest.mark.parametrize("size", ["0", "513"])
def test_bad_batch_size_is_refused(size, fake_embedder):
    with pytest.raises(CommandError, match=f"--batch-size must be from 1 to 512, got {size}"):
        _run("--batch-size", size)


def test_without_a_model_the_command_says_so(catalog_world, no_model):
    with pytest.raises(CommandError, match="cannot embed: no embedding weights"):
        _run()
