from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from netdept.core import permlabels
from netdept.org.models import Person, Role
from netdept.org.roles import BUILTIN_BY_CODE, PRIVILEGED
from netdept.org.services import SEPARATED_DUTIES


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


class PermissionGridWidget(forms.CheckboxSelectMultiple):
    """The role's permissions as a grid: modules (apps) → models (rows) → actions (columns:
    view, add, change, delete, export, import; other permissions in the last column), each
    with a translated label, a search and select-all per row, column and module
    (``org/static/org/roles.js``; the grid works without it)."""

    template_name = "org/widgets/permission_grid.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # Not the choice widget's own context: it would build one sub-widget per option.
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen = set(self.format_value(value))
        perms = [choice.instance for choice, _label in self.choices if hasattr(choice, "instance")]
        widget = context["widget"]
        disabled = bool(widget["attrs"].get("disabled"))
        widget["grid"] = grid_context(permlabels.grid(perms), chosen, disabled)
        widget["disabled"] = disabled
        widget["chosen_count"] = len(chosen & {str(p.pk) for p in perms})
        widget["total_count"] = len(perms)
        return context


# The duties 三员 keeps apart (``org.services.SEPARATED_DUTIES``), in words.
DUTY_LABELS: dict[str, Any] = {
    "accounts": _("account administration"),
    "audit": _("audit"),
    "security": _("security"),
}


def _duty_of() -> dict[str, str]:
    return {perm: duty for duty, group in SEPARATED_DUTIES.items() for perm in group}


def grid_context(
    modules: list[permlabels.ModuleGroup], chosen: set[str], disabled: bool = False
) -> list[dict[str, Any]]:
    """The grid as the template draws it: per module its action columns and rows, each cell
    the permission (or None), whether it is chosen, and the 三员 duty it belongs to."""
    duties = _duty_of()

    def cell(info: permlabels.PermInfo | None) -> dict[str, Any] | None:
        if info is None:
            return None
        duty = duties.get(info.name, "")
        return {
            "pk": info.pk,
            "name": info.name,
            "label": info.label,
            "short_label": info.short_label,
            "checked": str(info.pk) in chosen,
            "duty": duty,
            "duty_label": DUTY_LABELS[duty] if duty else "",
        }

    result: list[dict[str, Any]] = []
    for group in modules:
        rows: list[dict[str, Any]] = []
        for row in group.rows:
            cells: list[dict[str, Any]] = [
                {"action": a, "perm": cell(row.cells.get(a))} for a in group.actions
            ]
            others = [c for c in (cell(o) for o in row.others) if c is not None]
            all_cells: list[dict[str, Any]] = [c["perm"] for c in cells if c["perm"] is not None]
            all_cells += others
            words = [group.label, row.label, row.label_plural, *(c["label"] for c in all_cells)]
            words += [c["name"] for c in all_cells]
            rows.append(
                {
                    "key": row.key,
                    "label": row.label_plural,
                    "cells": cells,
                    "others": others,
                    "search": " ".join(str(w) for w in words).lower(),
                    "checked": sum(1 for c in all_cells if c["checked"]),
                    "total": len(all_cells),
                }
            )
        result.append(
            {
                "key": group.key,
                "label": group.label,
                "actions": [(a, permlabels.ACTION_LABELS[a]) for a in group.actions],
                "has_others": group.has_others,
                "rows": rows,
                "checked": sum(r["checked"] for r in rows),
                "total": sum(r["total"] for r in rows),
                "disabled": disabled,
            }
        )
    return result


class PermissionGridField(forms.ModelMultipleChoiceField):
    widget = PermissionGridWidget

    def label_from_instance(self, obj: Any) -> str:
        return permlabels.permission_label(obj)


class RoleForm(forms.ModelForm):
    """The role editor. Offers the permissions of NetDept's own models (and the login model)
    plus whatever the role holds now, so saving never drops a permission the grid does not
    show. Every rule of 三员 is the service's (``org.services.RoleService``): a forged post is
    refused there, not trusted here."""

    permissions = PermissionGridField(
        queryset=Permission.objects.none(),
        required=False,
        label=_("permissions"),
    )

    class Meta:
        model = Role
        fields = ["code", "name", "description", "scope", "permissions", "require_2fa", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = permlabels.offered_permissions()
        if self.instance.pk:
            held = self.instance.permissions.values("pk")
            offered = Permission.objects.select_related("content_type").filter(
                Q(pk__in=offered.values("pk")) | Q(pk__in=held)
            )
        field = self.fields["permissions"]
        assert isinstance(field, PermissionGridField)
        field.queryset = offered.order_by("content_type__app_label", "content_type__model", "pk")
        spec = BUILTIN_BY_CODE.get(self.instance.code) if self.instance.pk else None
        self.builtin = spec
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
