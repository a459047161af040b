"""`/admin/auth` (log in, out, whoami) and `/admin/users`."""

from django.contrib import auth
from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config import selectors, services
from config.api import fields as f
from config.api.auth import access_token_for
from config.api.filters import FilterSet, InFilter, SearchFilter
from config.api.output import Metadata, Timestamp, dump, plan_for
from config.api.query import apply_filterset
from config.api.schema import documented, envelope
from config.api.serializers import Input, Output
from config.api.viewsets import ResourceViewSet
from config.errors import Unauthorized

User = get_user_model()


class UserOutput(Output):
    id = serializers.CharField()
    email = serializers.EmailField()
    first_name = serializers.CharField(allow_null=True)
    last_name = serializers.CharField(allow_null=True)
    role = serializers.CharField()
    # An admin sees every user's token, anyone else only their own (selectors.users_seen_by).
    api_token = serializers.CharField(source="shown_api_token", allow_null=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    deleted_at = Timestamp(allow_null=True)
    metadata = Metadata()


class LoginInput(Input):
    email = f.Email()
    password = f.Str(max_length=1000)


class UserUpdateInput(Input):
    first_name = f.Str(required=False, allow_blank=True, max_length=150)
    last_name = f.Str(required=False, allow_blank=True, max_length=150)
    role = serializers.ChoiceField(
        choices=User.Role.values,
        required=False,
        error_messages={"invalid_choice": "must be one of " + ", ".join(User.Role.values)},
    )
    api_token = f.Str(required=False, allow_null=True)
    metadata = f.JsonObject(required=False)


class UserCreateInput(UserUpdateInput):
    email = f.Email()
    password = f.Str(max_length=1000)


def _login(request) -> User:
    data = LoginInput(data=request.data)
    data.is_valid(raise_exception=True)
    user = auth.authenticate(
        request._request,
        email=data.validated_data["email"],
        password=data.validated_data["password"],
    )
    if user is None:
        raise Unauthorized("Wrong email or password")
    return user


def own_user_response(user) -> Response:
    """The signed-in user, who sees their own API token."""
    user.shown_api_token = user.api_token
    return Response({"user": dump(user, plan_for(UserOutput))})


class UserFilter(FilterSet):
    q = SearchFilter("email", "first_name", "last_name")
    id = InFilter()
    email = InFilter()
    role = InFilter()

    class Meta:
        model = User
        fields = []


class SessionView(APIView):
    """`POST /admin/auth` logs in with a session cookie; `GET` says who; `DELETE` logs out."""

    def get_permissions(self):
        return [] if self.request.method == "POST" else super().get_permissions()

    def get_authenticators(self):
        # The schema generator asks before it has set `request`.
        posting = getattr(self.request, "method", None) == "POST"
        return [] if posting else super().get_authenticators()

    @extend_schema(request=LoginInput, responses=envelope("user", UserOutput))
    def post(self, request):
        """Sign in with a session cookie"""
        user = _login(request)
        auth.login(request._request, user)
        return own_user_response(user)

    @extend_schema(responses=envelope("user", UserOutput))
    def get(self, request):
        """Get the signed-in user"""
        return own_user_response(request.user)

    @extend_schema(responses=OpenApiTypes.STR)
    def delete(self, request):
        """Sign out"""
        auth.logout(request._request)
        return Response("OK")


class TokenView(APIView):
    """`POST /admin/auth/token`: a 24-hour JWT for `Authorization: Bearer`."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        request=LoginInput,
        responses=inline_serializer("AccessToken", {"access_token": serializers.CharField()}),
    )
    def post(self, request):
        """Sign in for a token

        A 24-hour JWT, to send as `Authorization: Bearer <token>`."""
        return Response({"access_token": access_token_for(_login(request))})


@documented
class UserViewSet(ResourceViewSet):
    resource, plural, output = "user", "users", UserOutput
    create_input, update_input = UserCreateInput, UserUpdateInput
    order_fields = ResourceViewSet.order_fields | {"email"}

    filterset = UserFilter

    def list_queryset(self, filters, expand):
        return apply_filterset(UserFilter, filters, selectors.users_seen_by(self.request.user))

    def get_instance(self, pk, expand=()):
        return selectors.user_get(user_id=pk, viewer=self.request.user)

    def create(self, request):
        data = self.validated(self.create_input)
        user = services.user_create(acting_user=request.user, **data)
        return self.one(self.get_instance(user.pk))

    def update(self, request, pk):
        data = self.validated(self.update_input)
        user = services.user_update(acting_user=request.user, user_id=pk, **data)
        return self.one(self.get_instance(user.pk))

    def destroy(self, request, pk):
        services.user_delete(acting_user=request.user, user_id=pk)
        return self.deleted(pk)
