from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models import BaseModel


class DepartmentKind(models.TextChoices):
    NETWORK = "network", _("network department")
    SERVED = "served", _("served department")


class Department(BaseModel):
    """A node of the organisation tree: the network department and the departments it serves."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=DepartmentKind.choices,
        default=DepartmentKind.SERVED,
        db_index=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head of department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
        help_text=_("Approves what the department's people ask for, one level up the chain."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # own: the user's department; team: the departments of the user's teams; department: the
    # user's department and the departments below it.
    scope_paths = {"own": "people__user", "team": "teams", "department": "pk"}

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        node, seen = self.parent, set()
        while node is not None:
            if (node.pk == self.pk and self.pk is not None) or node.pk in seen:
                raise ValidationError({"parent": _("A department cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent

    @classmethod
    def subtree_ids(cls, root_id: int) -> set[int]:
        """``root_id`` and the ids of all departments below it."""
        edges = list(cls.objects.values_list("pk", "parent_id"))
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in edges:
            children.setdefault(parent_id, []).append(pk)
        result, stack = set(), [root_id]
        while stack:
            node = stack.pop()
            if node in result:
                continue
            result.add(node)
            stack.extend(children.get(node, []))
        return result


class Team(BaseModel):
    """A team (组) of a department, such as 网络运维组."""

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="teams"
    )
    lead = models.ForeignKey(
        "Person",
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # own: the user's team; team: the teams the user belongs to or leads; department: the
    # teams of the user's department (and below).
    scope_paths = {"own": "members__user", "team": "pk", "department": "department"}

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["department__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_name_per_department")
        ]

    def __str__(self) -> str:
        return self.name


class Position(BaseModel):
    """A position (岗位) with its written responsibilities."""

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="positions"
    )
    responsibilities = models.TextField(_("responsibilities"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # own: the user's position; team: positions held in the user's teams.
    scope_paths = {"own": "holders__user", "team": "holders__team", "department": "department"}

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["department__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="position_name_per_department"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Person(BaseModel):
    """A member of staff, of the network department or of a served department."""

    name = models.CharField(_("full name"), max_length=50, db_index=True)
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="people"
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_paths = {"own": "user", "team": "team", "department": "department"}

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["employee_no"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.team_id
            and self.department_id
            and self.team is not None
            and self.team.department_id != self.department_id
        ):
            raise ValidationError({"team": _("The team belongs to another department.")})
        if self.manager_id and self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": _("A person cannot be their own manager.")})


class Scope(models.TextChoices):
    OWN = "own", _("own")
    TEAM = "team", _("own team")
    DEPARTMENT = "department", _("own department")
    ALL = "all", _("all")


class Role(BaseModel):
    """A named set of permissions plus the scope of rows they reach. Roles are data."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.OWN)
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="+"
    )
    require_2fa = models.BooleanField(_("requires two-factor sign-in"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.CASCADE, related_name="assignments"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_paths = {
        "own": "user",
        "team": "user__person__team",
        "department": "user__person__department",
    }

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user__username", "role__code"]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.role}"


class RoleSeed(models.Model):
    """A permission once seeded into a built-in role (so it is never seeded again)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="+")
    permission = models.ForeignKey(Permission, on_delete=models.CASCADE, related_name="+")

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["role", "permission"], name="seed_once")]


class GrantAction(models.TextChoices):
    RESET_PASSWORD = "reset_password", _("reset the password")
    DISABLE = "disable", _("disable")
    ENABLE = "enable", _("enable")
    EDIT = "edit", _("change name or email")


class AccountGrant(BaseModel):
    """The security administrator's one-time leave for the system administrator to reset,
    disable, enable or edit a privileged administrator's account (三权分立, see
    ``org.services``). Used once, within ``VALID_HOURS``; never changed or deleted."""

    VALID_HOURS = 24

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.PROTECT,
        related_name="management_grants",
    )
    action = models.CharField(_("action"), max_length=20, choices=GrantAction.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("reason"), max_length=200)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    scope_paths = {
        "own": "account",
        "team": "account__person__team",
        "department": "account__person__department",
    }

    class Meta:
        verbose_name = _("account management grant")
        verbose_name_plural = _("account management grants")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_action_display()}"
