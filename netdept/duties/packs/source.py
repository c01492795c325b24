"""Reading a pack folder: its YAML files parsed with the line of every key and list item kept,
so that each problem found later names the file and the line.

PyYAML composes each file into nodes that carry their position (``Mark``); the loader below
builds plain dicts and lists from them (``Located`` dicts and lists, which remember the line of
each key and item) and refuses what plain ``yaml.safe_load`` would silently accept: a key given
twice in one mapping. Two YAML 1.1 surprises are switched off: ``17:00`` stays the text
"17:00" (not the sexagesimal number 1020) and ``2026-01-01`` stays the text of the date.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

#: the name of a pack (its folder)
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
#: the header file of a pack
HEADER_FILE = "pack.yaml"
#: a pack file larger than this is refused (a regulation pack is text, not data)
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class PackError:
    """One problem of a pack: where (file relative to the packs folder, line) and what."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


class PackInvalid(Exception):
    """A pack that does not validate (or could not be written); nothing was loaded."""

    def __init__(self, errors: list[PackError]) -> None:
        self.errors = sorted(set(errors), key=lambda e: (e.file, e.line, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))


class LocatedDict(dict[str, Any]):
    """A mapping of a pack file that knows its own line and the line of each key."""

    file: str = ""
    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A sequence of a pack file that knows its own line and the line of each item."""

    file: str = ""
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader with located containers, duplicate keys refused, times and dates as text."""

    file_label = ""


# Copy the implicit resolvers, then: ints and floats without the sexagesimal forms (17:00 is
# a time of day here, never 1020), timestamps not resolved at all (dates stay text).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in list(_Loader.yaml_implicit_resolvers):
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, rx)
        for tag, rx in _Loader.yaml_implicit_resolvers[_first]
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+)$""",
        re.X,
    ),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    out = LocatedDict()
    out.file, out.line, out.key_lines = loader.file_label, node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable) or isinstance(key, list | dict):
            raise yaml.constructor.ConstructorError(
                None, None, _("a key must be a plain value"), key_node.start_mark
            )
        name = str(key)
        if name in out:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("the key %(key)s is given twice in this mapping (first on line %(line)d)")
                % {"key": name, "line": out.key_lines[name]},
                key_node.start_mark,
            )
        out[name] = loader.construct_object(value_node, deep=True)
        out.key_lines[name] = line
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    out = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    out.file, out.line = loader.file_label, node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def packs_dir() -> Path:
    """The folder of the packs: ``settings.NETDEPT_PACKS_DIR``, default the repository's
    ``packs/`` (beside the ``netdept`` package: an editable install keeps the repo's path)."""
    configured = getattr(settings, "NETDEPT_PACKS_DIR", None)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "packs"


def available() -> list[str]:
    """The names of the pack folders in the packs folder (each holding a pack.yaml)."""
    root = packs_dir()
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and NAME_RE.match(p.name) and (p / HEADER_FILE).is_file()
    )


@dataclass
class PackFile:
    """One parsed file of a pack."""

    label: str  # e.g. "marketing/duties.yaml" (relative to the packs folder)
    data: LocatedDict | None


@dataclass
class PackSource:
    """The parsed files of one pack folder (the header file first)."""

    name: str
    folder: Path
    files: list[PackFile] = field(default_factory=list)
    errors: list[PackError] = field(default_factory=list)


def _parse(path: Path, label: str) -> tuple[LocatedDict | None, PackError | None]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, PackError(label, 0, _("the file is larger than 2 MB"))
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, PackError(label, 0, _("the file is not UTF-8 text"))
    except OSError as exc:
        return None, PackError(
            label, 0, _("cannot read the file: %(error)s") % {"error": exc.strerror}
        )
    loader = _Loader(text)
    loader.file_label = label
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark  # where the construct at fault began
        line = mark.line + 1 if mark is not None else 0
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        return None, PackError(label, line, _("not valid YAML: %(problem)s") % {"problem": problem})
    except yaml.YAMLError as exc:
        return None, PackError(label, 0, _("not valid YAML: %(problem)s") % {"problem": exc})
    finally:
        loader.dispose()
    if data is None:
        empty = LocatedDict()
        empty.file, empty.line, empty.key_lines = label, 1, {}
        return empty, None
    if not isinstance(data, LocatedDict):
        return None, PackError(label, 1, _("a pack file is a mapping of sections (name: value)"))
    return data, None


def read(name: str) -> PackSource:
    """Parse every ``*.yaml`` file of the pack ``name`` (``pack.yaml`` first, then the others
    in name order). Problems of reading and parsing are in ``errors``; a file that failed to
    parse has ``data`` None."""
    root = packs_dir()
    folder = root / name
    source = PackSource(name=name, folder=folder)
    if not NAME_RE.match(name):
        source.errors.append(
            PackError(name, 0, _("a pack name is lower-case letters, digits and hyphens"))
        )
        return source
    if not folder.is_dir():
        source.errors.append(
            PackError(name, 0, _("no such pack in %(folder)s") % {"folder": str(root)})
        )
        return source
    header = folder / HEADER_FILE
    if not header.is_file():
        source.errors.append(
            PackError(f"{root.name}/{name}/{HEADER_FILE}", 0, _("the pack has no pack.yaml"))
        )
        return source
    paths = [
        header,
        *sorted(p for p in folder.glob("*.yaml") if p.name != HEADER_FILE and p.is_file()),
    ]
    for path in paths:
        label = f"{root.name}/{name}/{path.name}"
        data, error = _parse(path, label)
        if error is not None:
            source.errors.append(error)
        source.files.append(PackFile(label=label, data=data))
    return source


_loading: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "netdept_pack_loading", default=False
)


def loading_pack() -> bool:
    """Whether a pack is being loaded in this context: a pack makes its positions, teams and
    roles in the same load as the duties assigned to them, so those hold nobody yet (the duty
    service accepts such an assignee then; it materialises nothing until people hold it)."""
    return _loading.get()


@contextlib.contextmanager
def pack_loading() -> Iterator[None]:
    token = _loading.set(True)
    try:
        yield
    finally:
        _loading.reset(token)
