"""The role's API answer and input: the same offer of permissions as the role editor
(``core.permlabels.offered_permissions``, plus what the role holds now) and the permissions'
labels in the reader's language. Every rule of 三员 stays the service's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from netdept.api.generic import PageSerializer
from netdept.core import permlabels
from netdept.org.models import Role


class RoleSerializer(PageSerializer):
    permissions = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Permission.objects.none(), label=_("permissions")
    )
    permission_labels = serializers.SerializerMethodField(
        label=_("permission labels"),
        help_text=_('The permissions in words, e.g. "Work order · view internal notes".'),
    )

    class Meta:
        model = Role
        fields = [
            "id",
            "code",
            "name",
            "description",
            "scope",
            "permissions",
            "permission_labels",
            "require_2fa",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = Q(pk__in=permlabels.offered_permissions().values("pk"))
        instance = self.instance if isinstance(self.instance, Role) else None
        if instance is not None and instance.pk:
            offered |= Q(pk__in=instance.permissions.values("pk"))
        field = self.fields["permissions"]
        assert isinstance(field, serializers.ManyRelatedField)
        relation: Any = field.child_relation
        relation.queryset = Permission.objects.filter(offered)

    def get_permission_labels(self, obj: Role) -> list[str]:
        perms = obj.permissions.all()  # prefetched on lists (the page's prefetch_related)
        return sorted(permlabels.permission_label(p) for p in perms)
