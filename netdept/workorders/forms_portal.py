"""Forms of the requester portal (报修 / 我的工单): few fields, big touch targets.

The forms only parse and check the shape of the input; the rules (who may, in which state,
attachment size and type) belong to ``netdept.workorders.services``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from netdept.workorders.models import Category, Kind

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
        return option


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
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("One line; left empty, the first line of the description is used."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happens, since when, and who is affected."),
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Building, floor, room")}),
    )
    device = forms.CharField(
        label=_("Device"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Optional: computer, printer, phone…")}),
    )
    contact = forms.CharField(
        label=_("Contact phone"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    attachments = attachments_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
            "source": "portal",
        }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Add a comment…")}),
    )

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


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=RATINGS,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose between 1 and 5 stars."),
            "required": _("Choose between 1 and 5 stars."),
        },
    )
    comment = forms.CharField(
        label=_("Your comment on the service"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConfirmForm(RateForm):
    """Confirm the fix; the rating may come along (it usually does)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].required = False


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not solved?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reason(self) -> str:
        value = str(self.cleaned_data["reason"]).replace("\x00", "").strip()
        if not value:
            raise ValidationError(_("Give a reason."), code="required")
        return value
