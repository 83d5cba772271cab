"""Studio jobs: creation validates the recipe, every transition is one conditional update with an audit row."""
from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from imagestudio.models import StudioAuditEntry, StudioJob, StudioResult
from imagestudio import services

from .jobs_helpers import audit_actions, make_job, run_job

pytestmark = pytest.mark.django_db
S = StudioJob.Status


@pytest.mark.parametrize(
    "steps, preset, expected",
    [
        ([{"op": "sparkle"}], None, "unknown operation 'sparkle'"),
        ([{"op": "resize", "max_side": -5}], None, "max_side must be in"),
        ([{"op": "adjust", "brightness": "lots"}], None, "brightness must be a number"),
        ([{"op": "adjust", "glow": 1}], None, "unknown parameter 'glow'"),
        ([], None, "at least one"),
        ("adjust", None, "at least one"),
        (None, "no-such-preset", "Unknown preset 'no-such-preset'"),
    ],
)
def test_bad_recipe_is_refused_at_creation_and_nothing_is_stored(studio_world, steps, preset, expected):
    # given a merchant and a bad recipe
    # when they create a job
    with pytest.raises(ValidationError) as caught:
        services.studio_job_create(user=studio_world["user_a"], source=studio_world["photo_a"], preset=preset, steps=steps)
    # then the reason names the problem and nothing was stored
    assert expected in " ".join(caught.value.messages)
    assert StudioJob.objects.count() == 0
    assert StudioAuditEntry.objects.count() == 0


def test_step_errors_name_the_step(studio_world):
    with pytest.raises(ValidationError) as caught:
        make_job(studio_world, steps=[{"op": "adjust"}, {"op": "resize", "max_side": 0}])
    assert "Step 2 (resize)" in caught.value.message_dict["recipe"][0]


@pytest.mark.parametrize("preset, queue", [("quick-enhance", "default"), ("marketplace-main", "ml")])
def test_preset_job_is_normalised_and_routed_to_its_queue(studio_world, preset, queue):
    # when a merchant runs a preset
    job = make_job(studio_world, preset=preset)
    # then the stored recipe spells out every parameter and the job goes to the right queue
    assert job.status == S.QUEUED and job.queue == queue and job.preset == preset
    assert all("op" in step and len(step) > 1 for step in job.recipe)
    assert audit_actions(job) == [("created", "", "queued")]


def test_merchant_cannot_run_the_studio_on_another_merchants_photo(studio_world):
    with pytest.raises(PermissionDenied):
        make_job(studio_world, source=studio_world["image_b"])
    assert StudioJob.objects.count() == 0


def test_reviewer_who_is_no_merchant_member_cannot_create_jobs(studio_world):
    with pytest.raises(PermissionDenied):
        make_job(studio_world, user=studio_world["reviewer"])


def test_job_runs_from_queued_to_awaiting_review_with_a_private_result(studio_world):
    # given a queued job
    job = make_job(studio_world)
    # when a worker runs it
    outcome = run_job(job)
    # then it waits for review with one result, stored privately, with metrics and timings
    job.refresh_from_db()
    assert outcome == "done"
    assert job.status == S.AWAITING_REVIEW and job.progress == 100 and job.attempts == 1
    assert audit_actions(job) == [("created", "", "queued"), ("claimed", "queued", "running"),
                                  ("finished", "running", "awaiting_review")]
    result = job.results.get()
    assert result.status == StudioResult.Status.AWAITING_REVIEW
    assert result.file.name.startswith(f"studio/{job.uuid.hex}/")
    assert result.file.storage.exists(result.file.name)
    assert (result.width, result.height) == (160, 120) and result.size_bytes == result.file.size
    assert "adjust" in job.timings["ops"] and job.timings["total"] > 0
    assert "colour_shift" in result.metrics


def test_delivering_the_same_job_twice_yields_one_result(studio_world):
    job = make_job(studio_world)
    assert run_job(job) == "done"
    assert run_job(job) == "skipped"
    assert StudioResult.objects.filter(job=job).count() == 1
    assert [a for a, *_ in audit_actions(job)].count("claimed") == 1


def test_job_held_by_a_live_worker_is_busy_and_a_dead_workers_job_is_reclaimed(studio_world):
    # given a job claimed by a worker that then died (its heartbeat goes stale)
    job = make_job(studio_world)
    assert services.studio_job_claim(job_id=job.pk) is not None
    # when the message is delivered again while the heartbeat is fresh, the delivery waits
    with pytest.raises(services.JobBusy):
        run_job(job)
    StudioJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    # then a later delivery re-claims it and finishes with one result
    assert run_job(job) == "done"
    job.refresh_from_db()
    assert job.attempts == 2 and job.status == S.AWAITING_REVIEW
    assert job.results.count() == 1
    assert ("reclaimed", "running", "running") in audit_actions(job)


def test_a_job_interrupted_too_often_fails_with_a_reason(studio_world, settings):
    settings.STUDIO_MAX_ATTEMPTS = 2
    job = make_job(studio_world)
    StudioJob.objects.filter(pk=job.pk).update(status=S.RUNNING, attempts=2, heartbeat_at=timezone.now() - timedelta(hours=1))
    assert run_job(job) == "failed"
    job.refresh_from_db()
    assert job.status == S.FAILED and "interrupted 2 times" in job.error
    assert job.results.count() == 0


def test_undecodable_source_fails_at_once_with_a_readable_message(studio_world):
    # given a job whose stored source turned into garbage
    job = make_job(studio_world)
    with mock.patch("imagestudio.services.run._read_source", return_value=b"this is not an image"):
        outcome = run_job(job)
    job.refresh_from_db()
    assert outcome == "failed" and job.status == S.FAILED
    assert job.error.startswith("The source photo could not be decoded")
    assert job.results.count() == 0
    assert audit_actions(job)[-1] == ("failed", "running", "failed")


def test_operation_error_fails_the_job_with_its_message(studio_world):
    # a crop to subject on a photo without any mask cannot work: deterministic, not retried
    job = make_job(studio_world, steps=[{"op": "crop_to_subject"}])
    assert run_job(job) == "failed"
    job.refresh_from_db()
    assert job.error and "Unexpected" not in job.error


def test_transient_storage_error_releases_the_job_for_a_retry(studio_world):
    job = make_job(studio_world)
    with mock.patch("imagestudio.services.run._read_source", side_effect=OSError("S3 timeout")):
        with pytest.raises(OSError):
            run_job(job)
    job.refresh_from_db()
    assert job.status == S.QUEUED and job.results.count() == 0
    assert audit_actions(job)[-1][0] == "retry_scheduled"
    # the retry then succeeds
    assert run_job(job) == "done"


def test_cancel_queued_job_and_a_late_delivery_does_nothing(studio_world):
    job = make_job(studio_world)
    services.studio_job_cancel(job=job, user=studio_world["user_a"])
    assert run_job(job) == "skipped"
    job.refresh_from_db()
    assert job.status == S.CANCELLED and job.results.count() == 0
    assert audit_actions(job)[-1] == ("cancelled", "queued", "cancelled")


def test_cancel_while_running_drops_the_output(studio_world):
    # given a job that is cancelled while its recipe runs
    job = make_job(studio_world, steps=[{"op": "adjust", "brightness": 0.1}, {"op": "sharpen"}])
    from imagestudio.services import outputs

    real_render = outputs.outputs_render

    def render_then_cancel(**kwargs):
        StudioJob.objects.filter(pk=job.pk).update(status=S.CANCELLED)
        return real_render(**kwargs)

    with mock.patch("imagestudio.services.run.outputs_render", side_effect=render_then_cancel):
        outcome = run_job(job)
    # then no result is recorded and no file is left
    assert outcome == "abandoned"
    assert StudioResult.objects.filter(job=job).count() == 0
    storage = StudioResult._meta.get_field("file").storage
    assert not storage.exists(f"studio/{job.uuid.hex}/result-0-a1.jpg")


def test_cannot_cancel_a_finished_job(studio_world):
    job = make_job(studio_world)
    run_job(job)
    with pytest.raises(ValidationError):
        services.studio_job_cancel(job=job, user=studio_world["user_a"])
    job.refresh_from_db()
    assert job.status == S.AWAITING_REVIEW


def test_other_merchant_cannot_cancel(studio_world):
    job = make_job(studio_world)
    with pytest.raises(PermissionDenied):
        services.studio_job_cancel(job=job, user=studio_world["user_b"])
    job.refresh_from_db()
    assert job.status == S.QUEUED


def test_retry_failed_job_queues_it_again(studio_world):
    job = make_job(studio_world)
    with mock.patch("imagestudio.services.run._read_source", return_value=b"junk"):
        run_job(job)
    old_task = StudioJob.objects.get(pk=job.pk).celery_task_id
    services.studio_job_retry(job=job, user=studio_world["user_a"])
    job.refresh_from_db()
    assert job.status == S.QUEUED and job.error == "" and job.celery_task_id != old_task
    assert run_job(job) == "done"


def test_deleting_the_source_supersedes_waiting_jobs(studio_world):
    # given a queued job
    job = make_job(studio_world)
    # when the merchant deletes the photo
    from catalog.services import product_image_delete

    product_image_delete(image=studio_world["photo_a"])
    # then the job is superseded (not crashed) and a late delivery does nothing
    job.refresh_from_db()
    assert job.status == S.SUPERSEDED and job.source_id is None
    assert audit_actions(job)[-1] == ("superseded", "queued", "superseded")
    assert run_job(job) == "skipped"


def test_sweep_requeues_stuck_jobs_and_fails_hopeless_ones(studio_world, settings):
    settings.STUDIO_MAX_ATTEMPTS = 3
    stale = timezone.now() - timedelta(seconds=settings.STUDIO_TASK_TIME_LIMIT + settings.STUDIO_LEASE_SECONDS + 5)
    stuck, hopeless, alive = make_job(studio_world), make_job(studio_world), make_job(studio_world)
    StudioJob.objects.filter(pk=stuck.pk).update(status=S.RUNNING, attempts=1, heartbeat_at=stale, started_at=stale)
    StudioJob.objects.filter(pk=hopeless.pk).update(status=S.RUNNING, attempts=3, heartbeat_at=stale, started_at=stale)
    StudioJob.objects.filter(pk=alive.pk).update(status=S.RUNNING, attempts=1, heartbeat_at=timezone.now(),
                                                  started_at=timezone.now())
    counts = services.studio_jobs_sweep()
    assert counts == {"requeued": 1, "failed": 1}
    statuses = dict(StudioJob.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: S.QUEUED, hopeless.pk: S.FAILED, alive.pk: S.RUNNING}
    assert run_job(stuck) == "done"


def test_soft_time_limit_fails_the_job_with_a_readable_reason(studio_world, settings):
    from celery.exceptions import SoftTimeLimitExceeded

    job = make_job(studio_world)
    with mock.patch("imagestudio.services.run.outputs_render", side_effect=SoftTimeLimitExceeded()):
        assert run_job(job) == "failed"
    job.refresh_from_db()
    assert job.error == f"The job took longer than the {settings.STUDIO_TASK_SOFT_TIME_LIMIT} s limit."
    assert job.results.count() == 0


@pytest.mark.django_db(transaction=True)
def test_heartbeat_keeps_a_live_claim_fresh_and_stops_for_a_lost_claim(studio_world, settings):
    # given a running claim whose heartbeat is old, and the heartbeat thread of that claim
    import time

    from imagestudio.services.run import _Heartbeat

    settings.STUDIO_HEARTBEAT_SECONDS = 0.2
    job = make_job(studio_world)
    old = timezone.now() - timedelta(minutes=5)
    StudioJob.objects.filter(pk=job.pk).update(status=S.RUNNING, attempts=1, heartbeat_at=old)
    beat = _Heartbeat(job.pk, token=1)
    beat.start()
    try:
        time.sleep(0.8)
        # then the lease is renewed while the claim is ours
        assert StudioJob.objects.get(pk=job.pk).heartbeat_at > old
        # and once another worker re-claims (attempt 2), the old heartbeat no longer touches the job
        StudioJob.objects.filter(pk=job.pk).update(attempts=2, heartbeat_at=old)
        time.sleep(0.8)
        assert StudioJob.objects.get(pk=job.pk).heartbeat_at == old
    finally:
        beat.stop()


def test_cutout_result_measures_colour_shift_on_the_product_not_the_whole_photo(studio_world):
    # given a cut-out recipe that reframes the product on white without touching its colours
    job = make_job(studio_world, steps=[
        {"op": "remove_background", "method": "grabcut"},
        {"op": "crop_to_subject", "margin": 0.05},
        {"op": "fit_square", "size": 128, "fill_ratio": 0.85},
        {"op": "replace_background", "style": "solid", "colour": [255, 255, 255]},
    ])
    # when it runs
    assert run_job(job) == "done"
    metrics = job.results.get().metrics
    # then the shift is measured on the subject and is small (the blue block kept its colour);
    # against the whole light-grey photo it would be tens of delta E
    assert metrics["colour_shift_scope"] == "subject"
    assert metrics["colour_shift"] is not None and metrics["colour_shift"] < 6.0


@pytest.mark.skipif(
    not __import__("pathlib").Path("ml/weights/gan_fmnist.weights.h5").exists(), reason="GAN weights not committed"
)
def test_generate_job_makes_one_ai_generated_result_per_candidate(studio_world):
    # given a merchant asking our GAN for three sneaker candidates
    job = make_job(studio_world, steps=[{"op": "generate", "class_name": "Sneaker", "count": 3, "seed": 11, "size": 64}])
    # when the job runs
    assert run_job(job) == "done"
    # then three private results wait for review, each flagged as AI-generated, with the model version recorded
    results = list(job.results.order_by("index"))
    assert len(results) == 3
    assert all(r.ai_generated and r.status == StudioResult.Status.AWAITING_REVIEW for r in results)
    assert all((r.width, r.height) == (64, 64) for r in results)
    job.refresh_from_db()
    assert "generate" in job.model_versions
