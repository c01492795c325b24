"""The REST API of approvals beyond the generated endpoints.

The generated endpoints of the Pages (``netdept.approvals.registry``) list and read rules,
rule steps, committees and delegations, requests, request steps and decisions, and take the
machines' actions (``POST /api/v1/approvals/decisions/{id}/approve/``, ``reject/``,
``return_for_changes/``; ``…/requests/{id}/withdraw/``, ``resubmit/``). This module gives the
requests, their steps and the decisions a base (``register_api_base``) that lets the people a
row concerns read it and act on it with the pages' rule (``netdept.approvals.views``:
``find_visible``) — the requester, the account that submitted it, its approvers and the person
a delegate decides for, besides whoever holds the view permission within their scope — and adds:

* ``POST /api/v1/approvals/requests/submit/``: another system (or a person) submits a request
  that stands alone (``approvals.general``), then polls ``GET …/requests/{id}/`` or hears of the
  outcome by webhook (event kind ``approvals.decided``);
* ``GET /api/v1/approvals/requests/mine/``: the caller's own requests;
* ``GET /api/v1/approvals/inbox/``: "待我审批" (the decisions page's filters) and
  ``POST /api/v1/approvals/inbox/bulk-approve/``.

Thin: every change is the engine's (``netdept.approvals.services``). A decision not the
caller's is a 403 naming why; one already decided (naming who was first) or of a withdrawn
request a 409 (``code: conflict``); a step that needs the second factor a 400 naming
``otp_code``.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.api.errors import django_errors
from netdept.api.generic import MAX_ID, PageViewSet, register_api_base
from netdept.api.permissions import ScopedModelPermission
from netdept.api.transitions import conflict_response
from netdept.approvals import serializers as s
from netdept.approvals import services
from netdept.approvals.machines import APPROVER, REQUESTER
from netdept.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
)
from netdept.approvals.services.engine import person_of
from netdept.approvals.visibility import (
    VIEW_DECISION,
    VIEW_REQUEST,
    find_visible,
    involved_in_decisions,
    involved_in_requests,
    refusal_text,
)
from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction
from netdept.core.registry import page_for
from netdept.org.models import Person

ADD_REQUEST = "approvals.add_approvalrequest"
PERMISSION_NAME = re.compile(r"[a-z_]+\.[a-z_]+")


def refusal(exc: PermissionDenied) -> exceptions.PermissionDenied:
    """The engine's or the machine's reason, as the pages say it; a bare permission name (no
    view permission at all) gets the usual sentence."""
    raw = " ".join(str(a) for a in exc.args)
    if raw not in (APPROVER.name, REQUESTER.name) and PERMISSION_NAME.fullmatch(raw):
        return exceptions.PermissionDenied()
    return exceptions.PermissionDenied(refusal_text(exc))


class ConcernedPermission(ScopedModelPermission):
    """A list needs the view permission, as every list does. One row and its actions are
    checked when the row is looked up (``find_visible``: the people it concerns, or the view
    permission within scope; 403 audited without the permission, 404 with it); who may take
    an action is the machine's check. ``open_actions`` are the caller's own (submit, mine)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "detail", False) or view.action in getattr(view, "open_actions", ()):
            return True
        if view.action == "create":
            return True  # no such method: the viewset answers 405
        return super().has_permission(request, view)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return True


class ConcernedBase(PageViewSet):
    """The generated viewset of a Page whose rows the people they concern read without the
    view permission (the pages' rule); the machine's actions included."""

    involved: Any = None  # f(user) -> Q: the rows the user is concerned by
    view_perm = ""
    answer_serializer: Any = None  # lists
    detail_serializer: Any = None  # one row, and the answer of an action
    open_actions: tuple[str, ...] = ()
    list_related: tuple[str, ...] = ()  # what the list's answer reads besides the Page's
    list_prefetch: tuple[Any, ...] = ()
    conflict_possible = True  # the schema documents the 409 of a lost race

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The generated class (``viewset_for``) sets the Page's serializer; the answers (and
        the schema of the machine's actions, added after this) are this base's."""
        super().__init_subclass__(**kwargs)
        if cls.answer_serializer is not None:
            cls.serializer_class = cls.answer_serializer

    def get_permissions(self) -> list[Any]:
        return [ConcernedPermission()]  # for the machine's actions too

    def get_queryset(self) -> models.QuerySet[Any]:
        qs = super().get_queryset()
        if self.list_related:
            qs = qs.select_related(*self.list_related)
        if self.list_prefetch:
            qs = qs.prefetch_related(*self.list_prefetch)
        return qs

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve" and self.detail_serializer is not None:
            return self.detail_serializer
        return self.answer_serializer or super().get_serializer_class()

    def get_object(self) -> Any:
        raw = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not (raw.isascii() and raw.isdecimal()) or not 0 < int(raw) <= MAX_ID:
            raise Http404
        user = self.request.user
        return find_visible(self.page.queryset(), user, int(raw), self.involved(user),
                            self.view_perm)  # fmt: skip

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, PermissionDenied):
            exc = refusal(exc)
        elif isinstance(exc, DjangoValidationError) and getattr(exc, "code", "") == "conflict":
            return conflict_response(exc)
        return super().handle_exception(exc)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.answer(self.get_object()))

    def transition_response(self, obj: Any) -> Response:
        """The answer of an action (approve, withdraw…): the row as it is now."""
        fresh = self.page.queryset().filter(pk=obj.pk).first() or obj
        return Response(self.answer(fresh))

    def answer(self, obj: Any) -> dict[str, Any]:
        cls = self.detail_serializer or self.answer_serializer
        return dict(cls(obj, context=self.get_serializer_context()).data)


# --- requests ----------------------------------------------------------------------------------
def _requester(user: Any, employee_no: str) -> Person | None:
    """The requester named by ``employee_no``: the caller themselves, or — with the
    permission to add requests — a person within that permission's scope. The permission is
    asked (403, audited) before the number is looked up, and a person out of scope is refused
    like an unknown number: no oracle of who exists."""
    me = person_of(user)
    if not employee_no or (me is not None and me.employee_no == employee_no):
        return me
    if not permissions.has_perm(user, ADD_REQUEST):
        audit.record(AuditAction.DENIED, None, actor=user,
                     object_type_label=audit.object_type(ApprovalRequest), object_repr="",
                     extra={"permission": ADD_REQUEST, "requester": employee_no[:30]})  # fmt: skip
        raise exceptions.PermissionDenied(
            _("Submitting for someone else needs the permission to add approval requests.")
        )
    scope = permissions.scope_of(user, ADD_REQUEST)
    q = permissions.scope_q(Person, user, scope) if scope else None
    person = None
    if q is not None:
        person = Person.objects.filter(q, employee_no=employee_no, is_active=True).first()
    if person is None:
        raise exceptions.ValidationError(
            {"requester": [_("No active person with this employee number that you may submit "
                             "for.")]}
        )  # fmt: skip
    return person


class RequestAPIBase(ConcernedBase):
    involved = staticmethod(involved_in_requests)
    view_perm = VIEW_REQUEST
    answer_serializer = s.ApprovalRequestSummarySerializer
    detail_serializer = s.ApprovalRequestDetailSerializer
    open_actions = ("submit", "mine")
    list_related = ("submitted_by",)

    def get_serializer_class(self) -> Any:
        if self.action == "submit":
            return s.ApprovalSubmitSerializer
        return super().get_serializer_class()

    @extend_schema(
        request=s.ApprovalSubmitSerializer,
        responses={201: s.ApprovalRequestDetailSerializer},
        description="Submit a request that stands alone (kind approvals.general): the chain "
        "of its rule starts at once. Poll GET …/requests/{id}/ (or subscribe a webhook channel "
        "to the event kind approvals.decided) for the outcome.",
    )
    @action(detail=False, methods=["post"])
    def submit(self, request: Request) -> Response:
        ser = s.ApprovalSubmitSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        requester = _requester(request.user, (data.get("requester") or "").strip())
        rule = None
        if data.get("rule"):
            rule = ApprovalRule.objects.filter(code=data["rule"]).first()
            if rule is None:
                raise exceptions.ValidationError({"rule": [_("No rule has this code.")]})
        try:
            req = services.submit(
                request.user,
                kind=data["kind"],
                rule=rule,
                requester=requester,
                title=data["title"],
                data=data["data"],
                emergency=data["emergency"],
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(django_errors(exc)) from exc
        fresh = self.page.queryset().get(pk=req.pk)
        answer = Response(self.answer(fresh), status=status.HTTP_201_CREATED)
        answer["Location"] = reverse("approvals-requests-detail", args=[req.pk])
        return answer

    @extend_schema(responses=s.ApprovalRequestSummarySerializer(many=True))
    @action(detail=False, methods=["get"])
    def mine(self, request: Request) -> Response:
        """The caller's own requests (as requester or as the account that submitted them),
        with the list's filters."""
        me = person_of(request.user)
        q = models.Q(submitted_by=request.user.pk)
        if me is not None:
            q |= models.Q(requester=me)
        rows = self.filter_queryset(self.page.queryset().select_related("submitted_by").filter(q))
        page = self.paginate_queryset(rows)
        data = s.ApprovalRequestSummarySerializer(
            page, many=True, context=self.get_serializer_context()
        ).data
        return self.get_paginated_response(data)


class StepAPIBase(ConcernedBase):
    """The steps of the requests the caller is concerned by, or may view."""

    view_perm = "approvals.view_approvalstep"
    answer_serializer = s.ApprovalRequestStepSerializer
    list_prefetch = (s.chain_decisions(),)

    @staticmethod
    def involved(user: Any) -> models.Q:
        return models.Q(request__in=ApprovalRequest.objects.filter(involved_in_requests(user)))


class DecisionAPIBase(ConcernedBase):
    involved = staticmethod(involved_in_decisions)
    view_perm = VIEW_DECISION
    answer_serializer = s.ApprovalDecisionSummarySerializer
    detail_serializer = s.ApprovalDecisionDetailSerializer
    list_related = ("decided_by",)


register_api_base(ApprovalRequest, RequestAPIBase)
register_api_base(ApprovalStep, StepAPIBase)
register_api_base(ApprovalDecision, DecisionAPIBase)


# --- "待我审批" ---------------------------------------------------------------------------------
class InboxFilterBackend(DjangoFilterBackend):
    """The filters of the decisions page (its ``filterset_class``): one filter set."""

    def get_filterset_class(self, view: Any, queryset: Any = None) -> Any:
        page = page_for(ApprovalDecision)
        return page.filterset_class if page is not None else None


@extend_schema(tags=["approvals"])
class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's decisions awaiting them, the most urgent first (``?ordering=`` changes
    it); the filters of the decisions page (``kind``, ``requester``, ``overdue``,
    ``emergency``, ``q``…)."""

    serializer_class = s.ApprovalInboxItemSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [InboxFilterBackend, OrderingFilter]
    ordering_fields = ["due_at", "id"]
    queryset = ApprovalDecision.objects.none()
    conflict_possible = True

    def get_queryset(self) -> models.QuerySet[ApprovalDecision]:
        me = person_of(self.request.user)
        if me is None:
            return ApprovalDecision.objects.none()
        return services.pending_for(me)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, PermissionDenied):
            exc = refusal(exc)
        elif isinstance(exc, DjangoValidationError) and getattr(exc, "code", "") == "conflict":
            return conflict_response(exc)
        return super().handle_exception(exc)

    @extend_schema(
        request=s.ApprovalBulkApproveSerializer,
        responses={
            200: s.ApprovalBulkResultSerializer,
            400: OpenApiResponse(description="A rule that does not allow it, named."),
        },
        description="Approve several of the caller's pending decisions at once, all or "
        "nothing: only rules that allow bulk approval, never a step that needs the second "
        "factor (refused naming the rule and the request).",
    )
    @action(detail=False, methods=["post"], url_path="bulk-approve", filter_backends=[])
    def bulk_approve(self, request: Request) -> Response:
        ser = s.ApprovalBulkApproveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(ser.validated_data["ids"]))
        rows = {d.pk: d for d in self.get_queryset().filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in rows]
        if missing:
            return Response(
                {"detail": _("Some of these are not among your pending approvals; nothing was "
                             "approved."), "ids": missing},
                status=status.HTTP_404_NOT_FOUND,
            )  # fmt: skip
        decisions = [rows[pk] for pk in ids]
        refused = [_bulk_refusal(d) for d in decisions if not s.bulk_allowed(d)]
        if refused:
            raise exceptions.ValidationError({"ids": refused})
        comment = ser.validated_data["comment"]
        try:
            with transaction.atomic():
                done = services.bulk_approve(request.user, decisions, comment)
        except DjangoValidationError as exc:
            if getattr(exc, "code", "") == "conflict":
                return conflict_response(exc)
            raise exceptions.ValidationError(django_errors(exc)) from exc
        return Response({"count": done, "ids": ids})


def _bulk_refusal(d: ApprovalDecision) -> str:
    rule = (d.request.snapshot or {}).get("rule", {})
    if d.step.require_2fa:
        text = _("%(title)s: the step %(step)s needs your second factor; approve it on its own.")
        return text % {"title": d.request.title, "step": d.step.name}
    text = _("%(title)s: the rule %(rule)s does not allow bulk approval.")
    return text % {"title": d.request.title, "rule": rule.get("name") or d.request.rule_id}


__all__ = [
    "ConcernedPermission",
    "DecisionAPIBase",
    "InboxViewSet",
    "RequestAPIBase",
    "StepAPIBase",
]
