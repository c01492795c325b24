"""The API asks the same permission engine as the UI, per method and per object."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions as drf_permissions
from rest_framework.request import Request

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def _deny(request: Request, perm: str, obj: Any = None) -> bool:
    audit.record(
        AuditAction.DENIED,
        obj if obj is not None else None,
        actor=request.user,
        extra={
            "permission": perm,
            "method": request.method,
            "path": request.path.replace("\x00", "")[:500],  # PostgreSQL refuses NUL
        },
    )
    return False


class ScopedModelPermission(drf_permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if (hasattr(view, "action") and view.action is None) or (
            (request.method or "").lower() not in getattr(view, "http_method_names", ())
        ):
            return True  # a method the endpoint does not have: let it answer 405
        if getattr(view, "action", None) == "create" and getattr(view, "refuses_create", False):
            return True  # POST is open for other actions only: the collection answers 405
        model = getattr(view, "model", None)
        if model is None:
            return True  # views without a model check for themselves
        action = METHOD_ACTIONS.get(request.method or "", "view")
        if action != "add":
            action = "view"  # object-level check follows for change/delete
        perm = permissions.perm_name(model, action)
        if permissions.has_perm(request.user, perm):
            return True
        return _deny(request, perm)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = METHOD_ACTIONS.get(request.method or "", "view")
        perm = permissions.perm_name(type(obj), action)
        if permissions.has_perm(request.user, perm, obj):
            return True
        return _deny(request, perm, obj)
