"""Print the coverage of the last ``pytest --cov`` run briefly and enforce its floor::

    python -m netdept.testing.coverage_summary [--data-file .coverage] [--worst 10]

Prints the total and the ``--worst`` least-covered modules (a full per-file report of the
whole project is too long to read in CI), and exits 1 when the total is below ``fail_under``
of ``[tool.coverage.report]`` in pyproject.toml (the floor kept in the repository).
"""

from __future__ import annotations

import argparse
import io
import os
import sys

import coverage


def summary(data_file: str, worst: int) -> tuple[float, float, list[tuple[float, int, str]]]:
    cov = coverage.Coverage(data_file=data_file, config_file="pyproject.toml")
    cov.load()
    total = cov.report(file=io.StringIO())  # the figure coverage itself computes (and floors)
    option = cov.get_option("report:fail_under")
    floor = float(option) if isinstance(option, int | float | str) else 0.0
    rows: list[tuple[float, int, str]] = []
    for path in cov.get_data().measured_files():
        try:
            _name, statements, _excluded, missing, _text = cov.analysis2(path)
        except coverage.CoverageException:
            continue
        if not statements:
            continue
        covered = 100.0 * (len(statements) - len(missing)) / len(statements)
        rows.append((covered, len(missing), os.path.relpath(path)))
    rows.sort(key=lambda r: (r[0], -r[1]))
    return total, floor, rows[:worst]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-file", default=".coverage")
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args(argv)
    total, floor, worst = summary(args.data_file, args.worst)
    print(f"coverage: {total:.1f} % of the statements of netdept (floor {floor:g} %)")
    print(f"the {len(worst)} least-covered modules:")
    for covered, missing, path in worst:
        print(f"  {covered:5.1f} %  {missing:4d} lines missed  {path}")
    if total < floor:
        print(
            f"coverage {total:.1f} % is below the floor {floor:g} % "
            "([tool.coverage.report] fail_under in pyproject.toml)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
