"""Authentication backend: Django's password check, NetDept's permission engine."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from netdept.core import permissions


class ScopedPermissionBackend(ModelBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active:
            return False
        return permissions.has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(app_label + ".") for p in permissions.user_perms(user_obj))

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return permissions.user_perms(user_obj)

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
