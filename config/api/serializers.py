"""Base classes for input and output serializers."""

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from config.api.output import Timestamp


class Input(serializers.Serializer):
    """A request body: a JSON object whose every property is declared."""

    default_error_messages = {"invalid": "must be an object", "null": "must not be null"}
    body_message = "The request body must be a JSON object"

    def run_validation(self, data=serializers.empty):
        if self.parent is None and not isinstance(data, dict):  # the body itself: `[1]`, `"x"`
            raise serializers.ValidationError({"non_field_errors": [self.body_message]})
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, dict):  # a nested object: reported under its field's name
            self.fail("invalid")
        unknown = [key for key in data if key not in self.fields or self.fields[key].read_only]
        if unknown:
            raise serializers.ValidationError(
                {
                    key: [ErrorDetail(f"property {key} should not exist", code="unknown_field")]
                    for key in unknown
                }
            )
        return super().to_internal_value(data)


class NoBody(Input):
    """The body of an action that takes no properties: `{}`, or nothing at all."""


class Output(serializers.Serializer):
    """A response shape; rendered by `config.api.output.dump`, documented by drf-spectacular."""

    serializer_field_mapping = {}


class TimestampedOutput(Output):
    created_at = Timestamp()
    updated_at = Timestamp()
