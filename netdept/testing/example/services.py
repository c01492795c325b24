from typing import Any

from netdept.core.services import ModelService
from netdept.testing.example.models import SparePart


class SparePartService(ModelService[SparePart]):
    """Creates, changes and deletes spare parts (each change audited by ModelService)."""


SERVICE = SparePartService(SparePart)


def issue(user: Any, part: SparePart, holder: Any) -> SparePart:
    return SERVICE.update(user, part, {"status": SparePart.Status.ISSUED, "holder": holder})


def give_back(user: Any, part: SparePart) -> SparePart:
    return SERVICE.update(user, part, {"status": SparePart.Status.IN_STOCK, "holder": None})


def scrap(user: Any, part: SparePart, reason: str) -> SparePart:
    note = f"{part.note}\n{reason}".strip()
    return SERVICE.update(user, part, {"status": SparePart.Status.SCRAPPED, "note": note})
