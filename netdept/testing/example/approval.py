from typing import Any

from django.utils.translation import gettext_lazy as _

from netdept.approvals import services as approvals
from netdept.approvals.kinds import NUMBER, ApprovalKind, Condition, register_kind
from netdept.approvals.models import ApprovalRequest, RequestStatus
from netdept.testing.example import services
from netdept.testing.example.models import SparePart

SCRAP = register_kind(
    ApprovalKind(
        code="example.scrap",
        label=_("scrapping a spare part"),
        model=SparePart,
        fields={"quantity": Condition(_("quantity"), NUMBER)},
        data=lambda part: {"quantity": part.quantity},
        requester=lambda part: part.holder,  # None: the person who asks
        title=lambda part: str(part),
        on_decided="netdept.testing.example.approval.decided",
    )
)


def ask_to_scrap(user: Any, part: SparePart, reason: str) -> ApprovalRequest:
    """Scrapping needs approval: the request follows the kind's default rule."""
    return approvals.submit(user, kind=SCRAP.code, obj=part, data={"reason": reason})


def decided(request: ApprovalRequest) -> None:
    """Called by the engine inside the decision's transaction: scrap once approved."""
    part = approvals.object_of(request)
    if part is not None and request.status == RequestStatus.APPROVED:
        services.scrap(None, part, str(request.data.get("reason", "")))
