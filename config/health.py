"""`/health` and `/health/ready`: probes for load balancers, without authentication."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from config.api.errors import UNAVAILABLE_MESSAGE, respond
from config.api.schema import error_response

OK = {(200, "text/plain"): OpenApiTypes.STR}


class AnyAccept(BaseContentNegotiation):
    """A probe gets its plain `OK` whatever it accepts."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Probe(APIView):
    authentication_classes = ()
    permission_classes = ()
    content_negotiation_class = AnyAccept


class LiveView(Probe):
    @extend_schema(responses=OK)
    def get(self, request):
        """Liveness probe

        Answers `OK` while the process runs; it does not touch the database."""
        return HttpResponse("OK", content_type="text/plain")


class ReadyView(Probe):
    @extend_schema(responses={**OK, 503: error_response(503)})
    def get(self, request):
        """Readiness probe

        Answers `OK` while the database answers, else 503 `unavailable`."""
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return respond(503, "unavailable", UNAVAILABLE_MESSAGE)
        return HttpResponse("OK", content_type="text/plain")
