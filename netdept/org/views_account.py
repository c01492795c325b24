"""The account page: the person behind the login, their roles, the sign-in state (lockout,
second factor) and what the viewer may do about it.

The generic detail view of the account page (``detail_view_class`` of its ``Page``), with a
``POST`` for the security administrator's two actions: unlock the account, reset its second
factor. Both go through ``netdept.accounts.services`` (their permission check, 三员 rule and
audit record); the system administrator's disable / enable stays the generic edit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from netdept.accounts import services as account_services
from netdept.accounts import twofactor
from netdept.accounts.models import SecurityPolicy
from netdept.core import permissions
from netdept.core.views.generic import ObjectDetailView
from netdept.org import services
from netdept.org.models import Person, RoleAssignment

#: the security administrator's actions on the page: POST ``action`` → service
ACTIONS = {
    "unlock": account_services.unlock_account,
    "reset_2fa": account_services.reset_second_factor,
}


def may_manage_signin(user: Any, account: Any) -> bool:
    """Whether ``user`` may unlock ``account`` and reset its second factor (not their own)."""
    perm = permissions.perm_name(SecurityPolicy, account_services.SIGNIN_ADMIN_ACTION)
    return user.pk != account.pk and permissions.has_perm(user, perm)


class AccountDetailView(ObjectDetailView):
    http_method_names = ["get", "post", "head", "options"]

    def get_extra_context(self, **kwargs: Any) -> dict[str, Any]:
        obj = kwargs["obj"]
        person = (
            Person.objects.filter(user=obj).select_related("department", "team", "position").first()
        )
        person_url = None
        if person is not None and permissions.has_perm(self.user, "org.view_person", person):
            person_url = reverse("org:person_detail", args=[person.pk])
        devices = TOTPDevice.objects.filter(user=obj, confirmed=True).count()
        return {
            "detail_template": "org/account_detail.html",
            "account_person": person,
            "account_person_url": person_url,
            "account_roles": list(
                RoleAssignment.objects.filter(user=obj).select_related("role").order_by("pk")
            ),
            "account_privileged": services.is_privileged_account(obj.pk),
            "account_lockout": account_services.lockout_state(obj),
            "account_totp_devices": devices,
            "account_requires_2fa": twofactor.requires_2fa(obj),
            "can_manage_signin": may_manage_signin(self.user, obj),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()  # 404 for an account the user may not see
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            return HttpResponse(status=400)
        try:
            done = action(self.user, obj)  # PermissionDenied (audited) → 403
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if action is account_services.reset_second_factor:
                messages.success(
                    request, _("The second factor is reset: the next sign-in sets up a new one.")
                )
            elif done:
                messages.success(request, _("The account is unlocked: it may sign in again."))
            else:
                messages.info(request, _("The account had no failed sign-ins to forget."))
        return HttpResponseRedirect(request.path)
