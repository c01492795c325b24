"""Generated CRUD + permission tests of the packs' pages (netdept.testing.crud). Packs and
their items are written by the loader only: the pages and endpoints read (no add, edit or
delete), and the rows are made here directly."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from netdept.duties.models import Pack, PackItem
from netdept.testing.crud import CrudTests

_seq = itertools.count(1)


def make_pack() -> Pack:
    i = next(_seq)
    return Pack.objects.create(
        name=f"pack-{i}", title=f"制度包{i}", version="1.0", loaded_at=timezone.now()
    )


def make_item(pack: Pack | None = None) -> PackItem:
    pack = pack or make_pack()
    i = next(_seq)
    return PackItem.objects.create(
        pack=pack,
        key=f"duty:item-{i}",
        target_type=ContentType.objects.get_for_model(Pack),
        target_id=str(pack.pk),
        checksum="0" * 64,
        written_checksum="0" * 64,
        loaded_version="1.0",
    )


class TestPackCrud(CrudTests):
    model = Pack

    def make(self) -> Any:
        return make_pack()


class TestPackItemCrud(CrudTests):
    model = PackItem
    key_field = "key"

    def make(self) -> Any:
        return make_item()

    def make_rows(self, count: int) -> list[Any]:
        pack = make_pack()  # one pack, many items (as a real load writes)
        return [make_item(pack) for _ in range(count)]
