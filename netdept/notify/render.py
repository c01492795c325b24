"""Rendering of notification templates, and their check at save time.

Templates are Django templates in a sandbox-like engine: no template libraries, no includes,
no auto-escaping (the output is plain text / markdown; the HTML of emails is built from it
with escaping). ``check()`` compiles a template and walks its nodes so that a variable the
event kind does not provide is refused when an administrator saves the template, not when
the event happens at 2 a.m.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Engine, Node, NodeList, TemplateSyntaxError
from django.template.base import FilterExpression, Variable, VariableNode
from django.template.defaulttags import ForNode, IfNode, WithNode
from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from netdept.notify.kinds import EventKind  # type only

logger = logging.getLogger(__name__)

_ENGINE = Engine(autoescape=False, libraries={}, builtins=None, debug=False)
TITLE_MAX = 300


def base_url() -> str:
    return str(settings.NETDEPT.get("BASE_URL") or "http://127.0.0.1:8000").rstrip("/")


def absolute(link: str) -> str:
    """``link`` as an absolute URL (relative links are joined to ``NETDEPT["BASE_URL"]``)."""
    if not link:
        return ""
    if link.startswith(("http://", "https://")):
        return link
    return base_url() + ("" if link.startswith("/") else "/") + link


# --- the check at save time ------------------------------------------------------------------


def _var_names(fe: Any) -> set[str]:
    """Root variable names used by a FilterExpression (its variable and filter arguments)."""
    names: set[str] = set()
    if isinstance(fe, FilterExpression):
        names |= _var_names(fe.var)
        for _func, args in fe.filters:
            for lookup, arg in args:
                if lookup:
                    names |= _var_names(arg)
    elif isinstance(fe, Variable):
        if fe.lookups:
            names.add(fe.lookups[0])
    elif hasattr(fe, "value") and isinstance(fe.value, FilterExpression | Variable):
        names |= _var_names(fe.value)  # a TemplateLiteral of an {% if %} condition
    if hasattr(fe, "first") and fe.first is not None:  # an {% if %} operator
        names |= _var_names(fe.first)
    if hasattr(fe, "second") and fe.second is not None:
        names |= _var_names(fe.second)
    return names


def used_variables(nodelist: NodeList) -> tuple[set[str], set[str]]:
    """(variables read, names the template binds itself: loop and ``with`` variables)."""
    used: set[str] = set()
    bound: set[str] = set()

    def walk(nodes: NodeList | list[Node]) -> None:
        for node in nodes:
            if isinstance(node, ExtendsNode | IncludeNode | BlockNode):
                raise TemplateSyntaxError(
                    _("Notification templates cannot use extends, include or block.")
                )
            if isinstance(node, VariableNode):
                used.update(_var_names(node.filter_expression))
            elif isinstance(node, IfNode):
                for condition, _nodelist in node.conditions_nodelists:
                    if condition is not None:
                        used.update(_var_names(condition))
            elif isinstance(node, ForNode):
                used.update(_var_names(node.sequence))
                bound.update(node.loopvars)
                bound.add("forloop")
            elif isinstance(node, WithNode):
                for value in node.extra_context.values():
                    used.update(_var_names(value))
                bound.update(node.extra_context)
            else:  # other tags (cycle, firstof, now, filter, …): their expressions
                for attr in ("filter_expression", "var", "target", "expression"):
                    value = getattr(node, attr, None)
                    if isinstance(value, FilterExpression):
                        used.update(_var_names(value))
                for attr in ("vars", "cyclevars"):
                    for value in getattr(node, attr, None) or []:
                        if isinstance(value, FilterExpression):
                            used.update(_var_names(value))
            for attr in node.child_nodelists:
                child = getattr(node, attr, None)
                if child:
                    walk(child)
            if isinstance(node, IfNode):
                for _condition, nodelist in node.conditions_nodelists:
                    walk(nodelist)

    walk(nodelist)
    return used, bound


def check(text: str, kind: EventKind, field: str, language: str = "") -> None:
    """Raise ValidationError ``{field: …}`` if ``text`` does not compile or reads a variable
    that ``kind`` does not declare."""
    try:
        template = _ENGINE.from_string(text)
        used, bound = used_variables(template.nodelist)
    except TemplateSyntaxError as exc:
        raise ValidationError(
            {field: _("The template does not compile: %(error)s") % {"error": exc}}
        ) from exc
    unknown = sorted(used - bound - kind.allowed_variables)
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown variable(s) %(unknown)s. This event kind provides: %(known)s.")
                % {
                    "unknown": ", ".join(unknown),
                    "known": ", ".join(sorted(kind.allowed_variables)),
                }
            }
        )


# --- rendering -------------------------------------------------------------------------------


@dataclass
class Rendered:
    title: str
    text: str
    markdown: str
    html: str
    url: str


def _render(text: str, context: dict[str, Any]) -> str:
    return _ENGINE.from_string(text).render(Context(context, autoescape=False))


def _wording(kind: EventKind, language: str) -> tuple[str, str]:
    """Subject and body templates for ``language``: an administrator's override wins."""
    # The package (and kinds, and this) is imported while the app registry loads: no models yet.
    from netdept.notify.models import NotificationTemplate  # no models at import (above)

    override = NotificationTemplate.objects.filter(kind=kind.code, language=language).first()
    if override is not None:
        return override.subject, override.body
    fallback = settings.LANGUAGE_CODE
    subject = kind.subject.get(language) or kind.subject.get(fallback) or kind.code
    body = kind.body.get(language) or kind.body.get(fallback) or ""
    return subject, body


def render(
    kind: EventKind,
    language: str,
    *,
    data: dict[str, Any],
    obj: Any = None,
    link: str = "",
    severity: str = "info",
) -> Rendered:
    """The message of one event in one language, as title, text, markdown and HTML."""
    url = absolute(link)
    context = {**data, "obj": obj, "link": url, "severity": severity, "kind": kind.code}
    subject_t, body_t = _wording(kind, language)
    try:
        title = _render(subject_t, context)
        text = _render(body_t, context)
    except Exception:  # a broken override must not lose the event: use the code's wording
        logger.exception("Template of %s (%s) failed; using the default.", kind.code, language)
        title = _render(kind.subject.get(language) or kind.code, context)
        text = _render(kind.body.get(language) or "", context)
    title = " ".join(title.split())[:TITLE_MAX] or kind.code
    text = text.strip()
    markdown = f"### {title}\n\n{text}"
    link_label = _("Open in NetDept")
    if url:
        markdown += f"\n\n[{link_label}]({url})"
    body_html = "<br>\n".join(html.escape(line) for line in text.splitlines())
    page = f"<h3>{html.escape(title)}</h3>\n<p>{body_html}</p>"
    if url:
        page += f'\n<p><a href="{html.escape(url)}">{html.escape(link_label)}</a></p>'
    return Rendered(title=title, text=text, markdown=markdown, html=page, url=url)
