"""Imported by the scheduler's discovery (every app's ``tasks`` module): the kernel's jobs."""

from netdept.tasks import jobs  # noqa: F401  (declares the periodic jobs)
