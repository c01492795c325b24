from netdept.core.registry import Page, register
from netdept.testing.example.machines import SPARE_PART_MACHINE
from netdept.testing.example.models import SparePart
from netdept.testing.example.services import SERVICE

register(
    Page(
        model=SparePart,
        fields=["name", "quantity", "department", "holder", "note", "is_active"],
        columns=["name", "quantity", "department", "holder", "status", "is_active"],
        filters=["department", "status", "is_active"],
        search=["name", "note"],  # the global search finds parts by these
        select_related=["department", "holder"],
        nav_group="org",  # the menu group; maintainers get a count card on the home page
        icon="bi-box-seam",
        service=SERVICE,
        machine=SPARE_PART_MACHINE,
    )
)
