from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

from netdept.org.models import Person, Role
from netdept.org.roles import PRIVILEGED


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "employee_no",
            "department",
            "team",
            "position",
            "manager",
            "phone",
            "email",
            "user",
            "is_active",
        ]


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.codename == "view_history":
            return str(_("object history · view"))
        model = obj.content_type.model_class()
        name = model._meta.verbose_name if model else obj.content_type.model
        action = obj.codename.split("_", 1)[0]
        actions = {
            "view": _("view"),
            "add": _("add"),
            "change": _("change"),
            "delete": _("delete"),
            "export": _("export"),
        }
        return f"{name} · {actions.get(action, obj.name)}"


class RoleForm(forms.ModelForm):
    permissions = PermissionChoiceField(
        queryset=Permission.objects.select_related("content_type")
        .filter(
            content_type__app_label__in=[
                "core",
                "org",
                "auth",
                "workorders",
                "inventory",
                "changes",
                "backups",
                "monitoring",
                "security",
                "duties",
                "worklog",
                "people",
                "opinion",
                "reports",
            ]
        )
        .exclude(content_type__model__in=["group", "permission"]),
        required=False,
        label=_("permissions"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Role
        fields = ["code", "name", "description", "scope", "permissions", "require_2fa", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.code in PRIVILEGED:
            # 三权分立: a built-in privileged role keeps its rule; only its name and text change.
            for name in ("code", "scope", "permissions", "require_2fa", "is_active"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Fixed: the rules of the built-in privileged roles cannot be changed."
                )


class AccountForm(forms.ModelForm):
    """A login. A new account gets its first password here; it is checked against the policy."""

    password = forms.CharField(
        label=_("password"),
        widget=forms.PasswordInput,
        strip=False,
        required=False,
        help_text=_("Required for a new account; leave empty to keep."),
    )

    class Meta:
        model = get_user_model()
        fields = ["username", "email", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pw = data.get("password")
        if not self.instance.pk and not pw:
            self.add_error("password", _("A new account needs a password."))
        elif pw:
            try:
                password_validation.validate_password(pw, self.instance)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data
