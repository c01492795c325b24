"""System checks run at start-up (``manage.py check``, ``migrate``, ``runserver``, every
``netdept`` command): each model's ``scope_paths`` and ``record_kind`` must make sense.

* every path exists and ends at the right model: ``own`` at the user model, ``team`` at
  ``org.Team``, ``department`` at ``org.Department`` (named by label, see ``core.scopes``);
* only those three scopes have paths;
* ``record_kind`` is ``work`` or ``config``; configuration declares no scope path (it belongs
  to the whole department, see ``core.models.base``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.core import checks
from django.db import models

from netdept.core.models.base import CONFIG, RECORD_KINDS, record_kind
from netdept.core.permissions import EXTRA_SCOPE_PATHS
from netdept.core.scopes import PathError, resolve, target_labels, target_model


def scope_paths_of(model: type[models.Model]) -> dict[str, str]:
    return EXTRA_SCOPE_PATHS.get(model._meta.label_lower) or dict(
        getattr(model, "scope_paths", {}) or {}
    )


def check_model(model: type[models.Model]) -> list[checks.CheckMessage]:
    """The problems of one model's ``scope_paths`` and ``record_kind``."""
    errors: list[checks.CheckMessage] = []
    label = model._meta.label
    kind = record_kind(model)
    paths = scope_paths_of(model)
    if kind not in RECORD_KINDS:
        errors.append(
            checks.Error(
                f"{label}.record_kind is {kind!r}; it must be one of {', '.join(RECORD_KINDS)}.",
                obj=model,
                id="netdept.E003",
            )
        )
    if kind == CONFIG and paths:
        errors.append(
            checks.Error(
                f"{label} is configuration (record_kind = 'config') but declares scope paths "
                f"{sorted(paths)}; configuration is seen whole at every scope.",
                hint="Remove scope_paths, or declare the model as work.",
                obj=model,
                id="netdept.E004",
            )
        )
        return errors
    targets = target_labels()
    for scope, path in paths.items():
        if scope not in targets:
            errors.append(
                checks.Error(
                    f"{label}.scope_paths names an unknown scope {scope!r}.",
                    hint=f"Scopes with a path: {', '.join(targets)}.",
                    obj=model,
                    id="netdept.E001",
                )
            )
            continue
        try:
            want = target_model(scope)
        except LookupError:
            errors.append(
                checks.Error(
                    f"{label}.scope_paths[{scope!r}]: the model {targets[scope]} is not installed.",
                    obj=model,
                    id="netdept.E002",
                )
            )
            continue
        try:
            got = resolve(model, str(path)).target
        except PathError as exc:
            errors.append(
                checks.Error(
                    f"{label}.scope_paths[{scope!r}] = {path!r} does not exist: {exc}.",
                    obj=model,
                    id="netdept.E002",
                )
            )
            continue
        if got is not want:
            errors.append(
                checks.Error(
                    f"{label}.scope_paths[{scope!r}] = {path!r} ends at {got._meta.label}, "
                    f"not at {want._meta.label}.",
                    obj=model,
                    id="netdept.E002",
                )
            )
    return errors


def check_scope_paths(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Registered in ``CoreConfig.ready()``: every installed model (or those of
    ``app_configs``)."""
    models_: Iterable[type[models.Model]]
    if app_configs is None:
        models_ = apps.get_models()
    else:
        models_ = (m for config in app_configs for m in config.get_models())
    errors: list[checks.CheckMessage] = []
    for model in models_:
        errors.extend(check_model(model))
    return errors
