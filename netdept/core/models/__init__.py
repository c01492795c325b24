from netdept.core.models.accounts import ApiToken, LoginAttempt, PasswordHistory, UserProfile
from netdept.core.models.audit import AuditChain, AuditRecord
from netdept.core.models.base import BaseModel
from netdept.core.models.calendar import CalendarOverride, WorkCalendar
from netdept.core.models.notifications import (
    AllowedHost,
    Delivery,
    EventKindSetting,
    InboxMessage,
    Notification,
    NotificationChannel,
    NotificationPreference,
    NotificationTemplate,
    QuietHours,
)
from netdept.core.models.security import SecurityPolicy
from netdept.core.models.tasks import JobRun, SchedulerLease, TaskEffect, WorkerHeartbeat

__all__ = [
    "AllowedHost",
    "ApiToken",
    "AuditChain",
    "AuditRecord",
    "BaseModel",
    "CalendarOverride",
    "Delivery",
    "EventKindSetting",
    "InboxMessage",
    "JobRun",
    "LoginAttempt",
    "Notification",
    "NotificationChannel",
    "NotificationPreference",
    "NotificationTemplate",
    "PasswordHistory",
    "QuietHours",
    "SchedulerLease",
    "SecurityPolicy",
    "TaskEffect",
    "UserProfile",
    "WorkCalendar",
    "WorkerHeartbeat",
]
