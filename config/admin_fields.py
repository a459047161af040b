"""Form fields the admin uses for JSON columns staff edit: metadata as `key = value` lines and
addresses as their parts, never a box of raw JSON holding "null"."""

import json

from django import forms
from django.core.exceptions import ValidationError

ADDRESS_PARTS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "province",
    "postal_code",
    "country_code",
    "phone",
)


def _reads_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _shown(value) -> str:
    """A metadata value as its line shows it: text as it is, unless it would read as JSON."""
    if isinstance(value, str) and not _reads_as_json(value):
        return value
    return json.dumps(value, ensure_ascii=False)


class MetadataField(forms.Field):
    """A JSON object as one `key = value` line per key; a value that reads as JSON (a number,
    `true`, a list, a quoted string) is stored as that, any other as text. Empty: none.
    A whole JSON object is taken as it is."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60, "placeholder": "key = value"})
    default_help_text = "One key = value a line; numbers, true/false and [lists] stay JSON."

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value or ""
        if not isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return "\n".join(f"{key} = {_shown(text)}" for key, text in value.items())

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if _reads_as_json(value) and isinstance(json.loads(value), dict | None):
            return json.loads(value) or None  # a JSON object pasted whole
        data = {}
        for number, line in enumerate(value.splitlines(), 1):
            if not line.strip():
                continue
            key, equals, text = line.partition("=")
            if not equals or not key.strip():
                raise ValidationError(f"Line {number} is not `key = value`.", code="invalid")
            text = text.strip()
            data[key.strip()] = json.loads(text) if _reads_as_json(text) else text
        return data or None

    def has_changed(self, initial, data):
        try:
            data = self.to_python(data)
        except ValidationError:
            return True
        return self.prepare_value(initial) != self.prepare_value(data)


class AddressField(forms.MultiValueField):
    """An address (a JSON object) as its usual parts; all empty means no address."""

    def __init__(self, **kwargs):
        fields = [forms.CharField(required=False, max_length=255) for _ in ADDRESS_PARTS]
        widget = forms.MultiWidget(
            widgets={
                part: forms.TextInput(attrs={"placeholder": part.replace("_", " "), "size": 18})
                for part in ADDRESS_PARTS
            }
        )
        widget.decompress = self.decompress
        widget.template_name = "admin/widgets/address.html"
        super().__init__(fields, widget=widget, require_all_fields=False, **kwargs)

    @staticmethod
    def decompress(value):
        value = value or {}
        return [value.get(part) or "" for part in ADDRESS_PARTS]

    def compress(self, data_list):
        address = {part: text for part, text in zip(ADDRESS_PARTS, data_list, strict=False) if text}
        return address or None


def json_form_field(db_field) -> forms.Field | None:
    """The field for a nullable JSON column staff edit, by its name; None for others."""
    if db_field.name == "metadata":
        return MetadataField(required=False, label=db_field.verbose_name)
    if db_field.name.endswith("_address"):
        return AddressField(required=False, label=db_field.verbose_name)
    return None
