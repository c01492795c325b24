"""Regulation packs (制度包): the format (``packs/README.md``, ``packs/schema.json``), reading
with lines kept (``source``), validation naming file and line (``validate``), the loader
(``load``: idempotent, upgrade-safe) and the coverage of a loaded pack (``coverage``)."""

from __future__ import annotations

from netdept.duties.packs.source import PackError, PackInvalid, available, packs_dir, read

__all__ = ["PackError", "PackInvalid", "available", "packs_dir", "read"]
