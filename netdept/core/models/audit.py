from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    LOGIN = "login", _("login")
    # The password was right; the second factor (TOTP) is still to come. The successful
    # login is recorded when it passes (``accounts.views_security``).
    LOGIN_PENDING = "login_pending", _("sign-in awaiting second factor")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logout")
    DENIED = "denied", _("permission denied")
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    LOCKOUT = "lockout", _("account locked")
    SECURITY = "security", _("security event")
    TASK = "task", _("task")
    PURGE = "purge", _("purge")


class AuditRecord(models.Model):
    """One entry of the hash-chained audit trail. Written only by ``netdept.core.audit``."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    ts = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    # The actor as written: their id (text) and login. ``actor`` is only a link for queries;
    # the database may null it (a deleted account), so the hash covers these two instead.
    actor_ref = models.CharField(_("actor ID"), max_length=64, blank=True, default="")
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # The hash format (1: before the seal; 2: sealed) and the HMAC of ``hash`` with the audit
    # key, which lives outside the database (see ``netdept.core.audit_seal``).
    hv = models.PositiveSmallIntegerField(_("hash format"), default=2)
    seal = models.CharField(max_length=64, blank=True, default="")

    scope_paths = {"own": "actor"}

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"]),
            models.Index(fields=["actor", "seq"]),
            models.Index(fields=["action", "seq"]),
        ]
        default_permissions = ("view", "export")
        permissions = [("view_history", "Can view the history of objects")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditChain(models.Model):
    """The head of the chain: last sequence and hash, and the anchor left by retention purges.

    Both are sealed with the audit key (``head_seal``, ``anchor_seal``); records from
    ``sealed_from`` on carry a seal each; ``key_id`` names the key that sealed them."""

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default="0" * 64)
    anchor_ts = models.DateTimeField(null=True, blank=True)
    sealed_from = models.BigIntegerField(default=1)
    key_id = models.CharField(max_length=16, blank=True, default="")
    head_seal = models.CharField(max_length=64, blank=True, default="")
    anchor_seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        default_permissions = ()
