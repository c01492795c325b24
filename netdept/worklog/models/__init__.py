from .leave import (
    AttendanceImport,
    AttendanceRecord,
    AttendanceRule,
    AttendanceStatus,
    Channel,
    ImportSource,
    ImportStatus,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
)
from .logs import DailyLog, LogEntry, LogStatus
from .meetings import Attendance, Meeting, MeetingAttendee, MeetingKind, MeetingStatus, MeetingType
from .policy import WorklogPolicy
from .projects import (
    Project,
    ProjectDocument,
    ProjectFlow,
    ProjectStage,
    ProjectStatus,
    StageStatus,
    StageTemplate,
)
from .reports import DraftRun, DraftRunStatus, Report, ReportKind
from .tasks import OPEN_TASK_STATUSES, Goal, GoalLevel, GoalStatus, Task, TaskStatus

__all__ = [
    "OPEN_TASK_STATUSES", "Attendance", "AttendanceImport", "AttendanceRecord", "AttendanceRule",
    "AttendanceStatus", "Channel", "DailyLog", "DraftRun", "DraftRunStatus", "Goal", "GoalLevel",
    "GoalStatus", "ImportSource", "ImportStatus", "LeaveRequest", "LeaveStatus", "LeaveType",
    "LogEntry", "LogStatus", "Meeting", "MeetingAttendee", "MeetingKind", "MeetingStatus",
    "MeetingType", "Project", "ProjectDocument", "ProjectFlow", "ProjectStage", "ProjectStatus",
    "Report", "ReportKind", "StageStatus", "StageTemplate", "Task", "TaskStatus", "WorklogPolicy",
]  # fmt: skip
