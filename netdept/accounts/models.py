from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserProfile(models.Model):
    """Per-login preferences and security state."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)

    class Meta:
        db_table = "core_userprofile"  # kept when the model left core
        default_permissions = ()


class PasswordHistory(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "core_passwordhistory"  # kept when the model left core
        ordering = ["-created_at", "-id"]
        default_permissions = ()


class LoginAttempt(models.Model):
    """A failed sign-in, counted per account and per source IP for lockout."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    ts = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "core_loginattempt"  # kept when the model left core
        default_permissions = ()


class ApiToken(models.Model):
    """A personal API token. Only a hash of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    audit_exclude = ("digest", "last_used_at", "created_at")
    scope_paths = {"own": "user"}

    class Meta:
        db_table = "core_apitoken"  # kept when the model left core
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


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
        db_table = "core_securitypolicy"  # kept when the model left core
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")
        default_permissions = ("view", "change")

    def __str__(self) -> str:
        return str(_("security policy"))

    @classmethod
    def current(cls) -> SecurityPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
