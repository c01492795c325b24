"""Generic state changes: create, update and delete any registered model, with audit.

Domain services (``<app>/services.py``) use these building blocks or subclass
``ModelService`` to add their business rules. Every method runs in one transaction, validates
the object (``full_clean``) and writes the audit record before it commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction

M = TypeVar("M", bound=models.Model)


def require(actor: Any, action: str, obj_or_model: models.Model | type[models.Model]) -> None:
    """Raise PermissionDenied (and record the denial) unless ``actor`` may do ``action``."""
    obj = obj_or_model if isinstance(obj_or_model, models.Model) else None
    perm = permissions.perm_name(obj_or_model, action)
    if actor is None or permissions.has_perm(actor, perm, obj):
        return
    audit.record(
        AuditAction.DENIED,
        obj,
        actor=actor,
        extra={"permission": perm},
        object_type_label=None if obj is not None else audit.object_type(obj_or_model),
        object_repr="" if obj is None else None,
    )
    raise PermissionDenied(perm)


def _split(
    model: type[models.Model], data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    m2m_names = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in data.items() if k not in m2m_names}
    m2m = {k: v for k, v in data.items() if k in m2m_names}
    return plain, m2m


def _save(obj: models.Model, exclude_unique: bool = False) -> None:
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This conflicts with an existing record: %(error)s") % {"error": exc}
        ) from exc


class ModelService(Generic[M]):
    """Create, update and delete objects of one model. Subclass to add rules."""

    model: type[M]

    def __init__(self, model: type[M] | None = None) -> None:
        if model is not None:
            self.model = model

    # Hooks for subclasses ------------------------------------------------------------------
    def before_save(self, actor: Any, obj: M, data: Mapping[str, Any], creating: bool) -> None:
        """Check business rules; raise ValidationError to refuse."""

    def after_save(self, actor: Any, obj: M, data: Mapping[str, Any], creating: bool) -> None:
        """Follow-up changes inside the same transaction."""

    def before_delete(self, actor: Any, obj: M) -> None:
        """Raise ValidationError to refuse a deletion."""

    def allows(self, actor: Any, action: str, obj: M) -> bool:
        """A rule on one object beyond the permission (``action``: "change" or "delete"): who
        assigned a task may edit it, its owner may not. The pages ask it before they offer
        the buttons or the form, ``update`` and ``delete`` refuse without it. Allows all by
        default."""
        return True

    def require_allowed(self, actor: Any, action: str, obj: M) -> None:
        """Raise PermissionDenied (and record the denial) unless ``allows``."""
        if actor is None or self.allows(actor, action, obj):
            return
        perm = permissions.perm_name(obj, action)
        audit.record(AuditAction.DENIED, obj, actor=actor, extra={"permission": perm})
        raise PermissionDenied(perm)

    # Operations ----------------------------------------------------------------------------
    def create(self, actor: Any, data: Mapping[str, Any], *, check: bool = True) -> M:
        if check:
            require(actor, "add", self.model)
        plain, m2m = _split(self.model, data)
        with transaction.atomic():
            obj = self.model(**plain)
            self.before_save(actor, obj, data, True)
            _save(obj)
            for name, values in m2m.items():
                getattr(obj, name).set(values)
            self.after_save(actor, obj, data, True)
            after = audit.snapshot(obj)
            audit.record(
                AuditAction.CREATE,
                obj,
                actor=actor,
                changes={k: [None, v] for k, v in after.items()},
            )
        return obj

    def update(self, actor: Any, obj: M, data: Mapping[str, Any], *, check: bool = True) -> M:
        if check:
            require(actor, "change", obj)
            self.require_allowed(actor, "change", obj)
        plain, m2m = _split(self.model, data)
        with transaction.atomic():
            before = audit.snapshot(obj)
            secrets_before = audit.secret_values(obj)
            for name, value in plain.items():
                setattr(obj, name, value)
            self.before_save(actor, obj, data, False)
            _save(obj)
            for name, values in m2m.items():
                getattr(obj, name).set(values)
            self.after_save(actor, obj, data, False)
            changes = audit.diff(before, audit.snapshot(obj))
            changes.update(audit.secret_changes(secrets_before, obj))
            if changes:
                audit.record(AuditAction.UPDATE, obj, actor=actor, changes=changes)
        return obj

    def delete(self, actor: Any, obj: M, *, check: bool = True) -> None:
        if check:
            require(actor, "delete", obj)
            self.require_allowed(actor, "delete", obj)
        with transaction.atomic():
            self.before_delete(actor, obj)
            before = audit.snapshot(obj)
            label, pk, text = audit.object_type(obj), str(obj.pk), str(obj)
            try:
                with transaction.atomic():
                    obj.delete()
            except (ProtectedError, RestrictedError) as exc:
                blockers = sorted(
                    {str(o) for o in list(exc.protected_objects)[:5]}
                    if isinstance(exc, ProtectedError)
                    else {str(o) for o in list(exc.restricted_objects)[:5]}
                )
                raise ValidationError(
                    _("It cannot be deleted while other records use it: %(objects)s")
                    % {"objects": "、".join(blockers)}
                ) from exc
            audit.record(
                AuditAction.DELETE,
                None,
                actor=actor,
                object_type_label=label,
                object_id=pk,
                object_repr=text,
                changes={k: [v, None] for k, v in before.items()},
            )


_services: dict[type[models.Model], ModelService[Any]] = {}


def service_for(model: type[M]) -> ModelService[M]:
    """The registered service of ``model``, or a plain ``ModelService``."""
    return _services.get(model) or ModelService(model)


def register_service(model: type[M], service: ModelService[M]) -> None:
    _services[model] = service
