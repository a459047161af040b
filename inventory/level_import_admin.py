"""The Django admin's CSV import and export of stock levels, linked from the levels list.

Import: upload a file, see a preview (a dry run of `inventory.level_csv.import_levels`: how
many levels it would create and update, and every refused row by line), then apply it. The
file waits in the session between the two, so it is at most MAX_UPLOAD bytes (larger files:
`manage.py import_levels`). Export: the CSV `manage.py export_levels` writes, streamed.
"""

import hashlib
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from config.admin import refusal
from config.errors import DomainError
from inventory.level_csv import CsvError, import_levels
from inventory.level_csv import export_lines as csv_lines
from inventory.models import StockMovement

MAX_UPLOAD = 2 * 1024 * 1024
SESSION_KEY = "inventory_level_import"
Reason = StockMovement.Reason


class ImportForm(forms.Form):
    file = forms.FileField(allow_empty_file=True, help_text="CSV, UTF-8; see the columns below.")
    reason = forms.ChoiceField(
        choices=[(r, Reason(r).label) for r in StockMovement.MANUAL_REASONS],
        initial=Reason.CORRECTION,
        help_text="What the stock movements record.",
    )
    atomic = forms.BooleanField(
        required=False,
        initial=True,
        label="All or nothing",
        help_text="Apply nothing if any row is refused. Unticked: the other rows are applied.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                f"The file has {upload.size:,} bytes; here at most {MAX_UPLOAD:,}. "
                "Import larger files with manage.py import_levels."
            )
        return upload.read()


class LevelImportExport:
    """For the levels' ModelAdmin: its import and export pages, and links to them."""

    change_list_template = "admin/inventory/level_import/change_list.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name=f"{name}_import"),
            path("export/", view(self.export_view), name=f"{name}_export"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if request.method == "POST" and "apply" in request.POST:
            return self._apply(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        outcome = None
        if form.is_valid():
            data, options = form.cleaned_data["file"], _options(form.cleaned_data)
            outcome = _run(data, dry_run=True, **options)
            if outcome["problem"] is None:
                digest = hashlib.sha256(data).hexdigest()
                text = data.decode("utf-8")
                request.session[SESSION_KEY] = {"text": text, "digest": digest, **options}
                outcome["digest"] = digest
        return self._page(request, form=form, outcome=outcome, preview=True)

    def _apply(self, request):
        pending = request.session.get(SESSION_KEY)
        if not pending or pending["digest"] != request.POST.get("digest"):
            self.message_user(
                request, "Upload the file again: it is no longer here.", messages.ERROR
            )
            return HttpResponseRedirect(request.path)
        del request.session[SESSION_KEY]
        options = {key: pending[key] for key in ("reason", "atomic")}
        outcome = _run(pending["text"].encode("utf-8"), dry_run=False, **options)
        report = outcome["report"]
        if outcome["problem"] is None and not outcome["errors"]:
            self.message_user(
                request,
                f"Imported {report.done} rows: {report.created} levels created, "
                f"{report.updated} updated.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        return self._page(request, form=ImportForm(initial=options), outcome=outcome, preview=False)

    def _page(self, request, **context):
        return TemplateResponse(
            request,
            "admin/inventory/level_import/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Import stock levels from CSV",
                "max_upload": MAX_UPLOAD,
                **context,
            },
        )

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        location = request.GET.get("location") or None
        response = StreamingHttpResponse(
            csv_lines(location), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="stock-levels.csv"'
        return response


def _options(data: dict) -> dict:
    return {"reason": data["reason"], "atomic": data["atomic"]}


def _run(data: bytes, **options) -> dict:
    """Import (or preview) `data`: its report, every refused row, or what stopped it."""
    errors = []
    outcome = {"report": None, "errors": errors, "problem": None, "bad_rows": []}
    try:
        outcome["report"] = import_levels(
            lambda: io.BytesIO(data), on_error=errors.append, **options
        )
    except CsvError as error:
        outcome["problem"], outcome["bad_rows"] = error.message, error.errors
    except (DomainError, DatabaseError) as error:
        message = refusal(error)
        if message is None:
            raise
        outcome["problem"] = message
    return outcome
