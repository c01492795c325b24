"""The global search: the top bar's type-ahead and the search page (``netdept.core.search``).

* ``/search/?q=…`` — the page: every group of hits, a "Show all" link to each list; a number
  pasted in full (``WO-20261201-0003``) redirects to its object.
* the same address asked by htmx from the top bar (``HX-Target: nd-search-popup``) — the
  type-ahead: the first hits of each group as a list box the keyboard walks
  (``static/netdept/search.js``); the page's own form asks for the page's results
  (``HX-Target: search-results``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from netdept.core import search
from netdept.core.http import HtmxHttpRequest

POPUP = "nd-search-popup"  # the type-ahead's element in core/_topbar_search.html
RESULTS = "search-results"  # the page's results (core/_search_results.html)


@require_safe
@login_required
def search_view(request: HtmxHttpRequest) -> HttpResponse:
    popup = bool(request.htmx) and request.htmx.target == POPUP
    limit = search.TYPEAHEAD_LIMIT if popup else search.PAGE_LIMIT
    result = search.run(request.GET.get("q", ""), request.user, limit=limit)
    if result.exact is not None and not request.htmx and request.GET.get("go") != "0":
        return HttpResponseRedirect(result.exact.url)
    context = {"q": result.query.text, "result": result, "popup": popup}
    if popup:
        return render(request, "core/_search_popup.html", context)
    if request.htmx and request.htmx.target == RESULTS:
        return render(request, "core/_search_results.html", context)
    return render(request, "core/search.html", context)
