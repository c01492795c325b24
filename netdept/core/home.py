"""The home page's widgets: each app registers what it contributes, shown only to whom it
concerns.

A widget is declared once (``register_home_widget(HomeWidget(...))``, in the app's ``ready()``)
with a key, an order, a test of who it concerns (``applies(user)``: cheap, permissions and the
user's person only) and a renderer: a template and a function giving its context for the
request. The context function may answer ``None`` when the widget has nothing to say to this
reader (a staff member with no open request of their own sees no "my requests" widget); every
query it makes must be bounded (a constant number of queries, ``LIMIT`` on lists, aggregates on
indexed columns), the home page's query count is a baseline
(``netdept/testing/query_baselines.json``, key ``core home <role>``).

Set-up warnings ("no category yet: nobody can file a work order") come from the apps too:
``register_setup_check(check)``, where ``check(user)`` yields the ``SetupWarning``s the user
can act on (each check tests the permission that fixes it). The kernel's "set-up" widget lists
them for administrators.

The older ``core.views.pages.register_home_alert`` (HTML alerts at the top of the page, e.g. the
working calendar's unknown public holidays) keeps working beside the widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.functional import Promise

logger = logging.getLogger(__name__)

#: widths on a desktop screen: the whole row, half, a third (one column on a phone)
SIZES = {"full": "col-12", "half": "col-12 col-xl-6", "third": "col-12 col-md-6 col-xl-4"}

WidgetContext = Callable[[HttpRequest], "dict[str, Any] | None"]


def everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class HomeWidget:
    """One block of the home page.

    ``applies(user)`` says whom it concerns; ``context(request)`` gives the template's context
    (``None``: nothing to show this time). ``title`` and ``icon`` head the card; ``size`` is
    one of ``SIZES``; ``order`` sorts the widgets (lower first)."""

    key: str
    title: str | Promise
    template: str
    context: WidgetContext
    applies: Callable[[Any], bool] = everyone
    order: int = 100
    icon: str = "bi-grid"
    size: str = "half"

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"home widget {self.key!r}: size must be one of {sorted(SIZES)}")


@dataclass
class Rendered:
    """A widget as the home page shows it."""

    key: str
    title: str
    icon: str
    css: str
    html: str


_widgets: dict[str, HomeWidget] = {}


def register_home_widget(widget: HomeWidget) -> HomeWidget:
    """Add ``widget`` (a widget of the same key is replaced: ``ready()`` may run twice)."""
    _widgets[widget.key] = widget
    return widget


def unregister_home_widget(key: str) -> None:
    _widgets.pop(key, None)


def home_widgets() -> list[HomeWidget]:
    return sorted(_widgets.values(), key=lambda w: (w.order, w.key))


def applicable(user: Any) -> list[HomeWidget]:
    """The widgets that concern ``user``, in their order."""
    return [w for w in home_widgets() if w.applies(user)]


def render_widgets(request: HttpRequest) -> list[Rendered]:
    """The widgets of ``request.user``'s home page, rendered. A widget that fails is logged
    and shown as such: the rest of the page (the reader's other work) stays usable."""
    out = []
    for widget in applicable(request.user):
        try:
            ctx = widget.context(request)
            if ctx is None:
                continue
            html = render_to_string(widget.template, {"widget": widget, **ctx}, request=request)
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("home widget %s failed", widget.key)
            html = render_to_string("core/home/failed.html", request=request)
        out.append(Rendered(widget.key, str(widget.title), widget.icon, SIZES[widget.size], html))
    return out


# --- set-up warnings --------------------------------------------------------------------------
@dataclass(frozen=True)
class SetupWarning:
    """Something to set up before the department can work with NetDept: the sentence, and
    where to fix it."""

    text: str
    url: str = ""
    action: str = ""
    level: str = "warning"  # or "danger", "info"
    key: str = field(default="", compare=False)


SetupCheck = Callable[[Any], Iterable[SetupWarning]]
_setup_checks: list[SetupCheck] = []


def register_setup_check(check: SetupCheck) -> None:
    if check not in _setup_checks:
        _setup_checks.append(check)


def setup_warnings(user: Any) -> list[SetupWarning]:
    """The set-up warnings ``user`` can act on (each check asks the permission that fixes it)."""
    found: list[SetupWarning] = []
    for check in _setup_checks:
        found.extend(check(user))
    return found
