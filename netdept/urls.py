from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog

from netdept.accounts import views as accounts
from netdept.accounts import views_security as security
from netdept.core import urls as core_urls
from netdept.core.registry import PAGES
from netdept.core.views import pages
from netdept.core.views.crud import urls_for


def _app_urls(app_label: str) -> tuple[list[URLPattern | URLResolver], str]:
    patterns: list[URLPattern | URLResolver] = []
    for page in PAGES.values():
        if page.app_label == app_label and page.ui:
            patterns += urls_for(page)
    return patterns, app_label


urlpatterns = [
    path("", pages.home_view, name="home"),
    path("search/", pages.search_view, name="search"),
    path("audit/", pages.audit_list_view, name="audit_list"),
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("accounts/preferences/", accounts.preferences_view, name="preferences"),
    path("accounts/password/", security.password_change_view, name="password_change"),
    path("accounts/2fa/setup/", security.otp_setup_view, name="otp_setup"),
    path("accounts/2fa/verify/", security.otp_verify_view, name="otp_verify"),
    path("accounts/2fa/remove/", security.otp_remove_view, name="otp_remove"),
    path("i18n/setlang/", accounts.set_language_view, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Core URLs and the generated core pages share the one "core" namespace.
    path("core/", include(([*core_urls.urlpatterns, *_app_urls("core")[0]], "core"))),
    # The platform modules register their own URLs (custom views and generated pages).
    path("notify/", include("netdept.notify.urls")),
    path("workcal/", include("netdept.workcal.urls")),
    path("security/", include("netdept.accounts.urls")),
    path("api/", include("netdept.api.urls")),
    path("org/import/", include("netdept.org.urls_import")),
    path("workorders/", include("netdept.workorders.urls")),
]
_OWN_URLS = {"core", "workorders", "notify", "workcal", "accounts"}
for label in sorted({p.app_label for p in PAGES.values() if p.ui} - _OWN_URLS):
    if label == "auth":
        urlpatterns.append(path("system/", include(_app_urls(label), namespace=label)))
    else:
        urlpatterns.append(path(f"{label}/", include(_app_urls(label), namespace=label)))

# JSON under /api/, the pages' error pages elsewhere.
handler400 = "netdept.api.errors.bad_request"
handler403 = "netdept.api.errors.permission_denied"
handler404 = "netdept.api.errors.page_not_found"
handler500 = "netdept.api.errors.server_error"
