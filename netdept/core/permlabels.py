"""Permissions in words people read: grouped by module (the app's name) and model, each with a
translated label such as "工单 · 查看内部备注" instead of "Can see internal notes".

    permission_label(perm)       "work order · view internal notes" (in the active language)
    describe(perm)               a ``PermInfo``: module, model, action and their labels
    grid(perms)                  ``[ModuleGroup]``: modules → models → one permission per action
    offered_permissions()        the permissions a role editor offers (NetDept's own models)

The standard actions (view, add, change, delete, export, import) are columns of the grid; an
app names its other permissions with ``register_permission_label`` in its ``ready()`` (else
the permission's stored name is shown). Django's login model belongs to the accounts module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The grid's columns, in this order (only those some permission of the grid uses are shown).
STANDARD_ACTIONS: tuple[str, ...] = ("view", "add", "change", "delete", "export", "import")
ACTION_LABELS: dict[str, Promise] = {
    "view": _("view"),
    "add": _("add"),
    "change": _("change"),
    "delete": _("delete"),
    "export": _("export"),
    "import": _("import"),
}

# Permissions of models that are not NetDept's, shown in the editor all the same.
EXTRA_MODELS: set[str] = {"auth.user"}
# Models named otherwise than their verbose name, and apps shown as part of another module.
MODEL_LABELS: dict[str, Promise] = {
    "auth.user": _("login account"),
    "auth.group": _("Django user group (unused)"),
    "auth.permission": _("permission definition"),
}
MODEL_LABELS_PLURAL: dict[str, Promise] = {
    "auth.user": _("login accounts"),
    "auth.group": _("Django user groups (unused)"),
    "auth.permission": _("permission definitions"),
}
MODULE_OF: dict[str, str] = {"auth": "accounts"}


@dataclass(frozen=True)
class CustomLabel:
    action: Any  # what the permission lets one do ("view internal notes")
    subject: Any = None  # what it is about, when not the model ("work order")


_CUSTOM: dict[str, CustomLabel] = {}


def register_permission_label(perm: str, action: Any, subject: Any = None) -> None:
    """Name a permission that is not one of the standard actions:
    ``register_permission_label("workorders.view_internal_comment", _("view internal notes"),
    subject=_("work order"))`` → "工单 · 查看内部备注"."""
    _CUSTOM[perm] = CustomLabel(action, subject)


register_permission_label("core.view_history", _("view"), subject=_("object history"))


@dataclass(frozen=True)
class PermInfo:
    pk: int
    name: str  # "app_label.codename"
    app_label: str
    model: str  # the content type's model name
    action: str  # "view", "add", …, or the codename of a custom permission
    standard: bool
    module_key: str
    module_label: str
    model_label: str
    model_label_plural: str
    action_label: str
    subject_label: str  # the model's label, or the custom permission's subject

    @property
    def label(self) -> str:
        """ "工单 · 查看内部备注": subject and action."""
        return f"{capfirst(self.subject_label)} · {self.action_label}"

    @property
    def short_label(self) -> str:
        """The label inside its model's row: the action, or subject and action when the
        permission is about something else than the row's model."""
        if self.subject_label != self.model_label:
            return self.label
        return str(self.action_label)


def split_codename(app_label: str, model: str, codename: str) -> tuple[str, bool]:
    """(action, is standard): ``view_team`` → ("view", True); ``view_internal_comment`` →
    ("view_internal", False); ``view_history`` on audit records → ("view_history", False)."""
    suffix = f"_{model}"
    if codename.endswith(suffix):
        action = codename[: -len(suffix)]
        return action, action in STANDARD_ACTIONS
    return codename, False


def _model_class(app_label: str, model: str) -> type[models.Model] | None:
    try:
        return apps.get_model(app_label, model)
    except LookupError:
        return None


def module_key(app_label: str) -> str:
    return MODULE_OF.get(app_label, app_label)


def module_label(app_label: str) -> str:
    key = module_key(app_label)
    try:
        return str(capfirst(apps.get_app_config(key).verbose_name))
    except LookupError:
        return key


def model_labels(app_label: str, model: str) -> tuple[str, str]:
    """(singular, plural) of a model named by app label and model name."""
    key = f"{app_label}.{model}"
    cls = _model_class(app_label, model)
    singular = MODEL_LABELS.get(key) or (cls._meta.verbose_name if cls else model)
    plural = MODEL_LABELS_PLURAL.get(key) or (cls._meta.verbose_name_plural if cls else model)
    return str(singular), str(plural)


def describe(perm: Permission) -> PermInfo:
    """Everything the editor shows of one permission, in the active language."""
    ct = perm.content_type
    app_label, model = ct.app_label, ct.model
    name = f"{app_label}.{perm.codename}"
    action, standard = split_codename(app_label, model, perm.codename)
    singular, plural = model_labels(app_label, model)
    custom = _CUSTOM.get(name)
    if custom is not None:
        action_label = str(custom.action)
        subject = str(custom.subject) if custom.subject is not None else singular
    elif standard:
        action_label, subject = str(ACTION_LABELS[action]), singular
    else:
        action_label, subject = gettext(perm.name), singular  # the stored name, if translated
    return PermInfo(
        pk=perm.pk,
        name=name,
        app_label=app_label,
        model=model,
        action=action,
        standard=standard and custom is None,
        module_key=module_key(app_label),
        module_label=module_label(app_label),
        model_label=singular,
        model_label_plural=plural,
        action_label=action_label,
        subject_label=subject,
    )


def permission_label(perm: Permission) -> str:
    return describe(perm).label


def labels_for(pks: Iterable[Any]) -> list[str]:
    """The labels of permissions given by id (for an audit record's list of ids), sorted."""
    perms = Permission.objects.filter(pk__in=list(pks)).select_related("content_type")
    return sorted(permission_label(p) for p in perms)


def is_offered_app(app_label: str) -> bool:
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return False
    return str(config.name).startswith("netdept.")


def offered_permissions() -> models.QuerySet[Permission]:
    """What a role may hold: the permissions of NetDept's own models and of the login model
    (not Django's groups, sessions, content types or other libraries' tables)."""
    labels = [c.label for c in apps.get_app_configs() if is_offered_app(c.label)]
    extra = models.Q()
    for key in EXTRA_MODELS:
        app_label, model = key.split(".")
        extra |= models.Q(content_type__app_label=app_label, content_type__model=model)
    return Permission.objects.select_related("content_type").filter(
        models.Q(content_type__app_label__in=labels) | extra
    )


# --- the grid --------------------------------------------------------------------------------
@dataclass
class ModelRow:
    key: str  # "app_label.model"
    label: str
    label_plural: str
    cells: dict[str, PermInfo] = field(default_factory=dict)  # standard action → permission
    others: list[PermInfo] = field(default_factory=list)

    @property
    def perms(self) -> list[PermInfo]:
        return [*self.cells.values(), *self.others]


@dataclass
class ModuleGroup:
    key: str
    label: str
    rows: list[ModelRow] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # the standard actions of its rows

    @property
    def perms(self) -> list[PermInfo]:
        return [p for row in self.rows for p in row.perms]

    @property
    def has_others(self) -> bool:
        return any(row.others for row in self.rows)


def _module_order() -> dict[str, int]:
    """Domain modules first, the kernel last: the reverse of the installed order (apps are
    installed from the kernel up)."""
    configs = list(apps.get_app_configs())
    return {c.label: len(configs) - i for i, c in enumerate(configs)}


def grid(perms: Iterable[Permission]) -> list[ModuleGroup]:
    """Permissions as modules → models → actions, in a stable order (modules from the domain
    down to the kernel, models and actions as the app declares them)."""
    modules: dict[str, ModuleGroup] = {}
    rows: dict[str, ModelRow] = {}
    for perm in perms:
        info = describe(perm)
        group = modules.get(info.module_key)
        if group is None:
            group = modules[info.module_key] = ModuleGroup(info.module_key, info.module_label)
        key = f"{info.app_label}.{info.model}"
        row = rows.get(key)
        if row is None:
            row = rows[key] = ModelRow(key, info.model_label, info.model_label_plural)
            group.rows.append(row)
        if info.standard:
            row.cells[info.action] = info
        else:
            row.others.append(info)
    order = _module_order()
    result = sorted(modules.values(), key=lambda g: (order.get(g.key, 0), g.label))
    for group in result:
        group.rows.sort(key=_row_order)
        used = {a for row in group.rows for a in row.cells}
        group.actions = [a for a in STANDARD_ACTIONS if a in used]
        for row in group.rows:
            row.others.sort(key=lambda p: p.label)
    return result


def _row_order(row: ModelRow) -> tuple[int, int, str]:
    """Models in the order their app declares them (login accounts first in their module)."""
    app_label, model = row.key.split(".")
    try:
        config = apps.get_app_config(app_label)
        names = [m._meta.model_name for m in config.get_models()]
        position = names.index(model)
    except (LookupError, ValueError):
        position = 0
    return (0 if app_label in MODULE_OF else 1, position, row.label)


__all__ = [
    "ACTION_LABELS",
    "STANDARD_ACTIONS",
    "ModelRow",
    "ModuleGroup",
    "PermInfo",
    "describe",
    "grid",
    "labels_for",
    "offered_permissions",
    "permission_label",
    "register_permission_label",
    "split_codename",
]
