"""The department's working rhythm (工作日志、周报、例会、任务、项目、请假、考勤): daily logs and
reports that draft themselves from the day's records, meetings whose action items become
tasks, goals decomposed into tasks, projects with stage gates, leave and attendance."""
