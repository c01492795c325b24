"""The project's form renderer builds ``<select>`` in Python: its HTML must be exactly what
Django's own templates produce, for every shape of select the project uses."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils import translation

from netdept.core.forms_renderer import FormRenderer, render_select
from netdept.org.models import Department
from netdept.testing.factories import DepartmentFactory

FAST = FormRenderer()
DJANGO = DjangoTemplates()


class Shapes(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "Alpha"), ("b", "Beta & <Gamma>")])
    optional = forms.ChoiceField(
        choices=[("", "---------"), ("1", "一"), ("2", "二")], required=False
    )
    grouped = forms.ChoiceField(
        choices=[
            ("Network", [("sw", "Switch"), ("rt", "Router")]),
            ("Servers", [("vm", 'VM "quoted"')]),
            ("x", "Loose"),
        ]
    )
    multiple = forms.MultipleChoiceField(
        choices=[("1", "P1"), ("2", "P2"), ("3", "P3")], required=False
    )
    disabled = forms.ChoiceField(choices=[("a", "A")], disabled=True, help_text="help")
    numbers = forms.TypedChoiceField(
        choices=[(1, 1.5), (2, datetime.date(2026, 10, 1))], coerce=int
    )
    boolean = forms.NullBooleanField(required=False)
    attrs = forms.ChoiceField(
        choices=[("a", "A")],
        widget=forms.Select(attrs={"data-x": "<y>", "autofocus": True, "hidden": False}),
    )


class DataKindSelect(forms.Select):
    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"]["data-kind"] = "fault"
        return option


class CustomOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


def _html(form_class: type[forms.Form], data: dict[str, Any] | None, renderer: Any) -> str:
    form = form_class(data, renderer=renderer)
    return "".join(str(form[name]) for name in form.fields)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "b", "optional": "2", "grouped": "rt", "multiple": ["1", "3"], "numbers": "2"},
        {"plain": "nope", "grouped": "x", "boolean": "true", "multiple": ["9"]},
    ],
)
def test_selects_render_exactly_as_django(data: dict[str, Any] | None) -> None:
    fast = _html(Shapes, data, FAST)
    assert fast == _html(Shapes, data, DJANGO)
    assert "<select" in fast and "&lt;Gamma&gt;" in fast and "<optgroup" in fast


def test_localized_labels_match_django() -> None:
    with translation.override("zh-hans"), override_settings(USE_THOUSAND_SEPARATOR=True):
        assert _html(Shapes, None, FAST) == _html(Shapes, None, DJANGO)


@pytest.mark.django_db
def test_model_choices_and_custom_option_attrs() -> None:
    DepartmentFactory(name="内科 <1>")
    DepartmentFactory(name="外科")

    class ModelForm(forms.Form):
        dept = forms.ModelChoiceField(Department.objects.order_by("name"), widget=DataKindSelect)
        depts = forms.ModelMultipleChoiceField(Department.objects.order_by("name"))

    first = Department.objects.order_by("name").first()
    assert first is not None
    for data in (None, {"dept": str(first.pk), "depts": [str(first.pk)]}):
        fast = _html(ModelForm, data, FAST)
        assert fast == _html(ModelForm, data, DJANGO)
        assert 'data-kind="fault"' in fast and "内科 &lt;1&gt;" in fast


def test_an_option_template_of_its_own_is_left_to_django() -> None:
    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "A")], widget=CustomOption)

    form = Form(renderer=FAST)
    context = form["pick"].field.widget.get_context("pick", None, {})
    assert render_select(context["widget"]) is None
    assert str(form["pick"]) == str(Form(renderer=DJANGO)["pick"])


def test_the_project_uses_it() -> None:
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
