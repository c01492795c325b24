"""The navigation group of the working rhythm; each part of the app declares its pages in its
own ``registry_*`` module (imported by ``wiring``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.registry import nav_group

nav_group("worklog", _("Working rhythm"), "bi-journal-text", 25)
