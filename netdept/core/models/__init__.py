from netdept.core.models.accounts import ApiToken, LoginAttempt, PasswordHistory, UserProfile
from netdept.core.models.audit import AuditChain, AuditRecord
from netdept.core.models.base import BaseModel
from netdept.core.models.calendar import CalendarOverride, WorkCalendar
from netdept.core.models.security import SecurityPolicy
from netdept.core.models.tasks import JobRun, SchedulerLease, TaskEffect, WorkerHeartbeat

__all__ = [
    "ApiToken",
    "AuditChain",
    "AuditRecord",
    "BaseModel",
    "CalendarOverride",
    "JobRun",
    "LoginAttempt",
    "PasswordHistory",
    "SchedulerLease",
    "SecurityPolicy",
    "TaskEffect",
    "UserProfile",
    "WorkCalendar",
    "WorkerHeartbeat",
]
