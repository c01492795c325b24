"""The navigation group of regulations and duties; each part of the app declares its pages
in its own ``registry_*`` module (imported by ``wiring``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netdept.core.registry import nav_group

nav_group("duties", _("Regulations and duties"), "bi-journal-check", 20)
