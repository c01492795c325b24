"""The regulations register's own pages (the rest are the generic pages of its ``Page``s):

- import: upload (.txt / .docx) or paste a site's regulation text, see it split into articles
  (preview: nothing saved), confirm → a new draft version with those articles;
- read: a version's text with the "确认已阅读" button (phone-first: the link of the
  notification opens it);
- readers: who has and who has not confirmed reading a version.

Thin: the changes are ``services.regulations``'.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from netdept.core import permissions
from netdept.core.registry import page_for
from netdept.duties import importer
from netdept.duties.forms_regulations import ImportForm
from netdept.duties.models import Article, ReadConfirmation, RegulationVersion, VersionStatus
from netdept.duties.services import regulations as services


def version_url(version: RegulationVersion) -> str:
    page = page_for(RegulationVersion)
    assert page is not None
    return reverse(page.url_name("detail"), args=[version.pk])


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    services.require(request.user, "add", RegulationVersion)  # a denial is audited: 403
    services.require(request.user, "add", Article)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    ctx: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = data["source"]
        parsed = importer.split_text(source)
        if request.POST.get("confirm") == "1":
            try:
                version = services.create_version_from_import(
                    request.user,
                    regulation=data["regulation"],
                    label=data["label"],
                    parsed=parsed,
                    source_text=source,
                    effective_date=data.get("effective_date"),
                    keep_preamble=bool(data.get("keep_preamble")),
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                return redirect(version_url(version))
        ctx.update({"parsed": parsed, "source": source, "preview": True})
    return render(request, "duties/regulations/import.html", ctx)


def _visible_version(request: HttpRequest, pk: int) -> RegulationVersion:
    version = RegulationVersion.objects.select_related("regulation").filter(pk=pk).first()
    if version is None:
        raise Http404
    person = services.person_of(request.user)
    asked = person is not None and version.confirmations.filter(person=person).exists()
    if (
        asked
        or permissions.restrict(
            RegulationVersion.objects.filter(pk=pk), request.user, "view"
        ).exists()
    ):
        return version
    if (
        person is not None
        and version.status == VersionStatus.EFFECTIVE
        and (services.people_concerned(version).filter(pk=person.pk).exists())
    ):
        return version
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def read_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = _visible_version(request, pk)
    person = services.person_of(request.user)
    error = ""
    if request.method == "POST":
        try:
            services.confirm_read(request.user, version)
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        else:
            return redirect(reverse("duties:regulations_read", args=[pk]) + "?done=1")
    row = (
        ReadConfirmation.objects.filter(version=version, person=person).first()
        if person is not None
        else None
    )
    return render(
        request,
        "duties/regulations/read.html",
        {
            "version": version,
            "articles": list(version.articles.all()[:1000]),
            "row": row,
            "error": error,
            "done": request.GET.get("done") == "1",
            "can_confirm": person is not None and version.status == VersionStatus.EFFECTIVE,
        },
        status=422 if error else 200,
    )


@login_required
@require_safe
def readers_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = RegulationVersion.objects.select_related("regulation").filter(pk=pk).first()
    if version is None:
        raise Http404
    services.require(request.user, "view", ReadConfirmation)
    rows = permissions.restrict(
        version.confirmations.select_related("person", "person__department", "person__team"),
        request.user,
        "view",
    ).order_by("confirmed_at", "person__name")
    confirmed = [r for r in rows if r.confirmed_at is not None]
    waiting = [r for r in rows if r.confirmed_at is None]
    return render(
        request,
        "duties/regulations/readers.html",
        {
            "version": version,
            "confirmed": confirmed,
            "waiting": waiting,
            "version_url": version_url(version),
            "title": _("Read confirmations"),
        },
    )
