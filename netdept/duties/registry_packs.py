"""The pages and API of regulation packs (制度包): the packs loaded on this site and the
objects each wrote. Both are written by the loader only (``netdept pack load``), so their
pages and endpoints read; a pack's page has its coverage (``views_packs``) and its items as
tabs."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from netdept.core.registry import Page, register
from netdept.core.tabs import Tab, register_tab, related_tab
from netdept.duties.models import Pack, PackItem
from netdept.duties.packs.coverage import coverage

VIEW_PACK = "duties.view_pack"

register(
    Page(
        model=Pack,
        nav_group="duties",
        nav_order=90,
        icon="bi-box-seam",
        slug="packs",
        api_name="packs",
        fields=[],
        columns=["name", "title", "version", "loaded_at", "loaded_by"],
        detail_fields=["name", "title", "version", "description", "loaded_at", "loaded_by"],
        filters=["name", "version"],
        search=["name", "title", "description"],
        select_related=["loaded_by"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
    )
)
register(
    Page(
        model=PackItem,
        nav_group="duties",
        nav_order=91,
        icon="bi-boxes",
        slug="pack-items",
        api_name="pack-items",
        fields=[],
        columns=["pack", "key", "target_type", "target_id", "loaded_version", "kept_edit"],
        filters=["pack", "target_type", "kept_edit", "loaded_version"],
        search=["key"],
        select_related=["pack", "target_type"],
        can_add=False,
        can_change=False,
        can_delete=False,
        importable=False,
        home_card=False,
    )
)


def _coverage_tab(request: HttpRequest, pack: Pack) -> str:
    return render_to_string(
        "duties/packs/_coverage_summary.html",
        {"pack": pack, "cov": coverage(pack)},
        request=request,
    )


register_tab(
    Pack,
    Tab(
        key="coverage",
        label=_("Coverage"),
        view=_coverage_tab,
        permission=VIEW_PACK,
        order=10,
        icon="bi-ui-checks",
    ),
)
register_tab(
    Pack,
    related_tab(
        "items",
        _("Objects written"),
        PackItem,
        "pack",
        ["key", "target_type", "target_id", "loaded_version", "kept_edit"],
        order=20,
        ordering=["key"],
    ),
)
