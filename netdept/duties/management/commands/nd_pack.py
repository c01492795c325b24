"""``netdept pack list | show NAME | validate NAME | load NAME [--department CODE]``."""

from __future__ import annotations

from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from netdept.core import context
from netdept.core.management.base import NetDeptCommand
from netdept.duties.models import Pack
from netdept.duties.packs import PackInvalid, available, packs_dir, read
from netdept.duties.packs.load import LoadReport, load
from netdept.duties.packs.validate import PackData, validate


def _lazy(text: Any) -> str:
    return cast(str, text)  # argparse and Django take the lazy strings; mypy wants str


class Command(NetDeptCommand):
    help = _lazy(
        gettext_lazy(
            "Regulation packs (制度包): list the packs of the packs folder, show or validate "
            "one, load one (idempotent; a newer version updates what the site has not edited "
            "and reports what it kept)."
        )
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "show", "validate", "load"])
        parser.add_argument(
            "name",
            nargs="?",
            default="",
            help=_lazy(gettext_lazy("the pack (its folder's name); not for list")),
        )
        parser.add_argument(
            "--department",
            metavar="CODE",
            default=None,
            help=_lazy(
                gettext_lazy(
                    "load: the department (its code) the pack's teams and positions go in; "
                    "default: the one of the previous load"
                )
            ),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        action, name = opts["action"], opts["name"]
        if action == "list":
            self._list()
            return
        if not name:
            raise CommandError(
                _("Name the pack: netdept pack %(action)s NAME") % {"action": action}
            )
        try:
            if action == "load":
                with context.acting(None, None, "command"):
                    report = load(name, department=opts["department"])
                self._report(report)
                return
            data = validate(name)
        except PackInvalid as exc:
            lines = [
                _("The pack %(name)s does not validate; nothing was loaded:") % {"name": name},
                *(f"  {e}" for e in exc.errors),
            ]
            raise CommandError("\n".join(lines)) from exc
        if action == "validate":
            self.stdout.write(self.style.SUCCESS(_("The pack %(name)s is valid.") % {"name": name}))
            return
        self._show(data)

    def _list(self) -> None:
        loaded = {p.name: p for p in Pack.objects.all()}
        names = available()
        if not names and not loaded:
            self.stdout.write(_("No packs in %(folder)s.") % {"folder": packs_dir()})
            return
        self.stdout.write(_("Packs in %(folder)s:") % {"folder": packs_dir()})
        for name in sorted(set(names) | set(loaded)):
            pack = loaded.get(name)
            parts = []
            if name in names:
                files = read(name).files
                header = files[0].data if files and files[0].data is not None else {}
                parts.append(
                    _("version %(version)s in the folder") % {"version": header.get("version", "?")}
                )
            else:
                parts.append(_("no longer in the packs folder"))
            parts.append(
                _("loaded: version %(version)s") % {"version": pack.version}
                if pack is not None
                else _("not loaded")
            )
            self.stdout.write(f"  {name:<20} " + " · ".join(parts))

    def _show(self, data: PackData) -> None:
        self.stdout.write(f"{data.name} · {data.title} · {_('version')} {data.version}")
        if data.description:
            self.stdout.write(data.description)
        for section, items in data.items.items():
            if not items:
                continue
            self.stdout.write(f"{section} ({len(items)}):")
            for item in items:
                code = item.data.get("code") or item.data.get("name") or ""
                label = item.data.get("name") or item.data.get("title") or ""
                if section == "regulations":
                    count = len(item.data.get("articles", []))
                    label = f"{label} · " + ngettext("%(n)d article", "%(n)d articles", count) % {
                        "n": count
                    }
                self.stdout.write(f"  {item.key:<28} {code} {label}".rstrip())

    def _report(self, report: LoadReport) -> None:
        header = _("Pack %(name)s version %(version)s loaded: %(changes)d changes") % {
            "name": report.pack,
            "version": report.version,
            "changes": report.changes,
        }
        if report.previous_version and report.previous_version != report.version:
            header += " " + _("(upgraded from %(version)s)") % {"version": report.previous_version}
        self.stdout.write(self.style.SUCCESS(header))
        sections = (
            (_("created"), report.created),
            (_("updated"), report.updated),
            (_("retired"), report.retired),
            (_("edited on this site, left as they are"), report.edited),
        )
        for title, keys in sections:
            if keys:
                self.stdout.write(f"{title} ({len(keys)}):")
                for key in keys:
                    self.stdout.write(f"  {key}")
        if report.kept:
            self.stdout.write(_("kept (%(n)d):") % {"n": len(report.kept)})
            for kept in report.kept:
                self.stdout.write(f"  {kept['key']} {kept['object']}: {kept['reason']}")
        self.stdout.write(_("unchanged: %(n)d") % {"n": report.unchanged})
