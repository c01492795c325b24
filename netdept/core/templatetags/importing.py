"""``{% import_url page as url %}``: the page's import URL when the user may import, else ""."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from netdept.core import importing

register = template.Library()


@register.simple_tag(takes_context=True)
def import_url(context: template.Context, page: Any) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if page is None or user is None or not importing.importable(page):
        return ""
    if not importing.importer_for(page).may_import(user):
        return ""
    try:
        return reverse(page.url_name("import"))
    except NoReverseMatch:
        return ""
