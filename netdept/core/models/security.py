from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityPolicy(models.Model):
    """Sign-in and password policy, managed by the security administrator. One row."""

    min_length = models.PositiveSmallIntegerField(_("minimum password length"), default=10)
    min_classes = models.PositiveSmallIntegerField(
        _("character classes required"),
        default=3,
        help_text=_("Of: lower case, upper case, digits, symbols."),
    )
    history = models.PositiveSmallIntegerField(_("passwords remembered"), default=5)
    lockout_attempts = models.PositiveSmallIntegerField(
        _("failed attempts before lockout"), default=5
    )
    lockout_minutes = models.PositiveSmallIntegerField(_("lockout minutes"), default=15)
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        _("idle session timeout (minutes)"), default=30
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    audit_exclude = ("updated_at",)

    record_kind = "config"  # configuration, not work (core.models.base)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")
        default_permissions = ("view", "change")

    def __str__(self) -> str:
        return str(_("security policy"))

    @classmethod
    def current(cls) -> SecurityPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
