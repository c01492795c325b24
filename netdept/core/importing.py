"""Excel / CSV import with a preview, for any registered page: all or nothing, every bad row named.

An ``Importer`` reads a file once (``read``: the columns it recognises and the non-blank rows,
see ``core.import_files``), validates the rows against the database as it is now without
writing anything (``validate``: every row gets an action — create, update, unchanged — and its
problems, each naming the row and the column) and writes them through the page's service in one
transaction (``apply``): one bad row, and nothing is saved. The preview also runs the writes in
a transaction that is rolled back (``trial``), so the service's own rules and the scope of the
rows created are checked before the user confirms.

``ModelImporter`` is the generic importer of a page: its columns are the page's fields (header
= the field's verbose name; the Chinese or English name or the field name is accepted), an
existing row is matched by the natural key (``import_key``), a foreign key by the natural key of
the linked model among the rows the importing user may see, a choice by its value or label, a
boolean by 是/否/yes/no/true/false/1/0; each row is validated through the page's form. An app
with its own rules subclasses ``Importer`` (or ``ModelImporter``) in ``<app>/importer.py`` and
registers it with ``register_importer``; that module is imported on first use.

Per-model declarations (class attributes of the model, all optional)::

    import_key = ("code",)         # the fields that find the existing row a file row updates
    natural_key = "code"           # the field a file names a row of this model by (a link)

Without them the key is guessed: the first unique text field of ``code``, ``number``,
``employee_no``, ``username``, ``name``, then any unique text field.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django import forms
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models, transaction
from django.utils import translation
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

from netdept.core import audit, permissions
from netdept.core.import_files import (
    MAX_BYTES,
    MAX_ROWS,
    Column,
    ImportFileError,
    Sheet,
    forget,
    load,
    norm,
    read_sheet,
    store,
)
from netdept.core.import_files import (
    import_dir as import_dir,
)
from netdept.core.machines import model_formfield
from netdept.core.models.audit import AuditAction
from netdept.core.registry import page_for
from netdept.core.services import ModelService, require, service_for

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
GUESSED_KEYS = ("code", "number", "employee_no", "username", "name")
TRUE = {"1", "true", "yes", "y", "是", "对", "真", "√", "on"}
FALSE = {"0", "false", "no", "n", "否", "不", "错", "假", "×", "off"}


@dataclass
class RowResult:
    row: int  # the row number shown by Excel
    values: dict[str, str]
    action: str = CREATE
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    obj: Any = None  # the existing record (update / unchanged)
    data: dict[str, Any] = field(default_factory=dict)  # field values to write
    refs: dict[str, str] = field(default_factory=dict)  # field → natural key (importer's own)
    new_refs: dict[str, tuple[int, str]] = field(default_factory=dict)  # importer's own
    error_keys: set[str] = field(default_factory=set, repr=False)
    field_errors: list[dict[str, str]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    kind: str
    columns: list[tuple[str, str]]  # (key, header as written in the file), in file order
    rows: list[RowResult]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, "error": 0}
        for r in self.rows:
            counts["error" if r.errors else r.action] += 1
        return counts

    @property
    def bad_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    def as_json(self) -> dict[str, Any]:
        """The per-row outcome, as the API answers it."""
        return {
            "ok": self.ok,
            "counts": self.counts,
            "rows": [
                {
                    "row": r.row,
                    "action": "error" if r.errors else r.action,
                    "errors": r.field_errors,
                    "notes": r.notes,
                }
                for r in self.rows
            ],
        }


class ImportRejected(ValidationError):
    """Rows were refused (when read, or by a service when written): nothing was saved."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(
            _("%(count)s rows have problems; nothing was imported.")
            % {"count": len(result.bad_rows)}
        )
        self.result = result


class _Rollback(Exception):
    pass


class RowErrors:
    """Collects the errors of one row, naming the column as it is written in the file."""

    def __init__(self, result: RowResult, headers: Mapping[str, str]) -> None:
        self.result = result
        self.headers = headers

    def error(self, key: str | None, message: str) -> None:
        if key is not None:
            self.result.error_keys.add(key)
        column = self.headers.get(key or "", "")
        self.result.field_errors.append({"column": column, "field": key or "", "message": message})
        if not column:
            self.result.errors.append(message)
        else:
            self.result.errors.append(
                _("%(column)s: %(message)s") % {"column": column, "message": message}
            )

    def validation_error(self, exc: ValidationError, field_to_key: Mapping[str, str]) -> None:
        if hasattr(exc, "error_dict"):
            for name, errs in exc.error_dict.items():
                key = field_to_key.get(name) if name != NON_FIELD_ERRORS else None
                if key is not None and key in self.result.error_keys:
                    continue  # already explained, in the importer's own words
                for e in errs:
                    for msg in e.messages:
                        self.error(key, msg)
        else:
            for msg in exc.messages:
                self.error(None, msg)


def find_duplicates(
    rows: list[RowResult], key: str | tuple[str, ...], headers: Mapping[str, str]
) -> None:
    """Name every row whose ``key`` value (or values) appears in another row of the file too."""
    keys = (key,) if isinstance(key, str) else key

    def value(r: RowResult) -> str:
        parts = [r.values.get(k, "") for k in keys]
        return " / ".join(parts) if any(parts) else ""

    seen: dict[str, list[int]] = {}
    for r in rows:
        if value(r):
            seen.setdefault(value(r), []).append(r.row)
    for r in rows:
        numbers = seen.get(value(r), [])
        if len(numbers) > 1:
            others = "、".join(str(n) for n in numbers if n != r.row)
            RowErrors(r, headers).error(
                keys[-1],
                _("%(value)s appears more than once in the file (also in rows %(rows)s).")
                % {"value": value(r), "rows": others},
            )


def visible_ids(model: type[models.Model], ids: Iterable[Any], user: Any, action: str) -> set[Any]:
    """The ids among ``ids`` that ``user`` may ``action`` (all of them without a user)."""
    qs = model._default_manager.filter(pk__in=set(ids))
    if user is not None:
        qs = permissions.restrict(qs, user, action)
    return set(qs.values_list("pk", flat=True))


def in_other_language(text: Any) -> tuple[str, str]:
    """A lazily translated text in Chinese and in English."""
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return zh, en


def parse_bool(text: str) -> bool | None:
    t = norm(text)
    return True if t in TRUE else False if t in FALSE else None


# --- the importer ----------------------------------------------------------------------------
class Importer:
    """Reads, validates and writes the rows of one kind of file. Subclass and override
    ``get_columns``, ``check`` (validate the rows: set each row's action, data, errors) and
    ``write`` (write the rows through services; return the counts)."""

    model: type[models.Model]
    kind: str = ""  # what the stored preview is tied to; the model's label by default
    trial_run: ClassVar[bool] = True  # the preview runs the writes and rolls them back
    trial_max_rows: ClassVar[int] = 500  # beyond, the preview checks forms only (time)
    examples: ClassVar[list[list[str]]] = []

    def __init__(self, model: type[models.Model] | None = None) -> None:
        if model is not None:
            self.model = model
        self.kind = self.kind or str(self.model._meta.label_lower)

    # hooks --------------------------------------------------------------------------------
    def get_columns(self) -> list[Column]:
        raise NotImplementedError

    def check(self, sheet: Sheet, user: Any) -> list[RowResult]:
        raise NotImplementedError

    def write(self, result: ImportResult, actor: Any) -> dict[str, int]:
        raise NotImplementedError

    @property
    def title(self) -> str:
        return _("Import %(things)s") % {"things": self.model._meta.verbose_name_plural}

    def instructions(self) -> list[str]:
        return [
            _("Fill in one row per record below the header row; keep the header row."),
            _("Columns may be in any order; unknown columns are ignored."),
            _(
                "A row whose code already exists updates that record; blank cells keep "
                "stored values."
            ),
            _("If any row has a problem, nothing is imported and every problem is listed."),
            _("At most %(rows)s rows and %(mb)s MB per file.")
            % {"rows": MAX_ROWS, "mb": MAX_BYTES // 1024 // 1024},
        ]

    def require(self, actor: Any) -> None:
        """Raise PermissionDenied (and record the denial) unless ``actor`` may import."""
        require(actor, "add", self.model)

    def may_import(self, user: Any) -> bool:
        return permissions.has_perm(user, permissions.perm_name(self.model, "add"))

    def service(self, model: type[models.Model] | None = None) -> ModelService[Any]:
        model = model or self.model
        page = page_for(model)
        if page is not None and page.service is not None:
            return page.service
        return service_for(model)

    # the steps ----------------------------------------------------------------------------
    def read(self, upload: IO[bytes], *, size: int | None = None, name: str = "") -> Sheet:
        return read_sheet(self.kind, upload, self.get_columns(), size=size, name=name)

    def validate(self, sheet: Sheet, *, user: Any = None, trial: bool = False) -> ImportResult:
        """The rows of ``sheet`` validated against the database as it is now; nothing is
        written (``trial``: the writes are run too, then rolled back)."""
        if sheet.kind != self.kind:
            raise ImportFileError(_("This import is no longer pending; upload the file again."))
        result = ImportResult(self.kind, sheet.columns, self.check(sheet, user))
        if (
            trial
            and self.trial_run
            and result.ok
            and user is not None
            and len(result.rows) <= self.trial_max_rows
        ):
            try:
                with transaction.atomic():
                    self.write(result, user)
                    raise _Rollback
            except _Rollback:
                pass
        return result

    def parse(self, upload: IO[bytes], *, user: Any = None, size: int | None = None) -> Any:
        return self.validate(self.read(upload, size=size), user=user)

    def apply(self, result: ImportResult, actor: Any, filename: str) -> dict[str, int]:
        """Write ``result`` in one transaction, or nothing when any row has a problem.

        Raises ImportRejected (a ValidationError) when a row has a problem or a service refuses
        one (then everything is rolled back), PermissionDenied without permission."""
        self.require(actor)
        if not result.ok:
            raise ImportRejected(result)
        with transaction.atomic():
            counts = self.write(result, actor)
            if not result.ok:
                raise ImportRejected(result)
            audit.record(
                AuditAction.IMPORT,
                None,
                actor=actor,
                object_type_label=audit.object_type(self.model),
                object_repr=filename[:255],
                extra={"file": filename, "rows": len(result.rows), **counts},
            )
        return counts

    def write_row(
        self, r: RowResult, headers: Mapping[str, str], fields: Mapping[str, str], write: Any
    ) -> Any:
        """Run ``write()`` for one row in a savepoint; a refusal becomes the row's error."""
        try:
            with transaction.atomic():
                return write()
        except ValidationError as exc:
            RowErrors(r, headers).validation_error(exc, fields)
        except PermissionDenied:
            RowErrors(r, headers).error(None, _("You may not make this change."))
        return None

    def template(self) -> tuple[list[str], list[list[str]]]:
        """The headers (in the user's language) and example rows of the template."""
        return [c.headers[0] for c in self.get_columns()], list(self.examples)


class ModelImporter(Importer):
    """The generic importer of a registered page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        super().__init__(page.model)
        self.fields = import_fields(page)
        self.key = import_key(page)
        # a nullable part of the key (a category's parent) may be blank: a top-level row
        self.required_key = [k for k in self.key if not self.model._meta.get_field(k).null]

    def get_columns(self) -> list[Column]:
        cols = []
        for f in self.fields:
            zh, en = in_other_language(f.verbose_name)
            headers = tuple(dict.fromkeys((str(f.verbose_name), zh, en, f.name)))
            cols.append(
                Column(f.name, f.verbose_name, headers, required=f.name in self.required_key)
            )
        return cols

    def instructions(self) -> list[str]:
        lines = super().instructions()
        names = "、".join(
            str(getattr(self.model._meta.get_field(k), "verbose_name", k)) for k in self.key
        )
        lines.append(_("Existing records are found by: %(key)s.") % {"key": names})
        for f in self.fields:
            if f.is_relation:
                target = f.related_model
                lines.append(
                    _("%(column)s: the %(key)s of a %(model)s.")
                    % {
                        "column": f.verbose_name,
                        "key": target._meta.get_field(natural_key(target)).verbose_name,
                        "model": target._meta.verbose_name,
                    }
                )
            elif f.choices:
                lines.append(
                    _("%(column)s: one of %(choices)s.")
                    % {"column": f.verbose_name, "choices": "、".join(str(c[1]) for c in f.choices)}
                )
        return lines

    # reading values -------------------------------------------------------------------------
    def _links(self, rows: list[RowResult], user: Any) -> dict[str, dict[str, list[Any]]]:
        """For each link column: natural key → the visible rows it names."""
        links: dict[str, dict[str, list[Any]]] = {}
        for f in self.fields:
            if not f.is_relation:
                continue
            wanted = {r.values.get(f.name, "") for r in rows} - {""}
            target = f.related_model
            nk = natural_key(target)
            qs = target._default_manager.filter(**{f"{nk}__in": wanted})
            if user is not None:
                qs = permissions.restrict(qs, user, "view")
            found: dict[str, list[Any]] = {}
            for obj in qs:
                found.setdefault(str(getattr(obj, nk)), []).append(obj)
            links[f.name] = found
        return links

    def _value(self, f: Any, text: str, links: Mapping[str, list[Any]]) -> tuple[Any, str]:
        """(form value, error) of a cell."""
        if f.is_relation:
            found = links.get(text, [])
            if not found:
                target = f.related_model
                return None, _("No %(model)s %(value)s.") % {
                    "model": target._meta.verbose_name,
                    "value": text,
                }
            if len(found) > 1:
                return None, _("%(value)s names more than one record.") % {"value": text}
            return found[0].pk, ""
        if f.choices:
            wanted = norm(text)
            for value, label in f.flatchoices:
                if wanted in {norm(str(value)), *(norm(t) for t in in_other_language(label))}:
                    return value, ""
            return None, _("%(value)s is not one of: %(choices)s.") % {
                "value": text,
                "choices": "、".join(str(c[1]) for c in f.flatchoices),
            }
        if isinstance(f, models.BooleanField):
            b = parse_bool(text)
            if b is None:
                return None, _("%(value)s is not yes (是) or no (否).") % {"value": text}
            return b, ""
        return text, ""

    def form(self, user: Any, data: dict[str, Any], instance: Any) -> forms.BaseForm:
        form_class = self.page.form_class or forms.modelform_factory(
            self.model, fields=self.page.fields, formfield_callback=model_formfield
        )
        form: forms.BaseForm = form_class(data=data, instance=instance)
        for name, ff in form.fields.items():
            if isinstance(ff, forms.ModelChoiceField) and ff.queryset is not None:
                current = getattr(instance, f"{name}_id", None) if instance.pk else None
                visible = permissions.restrict(ff.queryset, user, "view") if user else ff.queryset
                if current is not None:
                    visible = (visible | ff.queryset.filter(pk=current)).distinct()
                ff.queryset = visible
        return form

    # the hooks ----------------------------------------------------------------------------
    def check(self, sheet: Sheet, user: Any) -> list[RowResult]:
        headers = dict(sheet.columns)
        present = set(headers)
        rows = [RowResult(row=n, values=v) for n, v in sheet.rows]
        find_duplicates(rows, self.key, headers)
        existing = self._existing(rows)
        changeable = visible_ids(self.model, [o.pk for o in existing.values()], user, "change")
        viewable = visible_ids(self.model, [o.pk for o in existing.values()], user, "view")
        links = self._links(rows, user)
        by_name = {f.name: f for f in self.fields}
        labels = {f.name: str(f.verbose_name) for f in self.fields}
        for r in rows:
            errs = RowErrors(r, {**labels, **headers})
            keyval = tuple(self._key_text(k, r.values.get(k, "")) for k in self.key)
            missing = [k for k in self.required_key if not r.values.get(k)]
            for k in missing:
                errs.error(k, _("This value is required."))
            obj = existing.get(keyval)
            r.obj = obj
            instance = copy.copy(obj) if obj is not None else self.model()
            data = _initial(instance, self.page.fields)
            given: set[str] = set()
            for name in present & set(by_name):
                text = r.values.get(name, "")
                if not text:
                    continue  # the default on a create, the stored value on an update
                value, error = self._value(by_name[name], text, links.get(name, {}))
                if error:
                    errs.error(name, error)
                else:
                    data[name] = value
                    given.add(name)
            if missing:
                continue
            form = self.form(user, data, instance)
            if not form.is_valid():
                for name, messages in form.errors.items():
                    key = None if name == NON_FIELD_ERRORS else name
                    if key in r.error_keys:
                        continue
                    for message in messages:
                        errs.error(key, str(message))
                continue
            if r.errors:
                continue
            model_fields = _model_field_names(self.model)
            cleaned = {n: v for n, v in form.cleaned_data.items() if n in model_fields}
            if obj is None:
                r.action = CREATE
                r.data = cleaned
                continue
            r.data = {n: v for n, v in cleaned.items() if n in given and _differs(obj, n, v)}
            r.action = UPDATE if r.data else UNCHANGED
            if obj.pk not in viewable:  # its name is not shown to whoever may not see it
                errs.error(None, _("A record with this key exists and you may not change it."))
            elif r.data and obj.pk not in changeable:
                errs.error(None, _("You may not change %(name)s.") % {"name": obj})
        return rows

    def _key_text(self, name: str, text: str) -> str:
        """A key cell as the stored value reads (a choice's label → its value, 1.0 → 1)."""
        f: Any = self.model._meta.get_field(name)
        if not text or f.is_relation:
            return text
        value, error = self._value(f, text, {})
        if error:
            return text
        try:
            return _text(f.to_python(value))
        except ValidationError:
            return text

    def _existing(self, rows: list[RowResult]) -> dict[tuple[str, ...], Any]:
        meta = self.model._meta
        plain = [k for k in self.key if not meta.get_field(k).is_relation]
        if not plain:
            return {}
        first: Any = meta.get_field(plain[0])
        wanted = set()
        for r in rows:
            text = self._key_text(first.name, r.values.get(first.name, ""))
            try:
                if text:
                    wanted.add(first.to_python(text))
            except ValidationError:
                continue  # not a value of this field: no row has it
        found: dict[tuple[str, ...], Any] = {}
        related = [k for k in self.key if meta.get_field(k).is_relation]
        qs = self.model._default_manager.filter(**{f"{first.name}__in": wanted})
        for obj in qs.select_related(*related) if related else qs:
            found[tuple(_text(getattr(obj, k)) for k in self.key)] = obj
        return found

    def write(self, result: ImportResult, actor: Any) -> dict[str, int]:
        service = self.service()
        headers = {
            **{f.name: str(f.verbose_name) for f in self.fields},
            **dict(result.columns),
        }
        fields = {f.name: f.name for f in self.fields}
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        add = permissions.perm_name(self.model, "add")
        change = permissions.perm_name(self.model, "change")
        outside = _("You may not create this record: it is outside your scope.")
        for r in result.rows:
            counts[r.action] += 1
            if r.action == CREATE:

                def create(r: RowResult = r) -> Any:
                    obj = service.create(actor, r.data)
                    if not permissions.has_perm(actor, add, obj):
                        raise ValidationError(outside)
                    return obj

                self.write_row(r, headers, fields, create)
            elif r.action == UPDATE:
                obj = copy.copy(r.obj)

                def update(r: RowResult = r, obj: Any = obj) -> Any:
                    obj = service.update(actor, obj, r.data)
                    if not permissions.has_perm(actor, change, obj):
                        raise ValidationError(_("You may not move this record outside your scope."))
                    return obj

                self.write_row(r, headers, fields, update)
        return counts


def _text(value: Any) -> str:
    if isinstance(value, models.Model):
        return str(getattr(value, natural_key(type(value))))
    return "" if value is None else str(value)


def _model_field_names(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _initial(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        try:
            f = instance._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if f.many_to_many:
            out[name] = [o.pk for o in getattr(instance, name).all()] if instance.pk else []
        elif f.is_relation:
            out[name] = getattr(instance, f"{name}_id", None)
        else:
            out[name] = getattr(instance, name, None)
    return out


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    f = obj._meta.get_field(name)
    if f.many_to_many:
        return True
    if f.is_relation:
        return bool(getattr(obj, f"{name}_id") != (value.pk if value is not None else None))
    return bool(getattr(obj, name) != value)


# --- declarations ----------------------------------------------------------------------------
def import_fields(page: Any) -> list[Any]:
    """The page's fields a file may fill: editable, concrete, not many-to-many."""
    out = []
    for name in page.fields:
        try:
            f = page.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(f, "concrete", False) and f.editable and not f.many_to_many:
            out.append(f)
    return out


def _unique_text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key and isinstance(f, models.CharField)
    ]


def natural_key(model: type[models.Model]) -> str:
    """The field a file names a row of ``model`` by (a code, a number, a name)."""
    declared = getattr(model, "natural_key_field", None) or getattr(
        model, "import_natural_key", None
    )
    if isinstance(declared, str):
        return declared
    unique = _unique_text_fields(model)
    for name in GUESSED_KEYS:
        if name in unique:
            return name
    if unique:
        return unique[0]
    names = {f.name for f in model._meta.concrete_fields}
    for name in GUESSED_KEYS:
        if name in names:
            return name
    return "pk"


def import_key(page: Any) -> tuple[str, ...]:
    """The fields that find the existing row a file row updates: the page's ``import_key``,
    the model's ``import_key``, or the natural key when it is among the page's fields."""
    declared = getattr(page, "import_key", None) or getattr(page.model, "import_key", None)
    if declared:
        return (declared,) if isinstance(declared, str) else tuple(declared)
    model = page.model
    unique = _unique_text_fields(model)
    nk = natural_key(model)
    if nk in page.fields and nk in unique:
        return (nk,)
    for name in page.fields:
        if name in unique:
            return (name,)
    together: list[tuple[str, ...]] = [
        tuple(str(n) for n in c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ] + [tuple(str(n) for n in t) for t in model._meta.unique_together]
    for fields in together:
        if all(f in page.fields for f in fields):
            return fields
    return (nk,) if nk in page.fields else (page.fields[0],)


_importers: dict[str, type[Importer]] = {}


def register_importer(model: type[models.Model], importer: type[Importer]) -> None:
    """Use ``importer`` (a class taking the page) for ``model`` instead of ``ModelImporter``."""
    _importers[str(model._meta.label_lower)] = importer


_discovered: set[str] = set()


def _discover(page: Any) -> None:
    """Import ``<app>/importer.py`` once (it registers the app's importers)."""
    app = page.model._meta.app_config
    if app is None or app.label in _discovered:
        return
    if module_has_submodule(app.module, "importer"):
        importlib.import_module(f"{app.name}.importer")
    _discovered.add(app.label)


def importable(page: Any) -> bool:
    """May rows of ``page`` be imported? ``Page.importable`` True/False decides; when it is
    None (the default), pages that may add rows, have no state machine and are not system
    pages (accounts, roles, grants, calendars) are importable, and so is every page whose model
    has an importer of its own (``register_importer``)."""
    if not page.can_add:
        return False
    declared = getattr(page, "importable", None)
    _discover(page)
    if page.label in _importers:
        return True  # registering an importer declares the page importable
    if declared is not None:
        return bool(declared)
    return getattr(page, "machine", None) is None and page.nav_group != "system"


def importer_for(page: Any) -> Importer:
    _discover(page)
    cls = _importers.get(page.label)
    if cls is None:
        return ModelImporter(page)
    return cls(page)


def iter_errors(result: ImportResult) -> Iterator[tuple[int, str]]:
    for r in result.rows:
        for e in r.errors:
            yield r.row, e


__all__ = [
    "CREATE",
    "UNCHANGED",
    "UPDATE",
    "Column",
    "ImportFileError",
    "ImportRejected",
    "ImportResult",
    "Importer",
    "ModelImporter",
    "RowErrors",
    "RowResult",
    "Sheet",
    "find_duplicates",
    "forget",
    "import_key",
    "importable",
    "importer_for",
    "load",
    "natural_key",
    "register_importer",
    "store",
    "visible_ids",
]
