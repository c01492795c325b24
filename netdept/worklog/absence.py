"""Who is away on leave, told to the approvals engine (an away approver's steps go to their
delegate or superior) and to the duty engine (no duty is due while away). Imported by
``wiring``."""

from __future__ import annotations

from netdept.approvals.resolve import register_absence_provider as approvals_absence
from netdept.duties.absence import register_absence_provider as duties_absence
from netdept.worklog.services.leave import is_on_leave, on_leave_days

approvals_absence(is_on_leave)
duties_absence(on_leave_days)
