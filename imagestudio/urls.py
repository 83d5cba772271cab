from django.urls import path

from .views import jobs, looks, retouch, review, studio

app_name = "imagestudio"

urlpatterns = [
    path("", jobs.job_list, name="jobs"),
    path("jobs/status.json", jobs.job_status, name="job-status"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job-detail"),
    path("jobs/<int:pk>/cancel", jobs.job_cancel, name="job-cancel"),
    path("jobs/<int:pk>/retry", jobs.job_retry, name="job-retry"),
    path("open/<int:image_id>/", studio.studio_open, name="open"),
    path("open/<int:image_id>/preview", studio.studio_preview, name="preview"),
    path("open/<int:image_id>/save-look", looks.look_save, name="look-save"),
    path("open/<int:image_id>/colourways", studio.studio_colourways, name="colourways"),
    path("looks/", looks.look_list, name="looks"),
    path("looks/<int:pk>/apply", looks.look_apply, name="look-apply"),
    path("looks/<int:pk>/delete", looks.look_delete, name="look-delete"),
    path("review/", review.review_queue, name="review"),
    path("review/bulk-approve", review.review_bulk_approve, name="review-bulk-approve"),
    path("review/<int:pk>/", review.review_detail, name="review-detail"),
    path("review/<int:pk>/approve", review.review_approve, name="review-approve"),
    path("review/<int:pk>/reject", review.review_reject, name="review-reject"),
    path("review/<int:pk>/undo", review.review_undo_approval, name="review-undo"),
    path("results/<int:pk>/diff.png", review.result_diff, name="result-diff"),
    path("results/<int:pk>/source-aligned.jpg", review.result_aligned_source, name="result-aligned-source"),
    path("results/<int:pk>/mask", retouch.mask_brush, name="mask-brush"),
]
