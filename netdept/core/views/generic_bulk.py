"""Bulk edit and bulk delete of a ``Page``: the engine (shared with the API) and the views.

All or nothing. The rows are chosen by pk (the list's checkboxes) or as "all matching the
filter" (up to ``page.bulk_cap``). A chosen row the user cannot see counts as not existing
(``RowsMissing``: 404); a visible row the user may not change or delete refuses the whole
action (``RowsRefused``: 403, each refusal audited). Then every row goes through the model's
service (``update`` / ``delete``: its rules, its audit record) inside one transaction; when any
row fails, nothing is saved and every failing row is named with its field and message
(``BulkFailed``)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Field
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netdept.core import audit, permissions, services
from netdept.core.display import field_label
from netdept.core.models.audit import AuditAction
from netdept.core.registry import Page
from netdept.core.views.generic import (
    ObjectListView,
    PageView,
    form_class_for,
    redirect,
    restrict_choices,
)

PREVIEW_ROWS = 20
MAX_ID = 2**63 - 1  # the largest id a database column holds
MAX_ERRORS = 50


# --- the engine --------------------------------------------------------------------------------
@dataclass
class RowError:
    pk: Any
    row: str  # the row as text
    field: str | None  # the field name (None: the row as a whole)
    label: str  # the field's label ("" for the row)
    messages: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.pk, "row": self.row, "field": self.field, "messages": self.messages}


class BulkError(Exception):
    """A bulk action that changed nothing."""


class RowsMissing(BulkError):
    def __init__(self, pks: Sequence[Any]) -> None:
        super().__init__(pks)
        self.pks = list(pks)


class RowsRefused(BulkError):
    def __init__(self, objs: Sequence[Any]) -> None:
        super().__init__(objs)
        self.objs = list(objs)


class TooMany(BulkError):
    def __init__(self, cap: int) -> None:
        super().__init__(cap)
        self.cap = cap


class BulkFailed(BulkError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


def clean_ids(raw: Iterable[Any]) -> list[int]:
    """Whole numbers from 1 (text or int); anything else raises ValueError."""
    ids: list[int] = []
    for value in raw:
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            if not (text.isascii() and text.isdecimal() and len(text) <= 19):
                raise ValueError(value)
            number = int(text)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)
        if number not in ids:
            ids.append(number)
    return ids


def rows_for(page: Page, user: Any, ids: Sequence[int], action: str) -> list[Any]:
    """The rows ``ids`` for ``action`` ("change" or "delete"): raises RowsMissing for ids not
    visible (not existing, or out of the user's view), RowsRefused (audited) for visible rows
    the user may not ``action``, TooMany beyond ``page.bulk_cap``."""
    services.require(user, action, page.model)
    if len(ids) > page.bulk_cap:
        raise TooMany(page.bulk_cap)
    seen = permissions.restrict(page.queryset(), user, "view").filter(pk__in=ids)
    objs = list(seen)
    found = {o.pk for o in objs}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise RowsMissing(missing)
    allowed = set(
        permissions.restrict(
            page.model._default_manager.filter(pk__in=found), user, action
        ).values_list("pk", flat=True)
    )
    refused = [o for o in objs if o.pk not in allowed]
    if refused:
        perm = permissions.perm_name(page.model, action)
        for obj in refused[:MAX_ERRORS]:
            audit.record(AuditAction.DENIED, obj, actor=user, extra={"permission": perm})
        raise RowsRefused(refused)
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(objs, key=lambda o: order.get(o.pk, 0))


def _errors(page: Page, obj: Any, exc: ValidationError) -> list[RowError]:
    row = str(obj)
    if hasattr(exc, "error_dict"):
        return [
            RowError(
                obj.pk,
                row,
                None if name == "__all__" else name,
                "" if name == "__all__" else field_label(page.model, name),
                [str(m) for m in ValidationError(errs).messages],
            )
            for name, errs in exc.error_dict.items()
        ]
    return [RowError(obj.pk, row, None, "", [str(m) for m in exc.messages])]


def bulk_update(
    page: Page,
    user: Any,
    objs: Sequence[Any],
    changes: dict[str, Any] | Callable[[Any], dict[str, Any]],
) -> int:
    """Apply ``changes`` (or ``changes(obj)``, per row) to every row through the service, all
    or nothing."""
    service = page.service
    assert service is not None
    errors: list[RowError] = []
    with transaction.atomic():
        for obj in objs:
            fresh = page.model._default_manager.get(pk=obj.pk)
            try:
                data = changes(obj) if callable(changes) else changes
                service.update(user, fresh, dict(data))
            except ValidationError as exc:
                errors += _errors(page, obj, exc)
            except PermissionDenied:
                raise RowsRefused([obj]) from None
            if len(errors) >= MAX_ERRORS:
                break
        if errors:
            raise BulkFailed(errors)  # leaves the atomic block: nothing is saved
    return len(objs)


def bulk_delete(page: Page, user: Any, objs: Sequence[Any]) -> int:
    """Delete every row through the service, all or nothing."""
    service = page.service
    assert service is not None
    errors: list[RowError] = []
    with transaction.atomic():
        for obj in objs:
            try:
                service.delete(user, obj)
            except ValidationError as exc:
                errors += _errors(page, obj, exc)
            except PermissionDenied:
                raise RowsRefused([obj]) from None
            if len(errors) >= MAX_ERRORS:
                break
        if errors:
            raise BulkFailed(errors)
    return len(objs)


def bulk_form_class(page: Page) -> type[BulkForm]:
    """A form of the page's bulk fields, each with a "change" tick: an unticked field is
    left unchanged (and not validated)."""
    base = form_class_for(page)
    fields: dict[str, forms.Field] = {}
    for name in page.bulk_fields or []:
        if name in base.base_fields:
            field = copy.deepcopy(base.base_fields[name])
        else:
            model_field = page.model._meta.get_field(name)
            made = model_field.formfield() if isinstance(model_field, Field) else None
            if made is None:
                continue
            field = made
        fields[name] = field
    return type(f"{page.model.__name__}BulkForm", (BulkForm,), {"bulk_fields": fields})


class BulkForm(forms.Form):
    bulk_fields: ClassVar[dict[str, forms.Field]] = {}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else QueryDict()
        if self.is_bound:  # an unticked field is left unchanged: its value is not even read
            kept = QueryDict(mutable=True)
            for key in data:
                kept.setlist(key, data.getlist(key) if hasattr(data, "getlist") else [data[key]])
            for name in self.bulk_fields:
                if not data.get(f"change_{name}"):
                    kept.pop(name, None)
            self.data = kept
        for name, field in self.bulk_fields.items():
            self.fields[f"change_{name}"] = forms.BooleanField(
                required=False, label=_("Change %(field)s") % {"field": field.label or name}
            )
            f = copy.deepcopy(field)
            if not data.get(f"change_{name}"):
                f.required = False
            self.fields[name] = f
        restrict_choices(self, user)

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"change_{n}"], self[n]) for n in self.bulk_fields]

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and not self.changes_asked():
            self.add_error(None, _("Tick at least one field to change."))

    def changes_asked(self) -> list[str]:
        return [n for n in self.bulk_fields if self.data.get(f"change_{n}")]

    def changes(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in self.changes_asked() if n in self.cleaned_data}


# --- the views ---------------------------------------------------------------------------------
class BulkView(PageView):
    """Shared by bulk edit and bulk delete: POST only; the selection is ``pk`` (repeated) or
    ``select_all`` with ``filter_query`` (the list's query string)."""

    action = "change"
    http_method_names = ["post", "options"]
    list_view_class: type[ObjectListView] = ObjectListView

    def selection_ids(self) -> list[int]:
        post = self.request.POST
        if post.get("select_all"):
            query = QueryDict(post.get("filter_query", "")[:4000])
            lister = self.list_view_class(page=self.page)
            fake = HttpRequest()
            fake.GET = query
            fake.user = self.user
            fake.session = self.request.session
            lister.setup(fake)
            qs = lister.filter_queryset(lister.get_queryset())
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[: self.page.bulk_cap + 1])
            if len(ids) > self.page.bulk_cap:
                raise TooMany(self.page.bulk_cap)
            return ids
        try:
            return clean_ids(post.getlist("pk"))
        except ValueError:
            raise RowsMissing(post.getlist("pk")) from None

    def selection_context(self, ids: list[int], objs: list[Any]) -> dict[str, Any]:
        post = self.request.POST
        return {
            **self.base_context(),
            "ids": ids,
            "count": len(objs),
            "preview": objs[:PREVIEW_ROWS],
            "more": max(0, len(objs) - PREVIEW_ROWS),
            "select_all": bool(post.get("select_all")),
            "filter_query": post.get("filter_query", ""),
            "list_url": reverse(self.page.url_name("list"))
            + (f"?{post.get('filter_query')}" if post.get("filter_query") else ""),
        }

    def refusal(self, exc: BulkError) -> HttpResponse:
        if isinstance(exc, RowsMissing):
            text, status = (
                _(
                    "Some of the selected rows do not exist (any more) or are not visible to "
                    "you; nothing was changed."
                ),
                404,
            )
        elif isinstance(exc, TooMany):
            text, status = (
                _("More than %(cap)s rows are selected; narrow the filter. Nothing was changed.")
                % {"cap": exc.cap},
                400,
            )
        elif isinstance(exc, RowsRefused):
            names = "、".join(str(o) for o in exc.objs[:5])
            text, status = (
                ngettext(
                    "You may not change %(count)s of the selected rows (%(rows)s); "
                    "nothing was changed.",
                    "You may not change %(count)s of the selected rows (%(rows)s); "
                    "nothing was changed.",
                    len(exc.objs),
                )
                % {"count": len(exc.objs), "rows": names},
                403,
            )
        else:
            text, status = _("Nothing was selected."), 400
        ctx = {
            **self.base_context(),
            "refusal": text,
            "list_url": reverse(self.page.url_name("list")),
        }
        return render_bulk(self.request, "core/bulk_refused.html", ctx, status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        allowed = self.page.can_delete
        if self.action == "change":
            allowed = self.page.can_change and bool(self.page.bulk_fields)
        if not allowed:
            raise Http404
        try:
            ids = self.selection_ids()
            if not ids:
                return self.refusal(BulkError())
            objs = rows_for(self.page, self.user, ids, self.action)
        except BulkError as exc:
            return self.refusal(exc)
        return self.handle(ids, objs)

    def handle(self, ids: list[int], objs: list[Any]) -> HttpResponse:
        raise NotImplementedError


def render_bulk(
    request: HttpRequest, template: str, ctx: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, ctx, status=status)


class BulkEditView(BulkView):
    template_name = "core/bulk_edit.html"
    action = "change"

    def get_form_class(self) -> type[BulkForm]:
        return bulk_form_class(self.page)

    def apply(self, objs: list[Any], changes: dict[str, Any]) -> int:
        return bulk_update(self.page, self.user, objs, changes)

    def handle(self, ids: list[int], objs: list[Any]) -> HttpResponse:
        post = self.request.POST
        applying = bool(post.get("_apply"))
        form = self.get_form_class()(post if applying else None, user=self.user)
        row_errors: list[RowError] = []
        status = 200
        if applying:
            if form.is_valid():
                try:
                    count = self.apply(objs, form.changes())
                except BulkFailed as exc:
                    row_errors = exc.errors
                except RowsRefused as exc:
                    return self.refusal(exc)
                else:
                    messages.success(
                        self.request,
                        ngettext(
                            "%(count)s row was changed.", "%(count)s rows were changed.", count
                        )
                        % {"count": count},
                    )
                    return redirect(self.request, self.selection_context(ids, objs)["list_url"])
            status = 422
        ctx = {
            **self.selection_context(ids, objs),
            "form": form,
            "row_errors": row_errors,
            **self.get_extra_context(form=form, objs=objs),
        }
        return render_bulk(self.request, self.template_name, ctx, status)


class BulkDeleteView(BulkView):
    template_name = "core/bulk_delete.html"
    action = "delete"

    def apply(self, objs: list[Any]) -> int:
        return bulk_delete(self.page, self.user, objs)

    def handle(self, ids: list[int], objs: list[Any]) -> HttpResponse:
        row_errors: list[RowError] = []
        status = 200
        if self.request.POST.get("_apply"):
            try:
                count = self.apply(objs)
            except BulkFailed as exc:
                row_errors, status = exc.errors, 422
            except RowsRefused as exc:
                return self.refusal(exc)
            else:
                messages.success(
                    self.request,
                    ngettext("%(count)s row was deleted.", "%(count)s rows were deleted.", count)
                    % {"count": count},
                )
                return redirect(self.request, self.selection_context(ids, objs)["list_url"])
        ctx = {
            **self.selection_context(ids, objs),
            "row_errors": row_errors,
            **self.get_extra_context(objs=objs),
        }
        return render_bulk(self.request, self.template_name, ctx, status)


def model_changes_allowed(page: Page, names: Iterable[str]) -> list[str]:
    """The names that are not bulk fields of the page."""
    allowed = set(page.bulk_fields or [])
    return [n for n in names if n not in allowed]


__all__ = [
    "BulkDeleteView",
    "BulkEditView",
    "BulkError",
    "BulkFailed",
    "BulkForm",
    "RowError",
    "RowsMissing",
    "RowsRefused",
    "TooMany",
    "bulk_delete",
    "bulk_form_class",
    "bulk_update",
    "clean_ids",
    "rows_for",
]
