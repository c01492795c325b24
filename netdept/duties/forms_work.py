"""The form a person fills in to submit an occurrence, built for its duty: only the evidence
the duty asks for (text, a number with its unit, the checklist's items, photos from the phone's
camera or files, records of another module). Its field names are the service's
(``services.occurrences.submit``), so a refusal of the service lands under the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netdept.core import permissions
from netdept.duties.models import EvidenceKind, Occurrence
from netdept.duties.models.duties import MAX_EVIDENCE_TEXT
from netdept.duties.services import occurrences

#: records of the duty's kind offered to pick from (the most recent the person may see)
RECORD_CHOICES = 30


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (``<input type="file" multiple>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class SubmitForm(forms.Form):
    """The evidence of one occurrence (its duty decides the fields)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, occ: Occurrence, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.occ = occ
        self.user = user
        duty = occ.duty
        kind = duty.evidence_kind
        self.kind = kind
        self.initial.setdefault("expected_version", occ.version)
        self.fields["text"] = forms.CharField(
            label=_("what was done") if kind == EvidenceKind.TEXT else _("note"),
            required=kind == EvidenceKind.TEXT,
            max_length=MAX_EVIDENCE_TEXT,
            widget=forms.Textarea(attrs={"rows": 4 if kind == EvidenceKind.TEXT else 2}),
            initial=occ.text,
        )
        if kind == EvidenceKind.NUMBER:
            unit = duty.evidence_unit
            self.fields["number"] = forms.DecimalField(
                label=_("how many (%(unit)s)") % {"unit": unit} if unit else _("quantity"),
                max_digits=12,
                decimal_places=2,
                required=True,
                min_value=0,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                initial=occ.number,
            )
            if duty.evidence_min is not None:
                self.fields["number"].help_text = _("At least %(min)s.") % {
                    "min": occurrences.plain_number(duty.evidence_min)
                }
        if kind == EvidenceKind.CHECKLIST:
            items = [str(i) for i in duty.checklist or []]
            self.fields["checklist"] = forms.MultipleChoiceField(
                label=_("checklist"),
                choices=[(i, i) for i in items],
                widget=forms.CheckboxSelectMultiple,
                required=True,
                initial=occ.checklist_done,
                error_messages={"required": _("Tick every item of the checklist.")},
            )
        if kind in (EvidenceKind.PHOTO, EvidenceKind.FILE):
            has_before = occ.evidence.filter(kind=kind).exists()
            attrs = {"class": "dw-files"}
            if kind == EvidenceKind.PHOTO:
                attrs.update({"accept": "image/*", "capture": "environment"})
            self.fields["files"] = MultipleFileField(
                label=_("photos") if kind == EvidenceKind.PHOTO else _("files"),
                required=not has_before,
                widget=MultipleFileInput(attrs=attrs),
                help_text=_("Up to %(count)s at once, each at most %(size)s MB.")
                % {"count": occurrences.MAX_FILES,
                   "size": occurrences.max_file_bytes() // (1024 * 1024)},
                error_messages={
                    "required": _("Take a photo: this duty asks for one.")
                    if kind == EvidenceKind.PHOTO
                    else _("Add a file: this duty asks for one.")
                },
            )  # fmt: skip
        if kind == EvidenceKind.RECORD:
            self.fields["records"] = forms.MultipleChoiceField(
                label=_("records"),
                choices=self.record_choices(),
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields["record_ids"] = forms.CharField(
                label=_("other record numbers"),
                required=False,
                max_length=500,
                help_text=_("Separated by commas or spaces."),
            )

    def record_choices(self) -> list[tuple[str, str]]:
        ct = self.occ.duty.record_type
        model = ct.model_class() if ct is not None else None
        if model is None:
            return []
        qs = permissions.restrict(model._default_manager.all(), self.user, "view")
        return [(str(r.pk), str(r)) for r in qs.order_by("-pk")[:RECORD_CHOICES]]

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as the service takes it (records resolved: unknown ids refused
        naming them)."""
        data = self.cleaned_data
        out: dict[str, Any] = {
            "text": data.get("text", ""),
            "number": data.get("number"),
            "checklist": data.get("checklist"),
            "files": data.get("files") or [],
            "expected_version": data.get("expected_version"),
        }
        if self.kind == EvidenceKind.RECORD:
            ids = list(data.get("records") or [])
            extra = (data.get("record_ids") or "").replace("，", ",").replace(",", " ").split()
            ids += [i for i in extra if i not in ids]
            out["records"] = occurrences.records_by_id(self.occ.duty, ids, self.user)
        return out
