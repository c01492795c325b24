"""The forms of the regulations register's own pages: importing a site's regulation text
(upload or paste, then a preview before anything is saved)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from netdept.core import permissions
from netdept.duties import importer, records
from netdept.duties.models import ArticleLink, Regulation
from netdept.duties.models.regulations import MAX_SOURCE_TEXT, RegulationVersion


class ImportForm(forms.Form):
    regulation = forms.ModelChoiceField(
        label=_("regulation"), queryset=Regulation.objects.none(), empty_label=None
    )
    label = forms.CharField(
        label=_("version"),
        max_length=RegulationVersion._meta.get_field("label").max_length,
        help_text=_("2026 edition, v2…"),
    )
    effective_date = forms.DateField(
        label=_("effective date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    file = forms.FileField(
        label=_("file (.txt or .docx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx"}),
    )
    text = forms.CharField(
        label=_("or paste the text"),
        required=False,
        max_length=MAX_SOURCE_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    keep_preamble = forms.BooleanField(
        label=_("keep the text before the first article as an article (preface)"), required=False
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Regulation.objects.filter(is_active=True).order_by("title")
        field = self.fields["regulation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = permissions.restrict(qs, user, "view") if user is not None else qs.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        text = (data.get("text") or "").strip()
        if upload is not None:
            try:
                text = importer.read_upload(upload.name, upload.read())
            except ValidationError as exc:
                self.add_error("file", exc.message_dict.get("file", exc.messages))
                return data
        if not text:
            self.add_error("text", _("Upload a file or paste the text."))
            return data
        regulation = data.get("regulation")
        label = data.get("label")
        if regulation and label and regulation.versions.filter(label=label).exists():
            self.add_error("label", _("This regulation already has a version with this label."))
        data["source"] = text
        return data


class ArticleLinkForm(forms.ModelForm[ArticleLink]):
    """An article encoded by another module's rule: the kinds offered are NetDept's own."""

    class Meta:
        model = ArticleLink
        fields = ["article", "target_type", "target_id", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = self.fields["target_type"]
        assert isinstance(kinds, forms.ModelChoiceField)
        kinds.queryset = records.rule_types()
