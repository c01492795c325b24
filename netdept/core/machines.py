"""State machines declared once per model: states, transitions, who may take each, the fields
each needs and the service function that does it.

From one ``Machine`` declaration the platform generates the action buttons and forms of a
detail page (``netdept.core.views.transitions``), the API actions
``POST /api/v1/<app>/<model>s/{id}/<name>/`` with their OpenAPI schema
(``netdept.api.transitions``) and the allowed-action list of the detail answer.

The machine only routes: the handler (a service function, named by its dotted path so that
services may import the machine) owns the change — one transaction, the audit record, SLA hooks,
notifications. ``Machine.run`` refuses a transition the user may not take (``PermissionDenied``,
audited as a denial) or that the current state does not allow (``ValidationError`` naming the
state: the API answers 400, the page 422), validates the input through the generated form (a
field-level message in the user's language, nothing saved) and then calls the handler with the
cleaned data as keyword arguments: ``handler(user, obj, **cleaned)``.

A field is a model field (its type, label, choices and limits are the model's: one source) or
an extra field (type, required, limits declared here). ``check_machines`` (a Django system
check) verifies every handler exists and every state is reachable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django import forms
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import DecimalValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from netdept.core import audit, permissions
from netdept.core.models.audit import AuditAction

#: ``Transition.source`` for "from any state"
ANY = "*"
#: ``Transition.target`` for "the handler decides" (reopen: new or in progress)
COMPUTED = "<computed>"

Predicate = Callable[[Any, Any], bool]


# --- who may -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Who:
    """One kind of actor: holds ``permission`` (on the object, within their scope) and passes
    ``test(user, obj)``; either may be left out. A transition lists the kinds that may take it.
    ``name`` is what a denial records (``extra.permission`` of the audit record)."""

    name: str
    permission: str = ""
    test: Predicate | None = None

    def allows(self, user: Any, obj: Any, memo: dict[str, bool] | None = None) -> bool:
        """``memo`` keeps the answers of permission checks on ``obj`` for one reading of the
        allowed transitions (one query per permission, not one per transition)."""
        if user is None:
            return True  # the system (tasks, commands)
        if self.permission:
            if memo is None or self.permission not in memo:
                held = permissions.has_perm(user, self.permission, obj)
                if memo is None:
                    return held and (self.test is None or bool(self.test(user, obj)))
                memo[self.permission] = held
            if not memo[self.permission]:
                return False
        return self.test is None or bool(self.test(user, obj))


# --- fields ------------------------------------------------------------------------------------
TEXT, TEXTAREA, INTEGER, BOOLEAN, CHOICE, MODEL, FILE = (
    "text",
    "textarea",
    "integer",
    "boolean",
    "choice",
    "model",
    "file",
)


#: the scheme an address typed without one gets ("intranet.example/x" → https://…); Django 6's
#: default, said here so that forms built from models agree (``core.views.generic``)
URL_SCHEME = "https"


def model_formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """The form field of a model field in a form the generic stack builds (the
    ``formfield_callback`` of its model forms): an address assumes ``URL_SCHEME``."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", URL_SCHEME)
    return field.formfield(**kwargs)


@dataclass(frozen=True)
class Field:
    """A field a transition needs. ``model_field`` names a field of the machine's model whose
    type, label, choices and limits are used (anything set here overrides them); otherwise
    ``kind`` and the limits here describe it."""

    name: str
    model_field: str = ""
    of: type[models.Model] | None = None  # the model of ``model_field`` (default: the machine's)
    kind: str = TEXT
    label: Any = None
    required: bool | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    choices: Any = None  # a list of (value, label) or a callable returning one
    coerce: Callable[[Any], Any] | None = None
    queryset: Callable[[], models.QuerySet[Any]] | None = None
    help_text: Any = None
    rows: int = 3
    error_messages: dict[str, Any] | None = None
    hidden: bool = False
    #: ``when(obj)``: is the field asked for on this object (e.g. a lead's registration
    #: number)? When not, the object's form (``Machine.form_for``) leaves it out.
    when: Callable[[Any], bool] | None = None

    def form_field(self, model: type[models.Model]) -> forms.Field:
        kw: dict[str, Any] = {}
        if self.label is not None:
            kw["label"] = self.label
        if self.help_text is not None:
            kw["help_text"] = self.help_text
        if self.required is not None:
            kw["required"] = self.required
        if self.error_messages:
            kw["error_messages"] = self.error_messages
        ff = self._from_model(model, kw) if self.model_field else self._declared(kw)
        if self.hidden:
            ff.widget = forms.HiddenInput()
        return ff

    def _from_model(self, model: type[models.Model], kw: dict[str, Any]) -> forms.Field:
        mf = (self.of or model)._meta.get_field(self.model_field)
        if self.max_length is not None:
            kw["max_length"] = self.max_length
        if self.queryset is not None:
            kw["queryset"] = self.queryset()
        if self.choices is not None:
            kw["choices"] = self.choices() if callable(self.choices) else self.choices
            kw.setdefault("choices_form_class", forms.TypedChoiceField)
        if isinstance(mf, models.TextField):
            kw.setdefault("widget", forms.Textarea(attrs={"rows": self.rows}))
        if isinstance(mf, models.URLField):
            kw.setdefault("assume_scheme", URL_SCHEME)
        ff = mf.formfield(**kw)  # type: ignore[union-attr]
        if ff is None:
            raise FieldDoesNotExist(f"{model.__name__}.{self.model_field} has no form field")
        return ff

    def _declared(self, kw: dict[str, Any]) -> forms.Field:
        kw.setdefault("required", True)
        kind = self.kind
        if kind in (TEXT, TEXTAREA):
            if kind == TEXTAREA:
                kw["widget"] = forms.Textarea(attrs={"rows": self.rows})
            return forms.CharField(max_length=self.max_length, **kw)
        if kind == INTEGER:
            return forms.IntegerField(min_value=self.min_value, max_value=self.max_value, **kw)
        if kind == BOOLEAN:
            kw["required"] = self.required or False
            return forms.BooleanField(**kw)
        if kind == CHOICE:
            choices = self.choices() if callable(self.choices) else self.choices
            if self.coerce is not None:
                return forms.TypedChoiceField(
                    choices=choices, coerce=self.coerce, empty_value=None, **kw
                )
            return forms.ChoiceField(choices=choices, **kw)
        if kind == MODEL:
            assert self.queryset is not None, f"{self.name}: a model field needs a queryset"
            return forms.ModelChoiceField(queryset=self.queryset(), **kw)
        if kind == FILE:
            return forms.FileField(**kw)
        raise ValueError(f"unknown field kind {kind!r}")


def empty_value(ff: forms.Field) -> Any:
    """What the form gives for a field left empty (the API gives the same)."""
    if isinstance(ff, forms.BooleanField):
        return False
    if isinstance(ff, forms.TypedChoiceField):
        return ff.empty_value
    if isinstance(ff, forms.CharField):
        return ff.empty_value
    if isinstance(ff, forms.ChoiceField) and not isinstance(ff, forms.ModelChoiceField):
        return ""
    return None


def serializer_field(ff: forms.Field) -> serializers.Field[Any, Any, Any, Any]:
    """The DRF field of a form field: same type, same limits, same validators (so the same
    messages in the same language)."""
    kw: dict[str, Any] = {"required": ff.required, "label": ff.label}
    if ff.help_text:
        kw["help_text"] = ff.help_text
    django_validators = [
        v for v in ff.validators if not isinstance(v, ProhibitNullCharactersValidator)
    ]
    if isinstance(ff, forms.ModelChoiceField):
        assert ff.queryset is not None
        return serializers.PrimaryKeyRelatedField(
            queryset=ff.queryset, allow_null=not ff.required, **kw
        )
    if isinstance(ff, forms.ChoiceField):
        offered: Any = ff.choices
        choices = [(k, v) for k, v in offered if k not in ("", None)]
        return serializers.ChoiceField(
            choices=choices, allow_null=not ff.required, allow_blank=not ff.required, **kw
        )
    if isinstance(ff, forms.BooleanField):
        kw["required"] = False
        return serializers.BooleanField(default=False, **kw)
    if isinstance(ff, forms.DecimalField):  # before IntegerField: a subclass of it
        return serializers.DecimalField(
            max_digits=ff.max_digits,
            decimal_places=ff.decimal_places,
            validators=[v for v in django_validators if not isinstance(v, DecimalValidator)],
            allow_null=not ff.required,
            **kw,
        )
    if isinstance(ff, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not ff.required, **kw)
    if isinstance(ff, forms.DateField):
        return serializers.DateField(allow_null=not ff.required, **kw)
    if isinstance(ff, forms.TimeField):
        return serializers.TimeField(allow_null=not ff.required, **kw)
    if isinstance(ff, forms.IntegerField):
        return serializers.IntegerField(
            validators=django_validators, allow_null=not ff.required, **kw
        )
    required_msg = forms.CharField().error_messages["required"]
    if isinstance(ff, forms.FileField):
        return serializers.FileField(error_messages={"required": required_msg}, **kw)
    if isinstance(ff, forms.CharField):
        return serializers.CharField(
            allow_blank=not ff.required,
            validators=django_validators,
            error_messages={"blank": required_msg, "required": required_msg},
            **kw,
        )
    raise TypeError(f"no API field for {type(ff).__name__}")


def model_form_field(model: type[models.Model], name: str, **overrides: Any) -> forms.Field:
    """The form field of ``model.name`` (its label, choices and limits), with ``overrides``
    (``required``, ``label``, ``help_text``…) — for forms outside a machine."""
    return Field(name, model_field=name, **overrides).form_field(model)


def model_serializer_field(
    model: type[models.Model], name: str, **overrides: Any
) -> serializers.Field[Any, Any, Any, Any]:
    """The API field of ``model.name``: the same limits and messages as its form field."""
    return serializer_field(model_form_field(model, name, **overrides))


# --- transitions -------------------------------------------------------------------------------
REFUSED = gettext_lazy("This action is not possible while the record is %(status)s.")
UPDATED = gettext_lazy("%(object)s was updated.")


class _Params(dict[str, str]):
    """``%(name)s`` of a message: ``object`` is the object, any other name its attribute."""

    def __init__(self, obj: Any) -> None:
        super().__init__(object=str(obj))
        self.obj = obj

    def __missing__(self, key: str) -> str:
        return str(getattr(self.obj, key, ""))


def message(text: Any, obj: Any) -> str:
    """``text`` (a transition's ``done`` or ``confirm``) filled in for ``obj``."""
    return str(text) % _Params(obj)


@dataclass(frozen=True)
class Transition:
    """One transition. ``source``: the states it may start from (``ANY``: every state);
    ``target``: the state it leads to (``COMPUTED``: the handler decides; ``None``: the state
    does not change, e.g. a comment). ``who``: the kinds of actors that may take it (any of
    them; none listed: whoever may change the object). ``when(obj)``: a further condition of
    availability (a deadline…); the handler gives the precise refusal. ``handler``: the dotted
    path of the service function ``f(user, obj, **fields)``. ``group`` places the button
    ("" the action bar, "inline" beside the conversation…)."""

    name: str
    label: Any
    source: Sequence[str]
    target: str | None
    handler: str
    who: Sequence[Who] = ()
    fields: Sequence[Field] = ()
    when: Callable[[Any], bool] | None = None
    refusal: Any = REFUSED
    icon: str = "bi-arrow-right-circle"
    style: str = "outline-primary"
    confirm: Any = ""
    done: Any = UPDATED
    order: int = 100
    group: str = ""
    initial: Callable[[Any], dict[str, Any]] | None = None
    api: bool = True  # an API action is generated
    versioned: bool = True  # carries ``expected_version`` when the machine has a version field

    def from_state(self, state: str) -> bool:
        return ANY in self.source or state in self.source


@dataclass(frozen=True)
class BoundTransition:
    """A transition offered to one user on one object (what a page renders as a button)."""

    transition: Transition
    url: str

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> Any:
        return self.transition.label

    @property
    def icon(self) -> str:
        return self.transition.icon

    @property
    def style(self) -> str:
        return self.transition.style

    @property
    def confirm(self) -> Any:
        return self.transition.confirm

    @property
    def group(self) -> str:
        return self.transition.group

    @property
    def needs_input(self) -> bool:
        return bool(self.transition.fields)


class Machine:
    """The state machine of ``model``: the state lives in ``state_field`` (its choices are the
    states unless ``states`` are given).

    ``version_field``: the field of optimistic locking; every generated form and serializer
    then carries ``expected_version`` (hidden) and passes it to the handler.
    ``handler_checks_state``: the handlers refuse a wrong state themselves, inside their
    transaction (they read ``source`` and ``refusal`` from here); ``run`` then leaves the state
    check to them so that a lost race answers as a conflict, not as a refusal.
    ``denied``: called when a user may not take a transition (default: an audit record).
    ``external_states``: states an engine reaches without a transition of this machine (an
    approval request becomes approved when its last step is; a decision is not needed any
    more when the step's quorum is reached): the reachability check counts them as reached.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        transitions: Iterable[Transition],
        state_field: str = "status",
        states: Sequence[tuple[str, Any]] | None = None,
        initial_states: Sequence[str] | None = None,
        version_field: str = "",
        handler_checks_state: bool = False,
        default_who: Sequence[Who] = (),
        external_states: Sequence[str] = (),
    ) -> None:
        self.model = model
        self.external_states = tuple(str(v) for v in external_states)
        self.state_field = state_field
        if states is None:
            states = list(model._meta.get_field(state_field).choices or [])  # type: ignore[union-attr]
        self.states: list[tuple[str, Any]] = [(str(v), label) for v, label in states]
        default = model._meta.get_field(state_field).default  # type: ignore[union-attr]
        self.initial_states = list(initial_states or ([str(default)] if default else []))
        self.version_field = version_field
        self.handler_checks_state = handler_checks_state
        if not default_who:
            label = model._meta.label_lower.split(".")
            perm = f"{label[0]}.change_{label[1]}"
            default_who = (Who(perm, permission=perm),)
        self.default_who = tuple(default_who)
        items = sorted(transitions, key=lambda t: t.order)
        self.transitions: dict[str, Transition] = {}
        for t in items:
            if t.name in self.transitions:
                raise ValueError(f"transition {t.name!r} declared twice")
            self.transitions[t.name] = t

    # --- reading ---------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def __contains__(self, name: object) -> bool:
        return name in self.transitions

    def names(self) -> list[str]:
        return list(self.transitions)

    def state_of(self, obj: Any) -> str:
        return str(getattr(obj, self.state_field))

    def state_label(self, state: str) -> str:
        return str(dict(self.states).get(state, state))

    def who_of(self, t: Transition) -> tuple[Who, ...]:
        return tuple(t.who) or self.default_who

    # --- who may do what now ---------------------------------------------------------------
    def may(self, user: Any, obj: Any, name: str, memo: dict[str, bool] | None = None) -> bool:
        """May ``user`` take ``name`` on ``obj`` (ignoring the state)?"""
        return any(w.allows(user, obj, memo) for w in self.who_of(self.transitions[name]))

    def is_available(
        self, obj: Any, user: Any, name: str, memo: dict[str, bool] | None = None
    ) -> bool:
        t = self.transitions[name]
        return (
            t.from_state(self.state_of(obj))
            and (t.when is None or bool(t.when(obj)))
            and self.may(user, obj, name, memo)
        )

    def allowed(self, obj: Any, user: Any) -> list[str]:
        """The names of the transitions ``user`` may take on ``obj`` now, in order (each
        permission on ``obj`` is asked once)."""
        memo: dict[str, bool] = {}
        return [n for n in self.transitions if self.is_available(obj, user, n, memo)]

    def available(
        self,
        obj: Any,
        user: Any,
        url: Callable[[Any, str], str] | None = None,
        *,
        only: Iterable[str] | None = None,
    ) -> list[BoundTransition]:
        """The transitions ``user`` may take on ``obj`` now, each with the URL of its form
        (``url(obj, name)``; none given: empty)."""
        names = self.allowed(obj, user)
        if only is not None:
            keep = set(only)
            names = [n for n in names if n in keep]
        return [BoundTransition(self.transitions[n], url(obj, n) if url else "") for n in names]

    # --- forms and serializers -------------------------------------------------------------
    @functools.cache  # noqa: B019 (machines live as long as the process)
    def form_class(self, name: str) -> type[forms.Form]:
        t = self.transitions[name]
        attrs: dict[str, Any] = {}
        for f in t.fields:
            attrs[f.name] = f.form_field(self.model)
        if self.version_field and t.versioned:
            attrs["expected_version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=1
            )
        cls_name = f"{self.model.__name__}{name.title().replace('_', '')}Form"
        return type(cls_name, (forms.Form,), attrs)

    def initial(self, name: str, obj: Any) -> dict[str, Any]:
        t = self.transitions[name]
        data = dict(t.initial(obj)) if t.initial else {}
        if self.version_field and t.versioned and obj is not None:
            data["expected_version"] = getattr(obj, self.version_field)
        return data

    def form_for(
        self, name: str, obj: Any = None, data: Any = None, files: Any = None
    ) -> forms.Form:
        """The form of ``name``: bound to ``data``/``files`` if given, else with the initial
        values of ``obj``."""
        cls = self.form_class(name)
        form = cls(data, files) if data is not None else cls(initial=self.initial(name, obj))
        if obj is not None:
            for f in self.transitions[name].fields:
                if f.when is not None and not f.when(obj):
                    form.fields.pop(f.name, None)
        return form

    @functools.cache  # noqa: B019
    def serializer_for(self, name: str) -> type[serializers.Serializer[Any]]:
        """The input serializer of ``name``: the same fields, limits and messages as its form."""
        form = self.form_class(name)()
        attrs: dict[str, Any] = {n: serializer_field(ff) for n, ff in form.fields.items()}
        if "expected_version" in attrs:
            attrs["expected_version"] = serializers.IntegerField(
                required=False,
                min_value=1,
                help_text=_("The version you saw: a change by someone else is refused (409)."),
            )
        cls_name = f"{self.model.__name__}{name.title().replace('_', '')}Serializer"
        return type(cls_name, (serializers.Serializer,), attrs)

    def cleaned_from_api(self, name: str, validated: dict[str, Any]) -> dict[str, Any]:
        """The serializer's data completed like a form's cleaned data (absent → empty)."""
        form = self.form_class(name)()
        out = {n: validated.get(n, empty_value(ff)) for n, ff in form.fields.items()}
        for n, v in list(out.items()):
            if v is None and isinstance(form.fields[n], forms.CharField):
                out[n] = ""
        return out

    # --- running ---------------------------------------------------------------------------
    def require(self, name: str, user: Any, obj: Any) -> Transition:
        """Refuse (``PermissionDenied``, audited; ``ValidationError`` for the state) unless
        ``user`` may take ``name`` on ``obj`` now. Unknown names are a ``KeyError``."""
        t = self.transitions[name]
        whos = self.who_of(t)
        if not any(w.allows(user, obj) for w in whos):
            audit.record(AuditAction.DENIED, obj, actor=user, extra={"permission": whos[0].name})
            raise PermissionDenied(whos[0].name)
        if not self.handler_checks_state:
            state = self.state_of(obj)
            if not t.from_state(state):
                raise ValidationError(
                    {
                        self.state_field: [
                            str(t.refusal) % {"status": self.state_label(state), "action": t.label}
                        ]
                    },
                    code="state",
                )
        return t

    def handler(self, name: str) -> Callable[..., Any]:
        return resolve(self.transitions[name].handler)

    def execute(self, name: str, user: Any, obj: Any, cleaned: dict[str, Any]) -> Any:
        """Call the handler with cleaned data (from the generated form or serializer)."""
        kwargs = {k: v for k, v in cleaned.items() if not (k == "expected_version" and v is None)}
        return self.handler(name)(user, obj, **kwargs)

    def take(self, name: str, user: Any, obj: Any, cleaned: dict[str, Any]) -> Any:
        """``require`` then ``execute``: for a caller whose own form (a subclass of the
        generated one) has already cleaned the input."""
        self.require(name, user, obj)
        return self.execute(name, user, obj, cleaned)

    def run(self, name: str, user: Any, obj: Any, data: Any, files: Any = None) -> Any:
        """Check, validate ``data`` through the generated form, call the handler. Bad input is
        a ``ValidationError`` naming the fields (nothing is saved)."""
        if name not in self.transitions:
            raise ValidationError(_("Unknown action %(name)s.") % {"name": name}, code="unknown")
        self.require(name, user, obj)
        form = self.form_for(name, obj, data=data or {}, files=files)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()}, code="invalid")
        return self.execute(name, user, obj, form.cleaned_data)

    # --- checking the declaration ----------------------------------------------------------
    def problems(self) -> list[str]:
        """What is wrong with the declaration (empty when sound)."""
        out: list[str] = []
        values = {v for v, _label in self.states}
        for t in self.transitions.values():
            try:
                fn = resolve(t.handler)
                if not callable(fn):
                    out.append(f"{t.name}: handler {t.handler} is not callable")
            except (ImportError, AttributeError, ValueError):
                out.append(f"{t.name}: handler {t.handler} does not exist")
            for s in t.source:
                if s != ANY and s not in values:
                    out.append(f"{t.name}: unknown source state {s!r}")
            if t.target not in (None, COMPUTED) and t.target not in values:
                out.append(f"{t.name}: unknown target state {t.target!r}")
            for f in t.fields:
                try:
                    f.form_field(self.model)
                except Exception as exc:
                    out.append(f"{t.name}: field {f.name}: {exc}")
        reachable = set(self.initial_states) | set(self.external_states)
        changed = True
        while changed:
            changed = False
            for t in self.transitions.values():
                if t.target in (None, COMPUTED):
                    continue
                if (ANY in t.source or reachable & set(t.source)) and t.target not in reachable:
                    reachable.add(t.target)
                    changed = True
        computed = any(t.target == COMPUTED for t in self.transitions.values())
        for v in values - reachable:
            if not computed:
                out.append(f"state {v!r} is not reachable")
        return out

    def __repr__(self) -> str:
        return f"<Machine {self.model._meta.label}: {', '.join(self.transitions)}>"


def resolve(path: str | Callable[..., Any]) -> Callable[..., Any]:
    """The function at the dotted ``path`` (``pkg.module.func``)."""
    if callable(path):
        return path
    module, _dot, attr = path.rpartition(".")
    if not module:
        raise ValueError(path)
    fn: Callable[..., Any] = getattr(import_module(module), attr)
    return fn


# --- the registry and the system check ---------------------------------------------------------
_MACHINES: dict[type[models.Model], Machine] = {}


def register(machine: Machine) -> Machine:
    _MACHINES[machine.model] = machine
    return machine


def machine_of(model: type[models.Model]) -> Machine | None:
    return _MACHINES.get(model)


def machines() -> list[Machine]:
    return list(_MACHINES.values())


@checks.register()
def check_machines(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every registered machine's handlers exist and its states are reachable."""
    return [
        checks.Error(problem, obj=repr(m), id="netdept.E301")
        for m in machines()
        for problem in m.problems()
    ]


def field_limit(model: type[models.Model], name: str) -> int | None:
    """The maximum length declared on ``model.name`` (the one source of a text limit)."""
    value = model._meta.get_field(name).max_length  # type: ignore[union-attr]
    return int(value) if value else None


__all__ = [
    "ANY",
    "COMPUTED",
    "BoundTransition",
    "Field",
    "Machine",
    "Transition",
    "Who",
    "check_machines",
    "empty_value",
    "field_limit",
    "machine_of",
    "machines",
    "message",
    "model_form_field",
    "model_serializer_field",
    "register",
    "resolve",
    "serializer_field",
]
