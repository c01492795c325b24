"""The root URLconf: the kernel's own pages, the API, and every installed app's URLs.

Apps register their URLs on their ``AppConfig`` (nothing here names an app):

    class InventoryConfig(AppConfig):
        url_prefix = "inventory"            # default: the app label ("auth": "system")
        urls = "netdept.inventory.urls"     # its own views, in the app's namespace (default:
                                            # the app's ``urls`` module if it has one)
        extra_urls = (("import/", "netdept.inventory.urls_import"),)  # optional: own namespaces

The app's namespace (its label) holds its ``urls`` module's patterns followed by the generated
pages of its ``Page`` declarations (``urls_for``) — unless that module already places them
itself (to put them before a catch-all path), which is detected by their names.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog

from netdept.accounts import views as accounts
from netdept.accounts import views_security as security
from netdept.core.registry import PAGES
from netdept.core.views import audit as audit_views
from netdept.core.views import pages
from netdept.core.views import search as search_views
from netdept.core.views.crud import urls_for

DEFAULT_PREFIXES = {"auth": "system"}  # apps that are not ours


def page_urlpatterns(app_label: str) -> list[URLPattern]:
    """The generated pages of an app (``urls_for`` of each of its UI pages)."""
    patterns: list[URLPattern] = []
    for page in PAGES.values():
        if page.app_label == app_label and page.ui:
            patterns += urls_for(page)
    return patterns


PROJECT = __name__.split(".")[0]  # "netdept": only our apps' ``urls`` modules are found alone


def _urls_module(config: AppConfig) -> ModuleType | None:
    declared = getattr(config, "urls", _MISSING)
    if declared is _MISSING:
        if not config.name.startswith(f"{PROJECT}.") or find_spec(f"{config.name}.urls") is None:
            return None
        declared = f"{config.name}.urls"
    if not isinstance(declared, str) or not declared:
        return None
    return import_module(declared)


_MISSING = object()


def _names(patterns: list[Any]) -> set[str]:
    return {p.name for p in patterns if isinstance(p, URLPattern) and p.name}


def app_urlpatterns(config: AppConfig) -> list[URLPattern | URLResolver]:
    """The URL entries of one installed app (empty when it has no pages and no URLs)."""
    label = config.label
    prefix = getattr(config, "url_prefix", None)
    if prefix is None:
        prefix = DEFAULT_PREFIXES.get(label, label)
    prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    result: list[URLPattern | URLResolver] = []
    for sub, dotted in getattr(config, "extra_urls", ()):
        result.append(path(f"{prefix}{sub}", include(dotted)))
    module = _urls_module(config)
    own: list[Any] = list(module.urlpatterns) if module is not None else []
    generated = page_urlpatterns(label)
    if _names(generated) & _names(own):
        generated = []  # the app's module places its pages itself
    if own or generated:
        result.append(path(prefix, include(([*own, *generated], label))))
    return result


urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.home_view, name="home"),
    path("search/", search_views.search_view, name="search"),
    path("audit/", audit_views.audit_list_view, name="audit_list"),
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("accounts/preferences/", accounts.preferences_view, name="preferences"),
    path("accounts/password/", security.password_change_view, name="password_change"),
    path("accounts/2fa/setup/", security.otp_setup_view, name="otp_setup"),
    path("accounts/2fa/verify/", security.otp_verify_view, name="otp_verify"),
    path("accounts/2fa/remove/", security.otp_remove_view, name="otp_remove"),
    path("i18n/setlang/", accounts.set_language_view, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", include("netdept.api.urls")),
]
for _config in apps.get_app_configs():
    if _config.label != "api":  # the API's own URLs are at api/ above
        urlpatterns += app_urlpatterns(_config)

# JSON under /api/, the pages' error pages elsewhere.
handler400 = "netdept.api.errors.bad_request"
handler403 = "netdept.api.errors.permission_denied"
handler404 = "netdept.api.errors.page_not_found"
handler500 = "netdept.api.errors.server_error"

__all__ = ["app_urlpatterns", "page_urlpatterns", "urlpatterns"]
