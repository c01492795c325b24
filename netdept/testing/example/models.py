from django.db import models
from django.utils.translation import gettext_lazy as _

from netdept.core.models.base import BaseModel
from netdept.org.models import Department, Person


class SparePart(BaseModel):
    """A spare part (备件) a department keeps, issued to a person and given back."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("In stock")
        ISSUED = "issued", _("Issued")
        SCRAPPED = "scrapped", _("Scrapped")

    name = models.CharField(_("name"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        Person,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_STOCK
    )
    note = models.TextField(_("note"), blank=True, max_length=500)
    is_active = models.BooleanField(_("active"), default=True)

    # own: parts the user holds; team: parts held in the user's teams; department: the parts
    # of the user's department (and below).
    scope_paths = {"own": "holder__user", "team": "holder__team", "department": "department"}

    class Meta:
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
