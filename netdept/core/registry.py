"""One declaration per model gives it list, detail, create, edit, delete, export and history
pages, the matching REST endpoints, filters shared by both, and a navigation entry.

    register(Page(model=Team, fields=[...], columns=[...], filters=[...], nav_group="org"))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from netdept.core import permissions
from netdept.core.models.base import is_config
from netdept.core.services import ModelService, register_service, service_for


@dataclass
class NavGroup:
    key: str
    label: str | Promise
    icon: str
    order: int


NAV_GROUPS: dict[str, NavGroup] = {}


def nav_group(key: str, label: str | Promise, icon: str, order: int) -> None:
    NAV_GROUPS[key] = NavGroup(key, label, icon, order)


nav_group("org", _("Organisation"), "bi-diagram-3", 80)
nav_group("system", _("System"), "bi-gear", 90)


@dataclass
class Page:
    model: type[models.Model]
    fields: list[str]
    columns: list[str]
    default_columns: list[str] | None = None
    filters: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    ordering: list[str] | None = None
    select_related: list[str] = field(default_factory=list)
    prefetch_related: list[str] = field(default_factory=list)
    detail_fields: list[str] | None = None
    nav_group: str = "org"
    nav_order: int = 50
    icon: str = "bi-list"
    slug: str = ""
    api_name: str = ""  # the plural in /api/v1/<app>/<api_name>/; derived from the slug
    form_class: type | None = None
    serializer_class: type | None = None
    service: ModelService[Any] | None = None
    can_add: bool = True
    can_change: bool = True
    can_delete: bool = True
    api: bool = True
    ui: bool = True
    extra_detail: Callable[..., dict[str, Any]] | None = None
    filterset_class: type[django_filters.FilterSet] | None = None
    # --- the generic stack (netdept.core.views.generic) --------------------------------------
    machine: Any = None  # a netdept.core.machines.Machine: transition buttons, forms, API
    bulk_fields: list[str] | None = None  # None: the editable non-unique simple fields
    # Excel/CSV import with preview: None lets netdept.core.importing.importable decide
    importable: bool | None = None
    tabs: list[Any] = field(default_factory=list)  # netdept.core.tabs.Tab, besides registered
    per_page: int = 25
    count_cap: int = 10_000
    bulk_cap: int = 1_000  # rows one bulk action may change ("all matching" up to this)
    list_view_class: type | None = None
    detail_view_class: type | None = None
    edit_view_class: type | None = None
    delete_view_class: type | None = None
    bulk_edit_view_class: type | None = None
    bulk_delete_view_class: type | None = None
    export_view_class: type | None = None
    history_view_class: type | None = None
    tab_view_class: type | None = None
    #: a count card on the home page of those who write its rows ("lists you maintain"); off
    #: for a page everyone writes their own rows of (each person's delegations)
    home_card: bool = True
    #: an entry in the navigation; off for a page of parts reached from their whole (a
    #: meeting's attendees, a log's entries, a project's stages): its list still exists
    in_nav: bool = True

    def __post_init__(self) -> None:
        meta = self.model._meta
        self.slug = self.slug or str(meta.model_name)
        self.api_name = self.api_name or plural(self.slug)
        if self.default_columns is None:
            self.default_columns = list(self.columns)
        if self.detail_fields is None:
            self.detail_fields = list(self.fields)
        if self.service is None:
            self.service = service_for(self.model)
        else:
            register_service(self.model, self.service)
        if self.filterset_class is None:
            self.filterset_class = build_filterset(self)
        if self.bulk_fields is None:
            self.bulk_fields = default_bulk_fields(self)
        else:
            for name in self.bulk_fields:
                self.model._meta.get_field(name)  # a typo fails at start-up, not on a page

    # The names the issue uses for the same things.
    @property
    def form(self) -> type | None:
        return self.form_class

    @property
    def serializer(self) -> type | None:
        return self.serializer_class

    @property
    def filterset(self) -> type[django_filters.FilterSet] | None:
        return self.filterset_class

    @property
    def table_columns(self) -> list[str]:
        return self.columns

    @property
    def app_label(self) -> str:
        return str(self.model._meta.app_label)

    @property
    def label(self) -> str:
        return str(self.model._meta.label_lower)

    @property
    def is_config(self) -> bool:
        """The model is configuration (``record_kind = "config"``), not work."""
        return is_config(self.model)

    @property
    def verbose_name(self) -> Any:
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self) -> Any:
        return self.model._meta.verbose_name_plural

    def url_name(self, view: str) -> str:
        return f"{self.app_label}:{self.slug}_{view}"

    def queryset(self) -> models.QuerySet[Any]:
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        if self.ordering:
            qs = qs.order_by(*self.ordering)
        elif not qs.ordered:
            qs = qs.order_by("pk")  # stable pages for models without a default ordering
        return qs


def default_bulk_fields(page: Page) -> list[str]:
    """The fields a bulk edit offers unless the page names them: of the page's editable
    fields, the simple ones (choices, booleans, links to one row, dates), never unique ones."""
    names: list[str] = []
    for name in page.fields:
        try:
            f = page.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a form-only field
        if not isinstance(f, models.Field) or not f.editable or f.primary_key:
            continue
        if f.unique or f.many_to_many:
            continue
        meta = page.model._meta
        together: list[Any] = [*meta.unique_together]
        together += [c.fields for c in meta.constraints if isinstance(c, models.UniqueConstraint)]
        if any(name in group for group in together):
            continue
        simple = (
            bool(f.choices)
            or isinstance(f, models.BooleanField | models.DateField)
            or (isinstance(f, models.ForeignKey) and not isinstance(f, models.OneToOneField))
        )
        if simple:
            names.append(name)
    return names


def plural(word: str) -> str:
    """English plural of a slug: category → categories, delivery → deliveries, team → teams."""
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose choice lists of related rows (a department, a team, a person…) hold
    only the rows the requesting user may see, on the pages and in the API alike: no list of
    everyone, and an id the user may not see is refused exactly like one that does not exist
    (the same 400 "select a valid choice"), so a filter is no existence oracle. Without a
    request (no user) the lists are empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for f in self.filters.values():
            # A form field built on the class's own filter (the OpenAPI schema reads
            # ``filter.field``) was copied here with what held then: no label (the field's name,
            # in English, on every page after) and every row. Each filter set builds its own.
            f.__dict__.pop("_field", None)
            qs = getattr(f, "queryset", None)
            if (
                isinstance(f, django_filters.filters.QuerySetRequestMixin)
                and isinstance(qs, models.QuerySet)
                and page_for(qs.model) is not None
            ):
                f.queryset = qs.none() if user is None else permissions.restrict(qs, user, "view")
            elif (
                isinstance(qs, models.QuerySet)
                and qs.model._meta.label == "contenttypes.ContentType"
            ):
                f.queryset = own_content_types()  # a kind of record: NetDept's, not Django's


def own_content_types() -> models.QuerySet[Any]:
    """The content types of NetDept's own models (a "kind of record" to choose), not those of
    the kernel's internal tables or of Django and the libraries."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from netdept.core.models.base import BaseModel

    own = [m for m in apps.get_models() if issubclass(m, BaseModel)]
    ids = [ct.pk for ct in ContentType.objects.get_for_models(*own).values()]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


def build_filterset(page: Page) -> type[django_filters.FilterSet]:
    search_fields = list(page.search)

    def search(queryset: models.QuerySet[Any], name: str, value: str) -> models.QuerySet[Any]:
        if not value or not search_fields:
            return queryset
        q = Q()
        for f in search_fields:
            q |= Q(**{f"{f}__icontains": value})
        return queryset.filter(q)

    filter_fields: dict[str, list[str]] = {}
    declared: dict[str, Any] = {}
    for name in page.filters:
        f = page.model._meta.get_field(name)
        if isinstance(f, models.BooleanField):
            declared[name] = django_filters.BooleanFilter(
                field_name=name,
                label=f.verbose_name,
                widget=forms.Select(
                    choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]
                ),
            )
        elif isinstance(f, models.CharField | models.TextField) and not f.choices:
            filter_fields[name] = ["exact", "icontains"]
        elif isinstance(f, models.DateField | models.DateTimeField | models.IntegerField):
            filter_fields[name] = ["exact", "gte", "lte"]
        else:
            filter_fields[name] = ["exact"]

    meta = type("Meta", (), {"model": page.model, "fields": filter_fields})
    attrs: dict[str, Any] = {
        "Meta": meta,
        "q": django_filters.CharFilter(method=search, label=_("Search")),
        **declared,
    }
    return type(f"{page.model.__name__}FilterSet", (ScopedFilterSet,), attrs)


PAGES: dict[str, Page] = {}


def register(page: Page) -> Page:
    PAGES[page.label] = page
    return page


def page_for(model: type[models.Model] | models.Model) -> Page | None:
    return PAGES.get(model._meta.label_lower)


def pages_of(app_label: str) -> list[Page]:
    return [p for p in PAGES.values() if p.app_label == app_label]
