"""Regulation packs (制度包) loaded on this site, and what each load wrote.

``Pack`` records which version of a pack folder (``packs/<name>/``) was loaded; ``PackItem``
records each object the pack wrote, under the pack's own key, with the checksum of the values
written (``checksum``: the values as the pack gave them; ``written_checksum``: the values as
stored). Loading a newer version updates an object whose current values still have the stored
checksum (the site has not edited it) and keeps, and reports, one the site has edited.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models import BaseModel


class Pack(BaseModel):
    name = models.SlugField(_("name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    report = models.JSONField(_("last load's report"), default=dict, blank=True)

    record_kind = "config"

    class Meta:
        verbose_name = _("regulation pack")
        verbose_name_plural = _("regulation packs")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class PackItem(BaseModel):
    pack = models.ForeignKey(
        Pack, verbose_name=_("regulation pack"), on_delete=models.CASCADE, related_name="items"
    )
    key = models.CharField(_("key in the pack"), max_length=200)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(_("object"), max_length=64)
    checksum = models.CharField(_("checksum of what was loaded"), max_length=64)
    #: the checksum of the object's values as stored right after the load wrote them (a
    #: service may normalise what it is given): a different one later means a site edit
    written_checksum = models.CharField(_("checksum of what was stored"), max_length=64, blank=True)
    loaded_version = models.CharField(_("loaded from version"), max_length=40)
    kept_edit = models.BooleanField(
        _("site's edit kept"), default=False, help_text=_("The last upgrade kept the site's edit.")
    )

    record_kind = "config"

    class Meta:
        verbose_name = _("pack item")
        verbose_name_plural = _("pack items")
        ordering = ["pack", "key"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "key"], name="duties_pack_item_once")
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="duties_packitem_target")]

    def __str__(self) -> str:
        return f"{self.pack.name}:{self.key}"
