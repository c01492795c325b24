"""``POST /api/v1/<app>/<plural>/import/``: the import of a page through the API.

A multipart body with ``file`` (.xlsx or .csv). ``?dry_run=1`` validates every row (the writes
are run and rolled back, as the preview of the pages does) and answers the per-row outcome;
otherwise the rows are written in one transaction: 201 with the counts, or 400 with every bad
row (row number, column, field, message) and nothing saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from netdept.core import importing
from netdept.core.import_files import EXTENSIONS, ImportFileError
from netdept.core.importing import ImportRejected

_ERROR = inline_serializer(
    "ImportRowError",
    {
        "column": serializers.CharField(help_text="The column as written in the file."),
        "field": serializers.CharField(),
        "message": serializers.CharField(),
    },
)
_ROW = inline_serializer(
    "ImportRow",
    {
        "row": serializers.IntegerField(help_text="The row number as Excel shows it."),
        "action": serializers.ChoiceField(["create", "update", "unchanged", "error"]),
        "errors": _ERROR.__class__(many=True),
        "notes": serializers.ListField(child=serializers.CharField()),
    },
)
_RESULT = inline_serializer(
    "ImportResult",
    {
        "ok": serializers.BooleanField(),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "rows": _ROW.__class__(many=True),
        "detail": serializers.CharField(required=False),
    },
)
_UPLOAD = inline_serializer("ImportUpload", {"file": serializers.FileField()})


def _file_error(message: str) -> Response:
    return Response({"file": [message]}, status=status.HTTP_400_BAD_REQUEST)


def _import(self: Any, request: Request) -> Response:
    page = self.page
    imp = importing.importer_for(page)
    imp.require(request.user)
    upload = request.FILES.get("file")
    if upload is None:
        return _file_error(_("Choose an Excel (.xlsx) or CSV file to upload."))
    name = Path(str(upload.name)).name[:200]
    if not name.lower().endswith(EXTENSIONS):
        return _file_error(
            _("Only Excel (.xlsx) and CSV (.csv) files can be imported; save it as .xlsx.")
        )
    try:
        sheet = imp.read(upload, size=upload.size, name=name)
    except ImportFileError as exc:
        return _file_error(exc.message)
    dry_run = str(request.query_params.get("dry_run", "")).lower() in {"1", "true", "yes"}
    result = imp.validate(sheet, user=request.user, trial=dry_run)
    if dry_run:
        code = status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST
        return Response(result.as_json(), status=code)
    try:
        counts = imp.apply(result, request.user, name)
    except ImportRejected as exc:
        body = exc.result.as_json() | {"detail": " ".join(exc.messages)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return Response(result.as_json() | {"counts": counts}, status=status.HTTP_201_CREATED)


def add_import_action(viewset_cls: Any, page: Any) -> Any:
    """``viewset_cls`` with the ``import`` action when ``page`` is importable."""
    if not importing.importable(page) or "post" not in getattr(
        viewset_cls, "http_method_names", ["post"]
    ):
        return viewset_cls
    schema = extend_schema(
        summary=f"Import {page.verbose_name_plural} from an Excel or CSV file",
        description=(
            "All or nothing: with `dry_run=1` every row is validated and nothing is saved; "
            "otherwise every row is saved in one transaction, or none when any row has a "
            "problem (400, every bad row named)."
        ),
        request={"multipart/form-data": _UPLOAD},
        parameters=[
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.BOOL,
                description="Validate only (the preview); nothing is saved.",
            )
        ],
        responses={
            200: _RESULT,
            201: _RESULT,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "Nothing saved: the per-row outcome (as 200, every bad row with its "
                    "errors), or `file` → messages when the file itself cannot be read."
                ),
            ),
        },
    )

    def import_rows(self: Any, request: Request) -> Response:
        return _import(self, request)

    import_rows.__doc__ = "Import rows from an Excel or CSV file, all or nothing."
    decorated = schema(
        action(
            detail=False,
            methods=["post"],
            url_path="import",
            url_name="import",
        )(import_rows)
    )
    return type(viewset_cls.__name__, (viewset_cls,), {"import_rows": decorated})


__all__ = ["add_import_action"]
