"""Every state change of a work order: open, accept, assign, wait, resolve, close, reopen…

Each function runs in one transaction, checks the permission (staff actions need
``workorders.change_workorder`` on the order, within the actor's scope; requester actions are
allowed to the order's requester and to people of the requester's department who can see the
order), refuses a transition the current state does not allow (``ValidationError`` naming the
state), calls the SLA engine (``netdept.workorders.sla``), writes one audit record and queues
the notifications (sent after the commit).

Lost updates are impossible: a transition writes the order with one conditional UPDATE
(``WHERE id = … AND version = … AND status = …``) and raises ``Conflict`` naming who changed
the order when another transaction got there first.

The package's modules, by sub-domain: ``common`` (names, settings, helpers), ``visibility``
(who may see and work on an order), ``engine`` (the conditional UPDATE of a transition),
``opening``, ``transitions`` (accept … reopen), ``assignment``, ``records`` (comments, work
records), ``attachments``, ``priority`` (matrix, priority, major incidents), ``merge``,
``actions`` (what the UI may offer: read from the state machine), ``autoclose`` and
``defaults``. Callers import the package: ``from netdept.workorders import services``.
"""

from __future__ import annotations

from netdept.workorders.services.actions import allowed_actions
from netdept.workorders.services.assignment import assign, bulk_assign, transfer
from netdept.workorders.services.attachments import (
    ALLOWED_EXT,
    CONTENT_TYPES,
    HEIF_BRANDS,
    IMAGE_EXT,
    OFFICE_ZIP_EXT,
    OLE_EXT,
    TEXT_EXT,
    add_attachment,
    attach,
    check_upload,
)
from netdept.workorders.services.autoclose import close_resolved
from netdept.workorders.services.common import (
    ORDER_FIELDS,
    VIEW_INTERNAL,
    Conflict,
    autoclose_days,
    max_attachment_bytes,
    person_of,
    reopen_days,
    setting,
)
from netdept.workorders.services.defaults import DEFAULT_ESCALATION, DEFAULT_SLA, ensure_defaults
from netdept.workorders.services.merge import merge, merge_into
from netdept.workorders.services.opening import next_number, open_order
from netdept.workorders.services.priority import (
    DEFAULT_MATRIX,
    matrix_priority,
    set_major,
    set_priority,
)
from netdept.workorders.services.records import add_work_record, comment, note
from netdept.workorders.services.transitions import (
    accept,
    close,
    confirm,
    rate,
    reopen,
    reopen_deadline,
    resolve,
    resume,
    start,
    wait,
)
from netdept.workorders.services.visibility import (
    can_view,
    is_requester_side,
    is_staff,
    visible_comments,
    visible_orders,
)

__all__ = [
    "ALLOWED_EXT",
    "CONTENT_TYPES",
    "DEFAULT_ESCALATION",
    "DEFAULT_MATRIX",
    "DEFAULT_SLA",
    "HEIF_BRANDS",
    "IMAGE_EXT",
    "OFFICE_ZIP_EXT",
    "OLE_EXT",
    "ORDER_FIELDS",
    "TEXT_EXT",
    "VIEW_INTERNAL",
    "Conflict",
    "accept",
    "add_attachment",
    "add_work_record",
    "allowed_actions",
    "assign",
    "attach",
    "autoclose_days",
    "bulk_assign",
    "can_view",
    "check_upload",
    "close",
    "close_resolved",
    "comment",
    "confirm",
    "ensure_defaults",
    "is_requester_side",
    "is_staff",
    "matrix_priority",
    "max_attachment_bytes",
    "merge",
    "merge_into",
    "next_number",
    "note",
    "open_order",
    "person_of",
    "rate",
    "reopen",
    "reopen_days",
    "reopen_deadline",
    "resolve",
    "resume",
    "set_major",
    "set_priority",
    "setting",
    "start",
    "transfer",
    "visible_comments",
    "visible_orders",
    "wait",
]
