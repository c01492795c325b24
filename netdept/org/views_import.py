"""Import departments and people from Excel or CSV: the generic import views
(``netdept.core.views.importing``) bound to the org URLs, and the page that offers both."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from netdept.core.services import require
from netdept.core.views import importing as views
from netdept.org import importer
from netdept.org.models import Person

LIST_URLS = {importer.DEPARTMENTS: "org:department_list", importer.PEOPLE: "org:person_list"}


def site(kind: str) -> views.ImportSite:
    if kind not in importer.KINDS:
        raise Http404
    return views.ImportSite(
        importer.importer(kind),
        {v: f"org_import:{v}" for v in views.VIEWS},
        args=[kind],
        done=reverse(LIST_URLS[kind]),
        crumbs=[(_("Import from Excel"), reverse("org_import:index"))],
    )


@login_required
@require_safe
def index_view(request: HttpRequest) -> HttpResponse:
    kinds = [k for k in importer.KINDS if importer.importer(k).may_import(request.user)]
    if not kinds:
        require(request.user, "add", Person)  # records the denial and raises
    choices = [
        {
            "kind": k,
            "title": importer.importer(k).title,
            "upload_url": reverse("org_import:upload", args=[k]),
            "template_url": reverse("org_import:template", args=[k]),
        }
        for k in kinds
    ]
    return render(request, "org/import/index.html", {"choices": choices})


def _step(name: str) -> Any:
    view = views.STEP_VIEWS[name]

    def step(request: HttpRequest, kind: str) -> HttpResponse:
        return view(request, site(kind))

    step.__name__ = f"{name}_view"
    return login_required(step)


upload_view = _step("upload")
template_view = _step("template")
preview_view = _step("preview")
confirm_view = _step("confirm")
cancel_view = _step("cancel")
