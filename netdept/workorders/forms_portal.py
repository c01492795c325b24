"""Forms of the requester portal (报修 / 我的工单): few fields, big touch targets.

The forms only parse and check the shape of the input; the rules (who may, in which state,
attachment size and type) belong to ``netdept.workorders.services``. Text limits are the
model's; the action forms (comment, rate, confirm, reopen) are the state machine's
(``netdept.workorders.machines``) with the portal's words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from netdept.core.machines import model_form_field
from netdept.workorders.machines import WORKORDER_MACHINE
from netdept.workorders.models import Category, Kind, WorkOrder

# What a requester may file here; leads come from marketing staff through the desk or the API.
PORTAL_KINDS = [
    (Kind.FAULT.value, Kind.FAULT.label),
    (Kind.SERVICE.value, Kind.SERVICE.label),
    (Kind.CONSULTATION.value, Kind.CONSULTATION.label),
]

ACCEPT = (
    "image/*,.heic,.pdf,.txt,.csv,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.zip,"
    "application/pdf,text/plain,text/csv"
)
MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; size and type are checked by the service."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Attach at most %(max)d files at a time."),
                code="too_many",
                params={"max": MAX_FILES},
            )
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def attachments_field(label: Any = None) -> MultipleFileField:
    return MultipleFileField(
        label=label or _("Photos or files"),
        help_text=_("Take a photo or choose files: images, PDF, text, Office documents or zip."),
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "capture": "environment"}),
    )


class CategorySelect(forms.Select):
    """Options carry their kind so that the page can show only the categories of the chosen
    kind."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-kind"] = instance.kind
            if instance.is_purchase:
                option["attrs"]["data-purchase"] = "1"  # the page asks for the cost
            if instance.approval_rule_id:
                option["attrs"]["data-approval"] = "1"
        return option


ESTIMATED_COST = _("Estimated cost (yuan)")
COST_REQUIRED = _("Enter the estimated cost of the purchase.")


def cost_field(required: bool = False) -> forms.Field:
    """The estimated cost: the model's field (12 digits, 2 decimals, not negative) with the
    portal's words."""
    field = model_form_field(
        WorkOrder,
        "estimated_cost",
        label=ESTIMATED_COST,
        required=required,
        help_text=_(
            "A purchase is approved by your department head, and above ¥5,000 by the director too."
        ),
        error_messages={"required": COST_REQUIRED},
    )
    field.widget.attrs.update({"inputmode": "decimal", "min": "0", "step": "0.01"})
    return field


class OrderForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=PORTAL_KINDS,
        initial=Kind.FAULT.value,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("Choose a category"),
        widget=CategorySelect,
    )
    title = model_form_field(
        WorkOrder,
        "title",
        label=_("Title"),
        required=False,
        help_text=_("One line; left empty, the first line of the description is used."),
    )
    # The text fields' limits are the model's (one source): the desk, the API and the service
    # refuse the same over-long value with the same message.
    description = model_form_field(
        WorkOrder,
        "description",
        label=_("Description"),
        required=True,
        rows=4,
        help_text=_("What happens, since when, and who is affected."),
        error_messages={"required": _("Describe the problem.")},
    )
    location = model_form_field(WorkOrder, "location", label=_("Location"), required=True)
    device = model_form_field(WorkOrder, "device", label=_("Device"), required=False)
    contact = model_form_field(
        WorkOrder, "contact", label=_("Contact phone"), required=True, help_text=""
    )
    # Asked (and required) for a purchase category only: the page shows it then.
    estimated_cost = cost_field()
    attachments = attachments_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].widget.attrs["placeholder"] = _("Building, floor, room")
        self.fields["device"].widget.attrs["placeholder"] = _("Optional: computer, printer, phone…")
        self.fields["contact"].widget.attrs.update({"type": "tel", "autocomplete": "tel"})
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Category.objects.filter(is_active=True).order_by("name")

    def clean_description(self) -> str:
        value = str(self.cleaned_data["description"]).replace("\x00", "").strip()
        if not value:
            raise ValidationError(_("Describe the problem."), code="required")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, category = data.get("kind"), data.get("category")
        if kind and category is not None and category.kind and category.kind != kind:
            self.add_error(
                "category",
                ValidationError(
                    _("The category “%(category)s” is not for this kind of request."),
                    code="kind",
                    params={"category": category.name},
                ),
            )
        if category is not None and category.is_purchase:
            if data.get("estimated_cost") is None and "estimated_cost" not in self.errors:
                self.add_error("estimated_cost", ValidationError(COST_REQUIRED, code="required"))
        elif category is not None:
            data["estimated_cost"] = None  # asked for purchases only
        description = data.get("description") or ""
        if not data.get("title") and description:
            first = description.splitlines()[0].strip()
            data["title"] = first[:60] + ("…" if len(first) > 60 else "")
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "category": d["category"],
            "title": d["title"],
            "description": d["description"],
            "location": d["location"],
            "device": d.get("device", ""),
            "contact": d["contact"],
            "estimated_cost": d.get("estimated_cost"),
            "source": "portal",
        }


class CommentForm(WORKORDER_MACHINE.form_class("comment")):  # type: ignore[misc]
    """The machine's ``comment`` (its body's limit is the model's), with the portal's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        body.label = _("Comment")
        body.widget.attrs.update({"rows": 3, "placeholder": _("Add a comment…")})
        body.error_messages["required"] = _("Write a comment.")

    def clean_body(self) -> str:
        value = str(self.cleaned_data["body"]).replace("\x00", "").strip()
        if not value:
            raise ValidationError(_("Write a comment."), code="required")
        return value


class AttachForm(forms.Form):
    attachments = attachments_field(_("More photos or files"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].required = True


RATINGS = [(i, str(i)) for i in range(1, 6)]


class RateForm(WORKORDER_MACHINE.form_class("rate")):  # type: ignore[misc]
    """The machine's ``rate``, with the portal's words and its star buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rating = self.fields["rating"]
        assert isinstance(rating, forms.TypedChoiceField)
        rating.label = _("Rating")
        rating.choices = RATINGS
        rating.widget = forms.RadioSelect(choices=RATINGS)
        self.fields["comment"].label = _("Your comment on the service")


class ConfirmForm(RateForm):
    """Confirm the fix; the rating may come along (it usually does)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].required = False


class ReopenForm(WORKORDER_MACHINE.form_class("reopen")):  # type: ignore[misc]
    """The machine's ``reopen``, with the portal's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.label = _("Why is it not solved?")
        reason.error_messages["required"] = _("Give a reason.")

    def clean_reason(self) -> str:
        value = str(self.cleaned_data["reason"]).replace("\x00", "").strip()
        if not value:
            raise ValidationError(_("Give a reason."), code="required")
        return value


class ResubmitForm(WORKORDER_MACHINE.form_class("resubmit")):  # type: ignore[misc]
    """The machine's ``resubmit`` (returned for changes), with the portal's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].label = _("Description")
        cost = self.fields["estimated_cost"]
        cost.label = ESTIMATED_COST
        cost.widget.attrs.update({"inputmode": "decimal"})


class WithdrawForm(WORKORDER_MACHINE.form_class("withdraw")):  # type: ignore[misc]
    """The machine's ``withdraw``, with the portal's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why withdraw it? (optional)")
