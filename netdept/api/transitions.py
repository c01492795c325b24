"""API actions generated from a state machine (``netdept.core.machines``):
``POST /api/v1/<app>/<model>s/{id}/<name>/`` for every transition, with the transition's
generated serializer as the request body of the OpenAPI schema, and ``allowed_actions`` (the
names the caller may take now) in the answer of one object.

The order of checks is the pages': the object among those the caller may see (404), the
permission (403, audited, before the input is read: an id in the input is never looked up for
someone who may not act), the state (400 naming it), the input (400 naming the field), then the
handler; a lost race (a ``ValidationError`` with code ``conflict``) is 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.core import audit, permissions
from netdept.core.machines import Machine
from netdept.core.models.audit import AuditAction


class TransitionPermission(BasePermission):
    """A transition of a Page's object: the caller must see the model (view permission, the
    object among those they may see); who may take the transition is the machine's check."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(view, "model", None)
        if model is None:
            return True
        perm = permissions.perm_name(model, "view")
        if permissions.has_perm(request.user, perm):
            return True
        audit.record(
            AuditAction.DENIED,
            None,
            actor=request.user,
            object_type_label=audit.object_type(model),
            object_repr="",
            extra={"permission": perm, "method": request.method, "path": request.path[:500]},
        )
        return False

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return True  # the queryset holds what the caller may see; the machine checks who


def run_api_transition(view: Any, machine: Machine, name: str, obj: Any) -> Any:
    """Check, validate ``view.request.data`` with the generated serializer, call the handler;
    returns what the handler returned."""
    machine.require(name, view.request.user, obj)
    ser = machine.serializer_for(name)(data=view.request.data)
    ser.is_valid(raise_exception=True)
    cleaned = machine.cleaned_from_api(name, dict(ser.validated_data))
    return machine.execute(name, view.request.user, obj, cleaned)


def conflict_response(exc: DjangoValidationError) -> Response:
    return Response(
        {"detail": " ".join(exc.messages), "code": "conflict"}, status=status.HTTP_409_CONFLICT
    )


def _make_action(
    machine: Machine, name: str, response_serializer: Any, permission_classes: Any
) -> Any:
    t = machine[name]

    def do(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        try:
            run_api_transition(self, machine, name, obj)
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "conflict":
                return conflict_response(exc)
            raise
        respond = getattr(self, "transition_response", None)
        if respond is not None:
            answer: Response = respond(obj)
            return answer
        fresh = self.get_queryset().filter(pk=obj.pk).first() or obj
        data = dict(self.get_serializer(fresh).data)
        data["allowed_actions"] = machine.allowed(fresh, request.user)
        return Response(data)

    do.__name__ = name
    do.__doc__ = str(t.label)
    do._machine_transition = True  # type: ignore[attr-defined]
    responses: dict[int, Any] = {
        200: response_serializer,
        400: OpenApiResponse(description="Bad input or a state that does not allow it."),
        403: OpenApiResponse(description="The caller may not take this action."),
        409: OpenApiResponse(description="Someone changed the object in the meantime."),
    }
    schema = extend_schema(
        request=machine.serializer_for(name),
        responses=responses,
        summary=str(t.label),
        operation_id=None,
    )
    extra: dict[str, Any] = {}
    if permission_classes is not None:
        extra["permission_classes"] = permission_classes
    decorate = action(detail=True, methods=["post"], url_path=name, url_name=name, **extra)
    return schema(decorate(do))


def add_transition_actions(viewset_cls: Any, page: Any) -> Any:
    """Give ``viewset_cls`` one POST action per transition of ``page.machine`` (a method of
    that name already on the viewset wins: an explicit override), and ``allowed_actions`` in
    the answer of one object. Returns the class (changed in place)."""
    machine: Machine | None = getattr(page, "machine", None)
    if machine is None:
        return viewset_cls
    return add_machine_actions(viewset_cls, machine, permission_classes=[TransitionPermission])


def add_machine_actions(
    viewset_cls: Any,
    machine: Machine,
    response_serializer: Any = None,
    *,
    permission_classes: Any = None,
) -> Any:
    """``add_transition_actions`` for a viewset that is not a Page's (the work orders'): the
    actions keep the viewset's permission classes unless ``permission_classes`` are given."""
    response_serializer = response_serializer or getattr(viewset_cls, "serializer_class", None)
    for name in machine.names():
        existing = getattr(viewset_cls, name, None)
        if existing is not None and not getattr(existing, "_machine_transition", False):
            continue  # an explicit method of the viewset wins
        if not machine[name].api:
            continue
        action_fn = _make_action(machine, name, response_serializer, permission_classes)
        setattr(viewset_cls, name, action_fn)
    methods = list(getattr(viewset_cls, "http_method_names", []))
    if methods and "post" not in methods:
        # The actions are POSTs; the collection's create stays refused.
        viewset_cls.http_method_names = [*methods, "post"]
        viewset_cls.refuses_create = True  # asked by the permission: 405, not 403
        original = getattr(viewset_cls, "create", None)

        def create(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            raise MethodNotAllowed(request.method or "POST")

        if original is not None:
            # not in the OpenAPI schema either: the collection has no POST of its own
            viewset_cls.create = extend_schema(exclude=True)(create)
    if "retrieve" not in viewset_cls.__dict__ and hasattr(viewset_cls, "retrieve"):
        base_retrieve = viewset_cls.retrieve

        def retrieve(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            resp: Response = base_retrieve(self, request, *args, **kwargs)
            if isinstance(resp.data, dict):
                resp.data["allowed_actions"] = machine.allowed(self.get_object(), request.user)
            return resp

        viewset_cls.retrieve = retrieve
    viewset_cls.machine = machine
    return viewset_cls


__all__ = [
    "TransitionPermission",
    "add_machine_actions",
    "add_transition_actions",
    "conflict_response",
    "run_api_transition",
]
