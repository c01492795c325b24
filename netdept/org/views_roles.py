"""The role pages on the generic stack: the list explains the built-in roles, the role page says
in plain words what the role can do (and shows its permissions grid, read only), the editor
groups the permissions by module and model (``org.forms.RoleForm``). Every rule of 三员 stays
the service's (``org.services.RoleService``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from netdept.core import permissions, permlabels
from netdept.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView
from netdept.org.forms import DUTY_LABELS, grid_context
from netdept.org.models import Role, RoleAssignment, Scope
from netdept.org.roles import BUILTIN_BY_CODE, BUILTIN_ROLES, PRIVILEGED
from netdept.org.services import SEPARATED_DUTIES

CRUD = ("view", "add", "change", "delete")
# What a scope lets the role's holders reach, in plain words.
SCOPE_SENTENCES: dict[str, Any] = {
    Scope.ALL: gettext_lazy("Reaches every row."),
    Scope.DEPARTMENT: gettext_lazy(
        "Reaches the rows of the holder's own department and its sub-departments."
    ),
    Scope.TEAM: gettext_lazy(
        "Reaches the rows of the holder's own team and of the teams they lead."
    ),
    Scope.OWN: gettext_lazy("Reaches only the holder's own rows."),
}
DUTY_SENTENCES: dict[str, Any] = {
    "accounts": gettext_lazy(
        "Account administration: creates, changes or disables login accounts."
    ),
    "security": gettext_lazy("Security: keeps roles, grants them or sets the security policy."),
    "audit": gettext_lazy("Audit: reads or exports the audit trail."),
}


def join_words(words: Iterable[Any]) -> str:
    """ "a, b and c" in the active language ("a、b 和 c")."""
    items = [str(w) for w in words]
    if len(items) < 2:
        return "".join(items)
    separator = pgettext("list separator", ", ")
    return _("%(items)s and %(last)s") % {"items": separator.join(items[:-1]), "last": items[-1]}


@dataclass
class SummaryLine:
    verbs: str  # "View, add and change"
    objects: str  # "work orders, comments and attachments"


@dataclass
class ModuleSummary:
    label: str
    lines: list[SummaryLine] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # other permissions, as labels


@dataclass
class RoleSummary:
    scope: str
    scope_note: str  # configuration is seen whole whatever the scope
    modules: list[ModuleSummary]
    notes: list[str]  # read only, 2FA, switched off…
    duties: list[tuple[str, str]]  # (duty label, what it means): 三员's separated rights
    count: int


def _verbs(actions: Iterable[str]) -> str:
    actions = [a for a in permlabels.STANDARD_ACTIONS if a in set(actions)]
    if all(a in actions for a in CRUD):
        rest = [a for a in actions if a not in CRUD]
        words = [
            _("manage (view, add, change, delete)"),
            *(permlabels.ACTION_LABELS[a] for a in rest),
        ]
    else:
        words = [permlabels.ACTION_LABELS[a] for a in actions]
    return capfirst(join_words(words))


def _writes(action: str) -> bool:
    """Does the action change something? Reading and exporting do not."""
    return not (action.startswith("view") or action == "export")


def summarize(role: Role, perms: Iterable[Permission] | None = None) -> RoleSummary:
    """What the role can do, in plain words: per module, the actions and the objects they
    apply to (objects with the same actions together), the other permissions, the scope, the
    separated duties (三员) it carries and whether holders need a second factor."""
    if perms is None:
        perms = role.permissions.select_related("content_type")
    perms = list(perms)
    modules = []
    for group in permlabels.grid(perms):
        summary = ModuleSummary(group.label)
        by_actions: dict[tuple[str, ...], list[str]] = {}
        for row in group.rows:
            if row.cells:
                key = tuple(a for a in permlabels.STANDARD_ACTIONS if a in row.cells)
                by_actions.setdefault(key, []).append(row.label_plural)
            summary.also += [p.label for p in row.others]
        # the widest rights first
        for actions, objects in sorted(by_actions.items(), key=lambda kv: -len(kv[0])):
            summary.lines.append(SummaryLine(_verbs(actions), join_words(objects)))
        modules.append(summary)
    names = {f"{p.content_type.app_label}.{p.codename}" for p in perms}
    duties = [
        (str(capfirst(DUTY_LABELS[duty])), str(DUTY_SENTENCES[duty]))
        for duty, group in SEPARATED_DUTIES.items()
        if names & group
    ]
    notes = []
    if not perms:
        notes.append(_("This role grants no rights."))
    elif not any(_writes(permlabels.describe(p).action) for p in perms):
        notes.append(_("Reads only: this role changes nothing."))
    if role.require_2fa:
        notes.append(_("Holders sign in with a second factor."))
    if not role.is_active:
        notes.append(_("Switched off: the role grants nothing until it is active again."))
    if role.code in PRIVILEGED:
        notes.append(
            _(
                "A built-in privileged role (三员): its rights are fixed; only its name and "
                "description can be changed."
            )
        )
    return RoleSummary(
        scope=str(SCOPE_SENTENCES.get(role.scope, "")),
        scope_note=""
        if role.scope == Scope.ALL
        else _("Settings (categories, SLA policies, calendars…) are seen whole."),
        modules=modules,
        notes=notes,
        duties=duties,
        count=len(perms),
    )


def builtin_roles() -> list[dict[str, Any]]:
    """The built-in roles explained (the role list's panel): name, scope and explanation."""
    scopes = dict(Scope.choices)
    return [
        {
            "code": spec.code,
            "label": spec.label,
            "scope": scopes.get(spec.scope, spec.scope),
            "explanation": spec.explanation,
            "privileged": spec.code in PRIVILEGED,
        }
        for spec in BUILTIN_ROLES
    ]


class RoleListView(ObjectListView):
    template_name = "org/role_list.html"

    def get_queryset(self) -> QuerySet[Any]:
        # The list shows no permissions: the page's prefetch is for the API's labels.
        return super().get_queryset().prefetch_related(None)

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        return {"builtin_roles": builtin_roles()}


class RoleDetailView(ObjectDetailView):
    template_name = "org/role_detail.html"

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        role: Role = kwargs["obj"]
        perms = list(role.permissions.select_related("content_type"))
        chosen = {str(p.pk) for p in perms}
        # the holders the viewer may see (an auditor all of them; without the right, none)
        assignments = RoleAssignment.objects.filter(role=role)
        see_holders = permissions.has_perm(self.user, "org.view_roleassignment")
        holders = permissions.restrict(assignments, self.user, "view").count()
        may_add = self.page.can_add and self.may("add")
        return {
            "summary": summarize(role, perms),
            "builtin": BUILTIN_BY_CODE.get(role.code),
            "grid": grid_context(permlabels.grid(perms), chosen, disabled=True),
            "holders": holders,
            "holders_url": f"{reverse('org:roleassignment_list')}?role={role.pk}"
            if see_holders
            else "",
            "copy_url": f"{reverse('org:role_add')}?copy={role.pk}" if may_add else "",
        }


class RoleEditView(ObjectEditView):
    """The editor. ``?copy=<id>`` starts a new role from a role the user may see (its scope,
    permissions and 2FA requirement); saving an existing role tells what it now grants and
    what it no longer grants."""

    template_name = "org/role_form.html"
    partial_template_name = "org/_role_form.html"

    def copy_source(self) -> Role | None:
        if "pk" in self.kwargs:
            return None
        pk = self.request.GET.get("copy", "")
        if not pk.isdigit():
            return None
        visible = permissions.restrict(Role.objects.all(), self.user, "view")
        return visible.filter(pk=int(pk)).first()

    def get_form(self, obj: Any) -> Any:
        form = super().get_form(obj)
        source = self.copy_source() if self.request.method == "GET" else None
        if source is not None:
            form.initial.update(
                {
                    "scope": source.scope,
                    "permissions": list(source.permissions.values_list("pk", flat=True)),
                    "require_2fa": source.require_2fa,
                }
            )
        return form

    def save(self, form: Any, obj: Any) -> Any:
        before = set(obj.permissions.values_list("pk", flat=True)) if obj is not None else None
        saved = super().save(form, obj)
        if before is not None:
            after = set(saved.permissions.values_list("pk", flat=True))
            for text in change_messages(before, after):
                messages.info(self.request, text)
        return saved

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        obj = kwargs.get("obj")
        return {
            "builtin": BUILTIN_BY_CODE.get(obj.code) if obj is not None else None,
            "copy_of": self.copy_source() if obj is None else None,
        }


SHOWN_CHANGES = 8


def change_messages(before: set[int], after: set[int]) -> list[str]:
    """ "Now also grants: …" and "No longer grants: …", as permission labels (the first few)."""

    def listed(pks: set[int]) -> str:
        labels = permlabels.labels_for(pks)
        shown = "; ".join(labels[:SHOWN_CHANGES])
        if len(labels) > SHOWN_CHANGES:
            more = len(labels) - SHOWN_CHANGES
            shown += " " + ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more}
        return shown

    result = []
    if after - before:
        result.append(_("Now also grants: %(perms)s") % {"perms": listed(after - before)})
    if before - after:
        result.append(_("No longer grants: %(perms)s") % {"perms": listed(before - after)})
    return result


__all__ = [
    "RoleDetailView",
    "RoleEditView",
    "RoleListView",
    "RoleSummary",
    "builtin_roles",
    "change_messages",
    "join_words",
    "summarize",
]
