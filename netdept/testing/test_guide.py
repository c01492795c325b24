"""docs/adding-a-module.md shows the real code of the example module (netdept/testing/example):
every Python block that names a file (``# file: <path>``) is found, as written, in that file;
every file of the module is shown; and the module is installed and registered (its generated
tests run with the suite)."""

from __future__ import annotations

import re
from pathlib import Path

from netdept.core.registry import PAGES

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "adding-a-module.md"
EXAMPLE = "netdept/testing/example"
BLOCK = re.compile(r"```python\n# file: (?P<path>\S+)\n(?P<code>.*?)\n```", re.S)


def blocks() -> list[tuple[str, str]]:
    return [(m["path"], m["code"]) for m in BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))]


def test_every_block_of_the_guide_is_the_example_modules_code() -> None:
    found = blocks()
    assert found, "the guide shows no code of the example module"
    for path, code in found:
        assert path.startswith(f"{EXAMPLE}/"), path
        text = (ROOT / path).read_text(encoding="utf-8")
        assert code.strip() in text, f"the guide's block of {path} differs from the file"


def test_the_guide_shows_every_file_of_the_example_module() -> None:
    shown = {path for path, _code in blocks()}
    files = {
        str(p.relative_to(ROOT))
        for p in (ROOT / EXAMPLE).rglob("*.py")
        if "migrations" not in p.parts and p.name != "__init__.py"
    }
    assert files - shown == set(), f"not in the guide: {sorted(files - shown)}"


def test_the_example_module_is_installed_with_its_page_and_machine() -> None:
    page = PAGES["example.sparepart"]
    assert page.machine is not None
    assert page.search and page.nav_group
