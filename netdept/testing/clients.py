"""Helpers usable by any test: signed-in clients for the pages and the API, form data, and
readers of exported spreadsheets."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.db import models
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from netdept.accounts.tokens import create_token
from netdept.core.models.audit import AuditAction, AuditRecord


def ui_client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api_client(user: Any) -> APIClient:
    """An API client authenticated the real way: with a personal token."""
    _token, secret = create_token(user, "test")
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return c


def form_data(data: dict[str, Any]) -> dict[str, Any]:
    """Python values → what a browser posts (unchecked boxes are absent, None is empty)."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if v is True:
            out[k] = "on"
        elif v is False:
            continue
        elif v is None:
            out[k] = ""
        elif isinstance(v, list | tuple | set):
            out[k] = [str(x) for x in v]
        else:
            out[k] = str(v)
    return out


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text, the same for CSV and xlsx (dates come back as datetimes)."""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "CSV must begin with the UTF-8 BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def denials(user: Any) -> models.QuerySet[AuditRecord]:
    return AuditRecord.objects.filter(action=AuditAction.DENIED, actor=user)


def form_errors(response: Any) -> Any:
    ctx = getattr(response, "context", None)
    try:
        return ctx["form"].errors if ctx is not None else response.content[:2000]
    except (KeyError, TypeError):
        return response.content[:2000]
