"""Authentication helpers: exchange a username and password for an API token; who am I."""
from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.roles import user_is_reviewer
from catalog.selectors import merchants_for_user

from ..permissions import user_is_merchant
from ..serializers.merchant import MeSerializer, MerchantRefSerializer, TokenRequestSerializer, TokenResponseSerializer
from .base import PrivateMixin


class TokenView(PrivateMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(
        summary="Get an API token",
        description="Send a username and password; use the answer as `Authorization: Token <token>`.",
        request=TokenRequestSerializer, responses={200: TokenResponseSerializer}, tags=["auth"], auth=[],
    )
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        request._request.login_channel = "api"  # names the door in the audit row (accounts.backends)
        user = authenticate(request, username=form.validated_data["username"], password=form.validated_data["password"])
        lock = getattr(request, "login_lockout", None)  # set by the backend when it refused a locked log-in
        if lock:
            raise exceptions.Throttled(wait=lock.seconds, detail=lock.message)
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [serializers.ErrorDetail("Unable to log in with these credentials.", code="invalid_credentials")]}
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(PrivateMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Who am I: roles and shops", responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        user = request.user
        roles = [name for name, has in (
            ("merchant", user_is_merchant(user)), ("reviewer", user_is_reviewer(user)), ("superuser", user.is_superuser),
        ) if has]
        shops = merchants_for_user(user) if user_is_merchant(user) else []
        return Response({
            "id": user.pk, "username": user.get_username(), "roles": roles,
            "merchants": MerchantRefSerializer(shops, many=True).data,
        })


class PingSerializer(serializers.Serializer):
    status = serializers.CharField()


class PingView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(summary="Check the API is up", responses={200: PingSerializer}, tags=["auth"], auth=[])
    def get(self, request):
        return Response({"status": "ok"})
