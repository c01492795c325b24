"""The global search (top bar and its page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from netdept.core import permissions
from netdept.core.http import HtmxHttpRequest
from netdept.core.registry import PAGES

SEARCH_LIMIT = 10


@require_safe
@login_required
def search_view(request: HtmxHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    groups = []
    if q:
        for page in PAGES.values():
            if not page.ui or not page.search:
                continue
            if not permissions.has_perm(request.user, permissions.perm_name(page.model, "view")):
                continue
            cond = Q()
            for f in page.search:
                cond |= Q(**{f"{f}__icontains": q})
            qs = permissions.restrict(page.queryset(), request.user, "view").filter(cond)
            hits = list(qs[:SEARCH_LIMIT])
            if hits:
                groups.append(
                    {
                        "page": page,
                        "hits": [
                            (str(o), reverse(page.url_name("detail"), args=[o.pk])) for o in hits
                        ],
                        "more": reverse(page.url_name("list")) + "?q=" + q,
                    }
                )
    template = "core/_search_results.html" if request.htmx else "core/search.html"
    return render(request, template, {"q": q, "groups": groups})
