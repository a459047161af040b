"""The Django admin at /dashboard/: staff users, and the pieces every app's admin shares.

Admin writes of stock and reservations go through the same services as the API:
- `ServiceForm.apply()` calls the create/update service once the form and the model
  validate; a `DomainError` becomes a form error. The admin's change form runs inside
  `transaction.atomic`, so the service's own atomic block is a savepoint: a refusal writes
  nothing. (A form that applies a service must have no editable inlines: the service runs
  before the inline formsets are validated.)
- `ServiceAdmin.delete_with_service()` deletes one object; the delete view and the bulk
  delete action show a refusal as an error message and roll the whole deletion back.
- `run_each()` runs an admin action's service once per selected object, each in its own
  transaction; a refusal is an error message and the other objects still go through.
- `refusal()` words a refusal for staff: the ids in its message become names
  (`names_ids` registers, per id prefix, how an app names its objects).
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.utils import quote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from config import services
from config.admin_fields import json_form_field
from config.api.errors import as_domain_error
from config.errors import DomainError, TooManyRequests
from config.models import User

admin.site.site_header = "Stockroom"
admin.site.site_title = "Stockroom"
admin.site.index_title = "Inventory and reservations"
admin.site.enable_nav_sidebar = False  # the lists' columns get its width at 1,280 px


class SignInForm(AdminAuthenticationForm):
    """The admin's login form: too many failed sign-ins (config.signin) show as its error."""

    refusal: TooManyRequests | None = None

    def clean(self):
        try:
            return super().clean()
        except TooManyRequests as refusal:
            self.refusal = refusal
            raise ValidationError(refusal.message, code=refusal.type) from None


admin.site.login_form = SignInForm


def dashboard_login(request):
    """The admin's login page; 429 with `Retry-After` while sign-ins are refused."""
    response = admin.site.login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    refusal = getattr(form, "refusal", None)
    if refusal is not None:
        response.status_code = refusal.status
        for header, value in refusal.headers.items():
            response[header] = value
    return response


Namer = Callable[[Iterable[str]], dict[str, str]]
NAMERS: dict[str, Namer] = {}
ID = re.compile(r"\b([a-z]+)_[0-9A-HJKMNP-TV-Z]{26}\b")


def names_ids(prefix: str, namer: Namer) -> None:
    """`namer(ids)` maps ids of `prefix` (`sloc`, `iitem`, …) to what staff call them."""
    NAMERS[prefix] = namer


def readable(message: str) -> str:
    """`message` with every id a namer knows replaced by its name (one query per kind)."""
    found = defaultdict(set)
    for match in ID.finditer(message):
        found[match[1]].add(match[0])
    names = {}
    for prefix, ids in found.items():
        if prefix in NAMERS:
            names |= NAMERS[prefix](ids)
    return ID.sub(lambda match: names.get(match[0], match[0]), message)


def refusal(exc: Exception) -> str | None:
    """The message of a refusal (a DomainError, or a database error standing for one such as
    a lock timeout), worded for staff; None when the exception is a real bug."""
    error = as_domain_error(exc)
    return None if error is None else readable(error.message)


def admin_link(obj, text=None) -> str:
    """An HTML link to `obj`'s admin change page."""
    if obj is None:
        return "-"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def url_of(name: str, *args, **query) -> str | None:
    """An admin URL by name (with a query string), or None when that admin is not installed."""
    try:
        url = reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def link_to(url: str | None, text) -> str:
    return format_html('<a href="{}">{}</a>', url, text) if url else text


class NonNullJSONField(forms.JSONField):
    """A JSON form field for a NOT NULL column: empty input means the column's default."""

    empty_default = staticmethod(lambda: None)

    def to_python(self, value):
        value = super().to_python(value)
        return self.empty_default() if value is None else value


class ServiceForm(forms.ModelForm):
    """A ModelForm whose write is a service call made during validation (see module doc)."""

    applied = False

    def apply(self):
        """Call one (atomic) service with `cleaned_data`; return the saved instance, or None
        to let the admin save the instance itself."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        try:
            saved = self.apply()
        except (DomainError, DatabaseError) as exc:
            message = refusal(exc)
            if message is None:
                raise
            self.add_error(None, message)
            if not self.instance._state.adding:  # what the page shows is what is stored
                self.instance.refresh_from_db()
            return
        if saved is not None:
            self.instance, self.applied = saved, True

    def save(self, commit=True):
        if not self.applied:
            return super().save(commit)
        self.save_m2m = lambda: None
        return self.instance


@admin.action(
    permissions=["delete"],
    description=gettext_lazy("Delete selected %(verbose_name_plural)s"),
)
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, all or nothing: one refusal rolls every deletion back."""
    try:
        with transaction.atomic():
            return django_delete_selected(modeladmin, request, queryset)
    except (DomainError, DatabaseError) as exc:
        message = refusal(exc)
        if message is None:
            raise
        modeladmin.message_user(request, f"Nothing was deleted: {message}", messages.ERROR)
        return None


def run_each(modeladmin, request, objects, call) -> list[tuple]:
    """An admin action's loop: `call(obj)` (one atomic service) for each object in turn.
    A refusal becomes an error message naming the object, and the others still run.
    Returns the (obj, result) pairs of the calls that succeeded."""
    done = []
    for obj in objects:
        try:
            done.append((obj, call(obj)))
        except (DomainError, DatabaseError) as exc:
            message = refusal(exc)
            if message is None:
                raise
            modeladmin.message_user(request, f"{obj}: {message}", messages.ERROR)
    return done


def _shown(value) -> str:
    return "empty" if value in (None, "", [], {}) else str(value)


class ViewOnly:
    """An admin (or inline) whose rows nobody adds, changes or deletes, superusers neither."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose deletions go through `delete_with_service` and whose refusals are
    shown, never a 500."""

    actions = [delete_selected]

    def delete_with_service(self, request, obj) -> None:
        """Delete one object; subclasses call their delete service."""
        obj.delete()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField) and db_field.null:
            field = json_form_field(db_field)
            if field is not None:
                return field
        if isinstance(db_field, models.JSONField) and not db_field.null:
            field = super().formfield_for_dbfield(
                db_field, request, form_class=NonNullJSONField, **kwargs
            )
            field.empty_default = db_field.get_default
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    secret_fields = ("api_token", "password")
    """Fields whose values the change history never shows."""

    def construct_change_message(self, request, form, formsets, add=False):
        """ "Changed stocked quantity: 5 → 8 (the form's `change_note`)." rather than Django's
        list of field names (which stays for additions and inline changes)."""
        if add or any(formset.has_changed() for formset in formsets or ()):
            return super().construct_change_message(request, form, formsets, add)
        model_fields = {f.name: f for f in self.opts.fields}
        changes = []
        for name in form.fields:  # as saved: a service may change a field the form did not
            if name not in model_fields or name not in form.initial:
                continue
            label = str(form[name].label).lower()
            old = form.initial[name]
            new = model_fields[name].value_from_object(form.instance)
            if old == new:
                continue
            secret = name in self.secret_fields
            changes.append(
                f"{label} (a new value)" if secret else f"{label}: {_shown(old)} → {_shown(new)}"
            )
        if not changes:
            return super().construct_change_message(request, form, formsets, add)
        note = getattr(form, "change_note", "")
        return f"Changed {'; '.join(changes)}{f' ({note})' if note else ''}."

    def save_model(self, request, obj, form, change):
        if not getattr(form, "applied", False):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        self.delete_with_service(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_with_service(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (DomainError, DatabaseError) as exc:
            message = refusal(exc)
            if message is None:
                raise
        self.message_user(request, message, messages.ERROR)
        opts = self.opts
        return HttpResponseRedirect(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
        )


# Users ------------------------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return self.cleaned_data["email"].lower()


@admin.register(User)
class UserAdmin(ServiceAdmin, DjangoUserAdmin):
    """Staff log in by email; `api_token` is what `x-medusa-access-token` carries."""

    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "role", "api_token", "metadata")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "role",
                    "is_staff",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("id", "created_at", "updated_at")
    list_display = ("email", "first_name", "last_name", "role", "is_staff", "is_active", "id")
    list_filter = ("role", "is_staff", "is_active", "is_superuser")
    search_fields = ("email", "first_name", "last_name", "=id")
    ordering = ("email",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:  # new users are staff by default, as `create_user` makes them
            form.base_fields["is_staff"].initial = True
        return form

    def delete_with_service(self, request, obj) -> None:
        services.user_delete(acting_user=request.user, user_id=obj.pk)
