"""The work-order permissions that are not a standard action, in words (``core.permlabels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.permlabels import register_permission_label

register_permission_label(
    "workorders.view_internal_comment", _("view internal notes"), subject=_("work order")
)
