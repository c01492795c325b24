from django.utils.translation import gettext_lazy as _

from netdept.core.machines import MODEL, TEXTAREA, Field, Machine, Transition, register
from netdept.org.models import Person
from netdept.testing.example.models import SparePart

S = "netdept.testing.example.services."

SPARE_PART_MACHINE = register(
    Machine(
        SparePart,
        transitions=[
            Transition(
                "issue",
                _("Issue"),
                source=["in_stock"],
                target="issued",
                handler=S + "issue",
                fields=[
                    Field(
                        "holder",
                        kind=MODEL,
                        label=_("holder"),
                        queryset=lambda: Person.objects.filter(is_active=True),
                    )
                ],
                icon="bi-box-arrow-right",
            ),
            Transition(
                "give_back",
                _("Give back"),
                source=["issued"],
                target="in_stock",
                handler=S + "give_back",
                icon="bi-box-arrow-in-left",
            ),
            Transition(
                "scrap",
                _("Scrap"),
                source=["in_stock", "issued"],
                target="scrapped",
                handler=S + "scrap",
                fields=[Field("reason", kind=TEXTAREA, label=_("reason"), max_length=200)],
                style="outline-danger",
                confirm=_("Scrap %(object)s?"),
            ),
            Transition(
                "ask_to_scrap",
                _("Ask to scrap"),
                source=["in_stock", "issued"],
                target=None,  # the state changes when the approval is given
                handler="netdept.testing.example.approval.ask_to_scrap",
                fields=[Field("reason", kind=TEXTAREA, label=_("reason"), max_length=200)],
                icon="bi-send-check",
            ),
        ],
    )
)
