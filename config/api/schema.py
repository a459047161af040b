"""OpenAPI description (drf-spectacular): auth schemes, operation ids, paths without slashes."""

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter

from config.api import idempotency
from config.api.viewsets import ResourceViewSet

IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    description="1-255 visible ASCII characters, new for each write: a repeat within 24 hours "
    "answers the first answer again (with `Idempotent-Replayed: true`) and changes nothing; "
    "the same key with another method, path or body is refused (422 "
    "`idempotency_key_reused`). 409 and 5xx answers are not kept: retry them with the key.",
)


class AutoSchema(openapi.AutoSchema):
    """Medusa's conventions: creates and deletes answer 200 with a body, and a `POST` on a
    path that ends in an id is an update (so its operation id ends in `_update`)."""

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        if self.method == "POST" and self.path.rstrip("/").endswith("}"):
            return operation_id.removesuffix("_create") + "_update"
        return operation_id

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method in idempotency.METHODS and isinstance(self.view, ResourceViewSet):
            return [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def _is_create_operation(self):
        return False  # 200, not 201

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "DELETE" and set(responses) == {"204"}:  # drf-spectacular's default
            serializer = self.get_response_serializers()
            return {"200": self._get_response_for_code(serializer, "200", direction=direction)}
        return responses


def drop_trailing_slashes(endpoints, **kwargs):
    """Preprocessing hook: the routes accept an optional slash; document them without it."""
    return [
        (path.rstrip("/") or "/", path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.auth.BearerAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.auth.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "x-medusa-access-token"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.auth.JsonSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
