"""Merchant scoping for ModelAdmins: querysets, object permissions and foreign-key choices."""
from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from ..selectors import merchants_for_user, products_for_user, user_sees_all_merchants


class MerchantScopedAdmin(admin.ModelAdmin):
    """Limit a merchant user to objects of their own merchants; reviewers and superusers see all.

    An object outside the user's scope is a 404 by direct URL, exactly like an id that does not exist
    (as in the API), so ids of other merchants' objects cannot be probed: ``get_object`` looks up the
    scoped queryset, and a missing object is a 404 instead of Django's redirect to the admin index.
    """

    #: ORM path from this model to Merchant, e.g. "merchant" or "product__merchant".
    merchant_path: str = "merchant"

    def scope(self, request, qs: QuerySet) -> QuerySet:
        if user_sees_all_merchants(request.user):
            return qs
        return qs.filter(**{f"{self.merchant_path}__members": request.user})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        queryset = self.get_queryset(request)
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError, TypeError):
            return None

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(f"No {opts.verbose_name} with this id.")

    def in_scope(self, request, obj) -> bool:
        return obj is None or self.scope(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not user_sees_all_merchants(request.user):
            if db_field.related_model.__name__ == "Merchant":
                kwargs["queryset"] = merchants_for_user(request.user)
            elif db_field.related_model.__name__ == "Product":
                kwargs["queryset"] = products_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
