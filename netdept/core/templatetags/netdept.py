from __future__ import annotations

from typing import Any

from django import forms, template

from netdept.core import display

register = template.Library()


@register.simple_tag
def list_separator() -> str:
    """ "、" on a Chinese page, ", " on an English one (between the items of a list)."""
    return display.list_separator()


@register.filter
def listed(items: Any) -> str:
    """``{{ roles|listed }}``: the items listed the way the page's language lists them."""
    return display.joined(items or ())


@register.filter
def bs(field: Any) -> Any:
    """Render a bound field with Bootstrap classes and error state."""
    widget = field.field.widget
    css = widget.attrs.get("class", "")
    if isinstance(widget, forms.CheckboxInput):
        cls = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
        widget, forms.CheckboxSelectMultiple
    ):
        cls = "form-select"
    elif isinstance(widget, forms.CheckboxSelectMultiple):
        cls = ""
    else:
        cls = "form-control"
    if field.errors:
        cls += " is-invalid"
    attrs = {"class": f"{css} {cls}".strip()}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: Any) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multicheck(field: Any) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


@register.simple_tag(takes_context=True)
def sort_url(context: Any, column: str) -> str:
    current = context.get("sort", "")
    query = context.get("query", "")
    new = f"-{column}" if current == column else column
    sep = "&" if query else ""
    return f"?{query}{sep}sort={new}"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
