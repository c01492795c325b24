"""What the UI may offer: the actions a user may take on an order now — read from the
work order's state machine (``netdept.workorders.machines``), the one declaration."""

from __future__ import annotations

from typing import Any

from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import WorkOrder


def allowed_actions(user: Any, order: WorkOrder) -> set[str]:
    """The actions ``user`` may take on ``order`` now (the UI shows these buttons)."""
    return set(WORKORDER_MACHINE.allowed(order, user))
