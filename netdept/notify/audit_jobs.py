"""The daily checkpoint of the audit trail (periodic job ``core.audit_checkpoint``).

Every morning the sealed chain head is written to the checkpoint directory (as
``netdept audit checkpoint`` does) and, unless ``NETDEPT_AUDIT_CHECKPOINT_NOTIFY`` is off, sent
to the auditors (``role:auditor``: inbox and their channels, e-mail by default). The copy that
leaves the server is what lets ``netdept audit verify --checkpoint FILE`` catch a deleted tail
even when whoever deleted it held the database and the audit key.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from netdept.core import audit, context
from netdept.notify import notify
from netdept.tasks.scheduler import periodic

logger = logging.getLogger(__name__)

AUDITORS = "role:auditor"


@task(queue_name="default")
def send_audit_checkpoint() -> int:
    """Write the day's checkpoint and send it to the auditors; returns the head's number."""
    error = ""
    try:
        cp, path = audit.write_checkpoint()
        logger.info("Audit checkpoint of record #%d written to %s.", cp.seq, path)
    except OSError as exc:  # still send it: the copy outside the server matters most
        cp = audit.checkpoint()
        error = f"{exc.strerror or exc} ({exc.filename or ''})"
        logger.error("Audit checkpoint could not be written: %s", error)
    if not settings.NETDEPT.get("AUDIT_CHECKPOINT_NOTIFY", True):
        return cp.seq
    when = ""
    if cp.ts:
        stamp = datetime.datetime.fromisoformat(cp.ts)
        when = timezone.localtime(stamp).strftime("%Y-%m-%d %H:%M:%S")
    with context.acting(None, None, "task"), transaction.atomic():
        notify(
            "core.audit_checkpoint",
            recipients=[AUDITORS],
            data={"seq": cp.seq, "time": when, "line": cp.to_json(), "error": error},
            dedupe_key=f"audit-checkpoint:{timezone.localdate().isoformat()}",
        )
    return cp.seq


periodic("core.audit_checkpoint", "30 6 * * *", send_audit_checkpoint, queue="default")
