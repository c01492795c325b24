"""URLs of tasks (namespace ``worklog``): my tasks and the task board; the list, detail, form
and transitions are the generated pages of the ``tasks`` Page."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from netdept.worklog import views_tasks

urlpatterns: list[URLPattern | URLResolver] = [
    path("tasks/mine/", views_tasks.my_tasks_view, name="my_tasks"),
    path("tasks/board/", views_tasks.task_board_view, name="task_board"),
]
