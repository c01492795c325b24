"""The ``netdept`` console command as a user runs it: a real subprocess of the entry point, with
no terminal (stdin is /dev/null), on a SQLite database of its own, in the configured language.

Expected messages are computed with gettext in zh-hans (LANGUAGE_CODE of netdept.settings), so
these tests hold before and after the catalog is translated.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

# once: every test runs the command in a subprocess on a SQLite file of its own (never the test
# database), so the PostgreSQL run of scripts/test.sh deselects them
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[3]
LANGUAGE = "zh-hans"
DB_NAME = "netdept.sqlite3"
CJK = re.compile(r"[\u4e00-\u9fff]")
COMMANDS = ["demo", "run", "web", "worker", "scheduler", "createadmin", "audit"]


def _(message: str) -> str:
    with translation.override(LANGUAGE):
        return translation.gettext(message)


def env_for(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NETDEPT_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(NETDEPT_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="netdept.settings")
    return env


def netdept(
    data_dir: Path, *args: str, stdin_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``netdept ARGS`` through the console entry point, without a terminal."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from netdept.cli import main; sys.exit(main())", *args],
        cwd=ROOT,
        env=env_for(data_dir),
        input=stdin_text,
        stdin=subprocess.DEVNULL if stdin_text is None else None,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("netdept-cli-migrated")
    done = netdept(data_dir, "manage", "migrate", "--noinput", "-v0")
    assert done.returncode == 0, done.stderr
    return data_dir


@pytest.fixture
def data_dir(tmp_path: Path, migrated: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = migrated / f"{DB_NAME}{suffix}"
        if source.exists():
            shutil.copy2(source, target / source.name)
    return target


def usernames(data_dir: Path) -> set[str]:
    con = sqlite3.connect(data_dir / DB_NAME)
    try:
        return {row[0] for row in con.execute("SELECT username FROM auth_user")}
    finally:
        con.close()


# --- createadmin ---------------------------------------------------------------------------


def test_createadmin_without_a_terminal_answers_one_line_and_creates_nothing(data_dir: Path):
    done = netdept(data_dir, "createadmin", "alice")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "netdept createadmin: "
        + _("No terminal to ask the password on: give it on standard input with --password-stdin.")
    ]
    assert done.stdout == ""
    assert "alice" not in usernames(data_dir)


def test_createadmin_reads_the_password_from_stdin_and_answers_in_the_language(data_dir: Path):
    weak = netdept(data_dir, "createadmin", "bob", "--password-stdin", stdin_text="abc\n")
    assert weak.returncode == 1 and "Traceback" not in weak.stderr
    assert len(weak.stderr.strip().splitlines()) == 1
    assert weak.stderr.startswith("netdept createadmin: ")
    assert CJK.search(weak.stderr), weak.stderr  # the password rules, in Chinese
    assert "bob" not in usernames(data_dir)

    done = netdept(
        data_dir, "createadmin", "bob", "--password-stdin", stdin_text="Str0ng-Pass-2026!\n"
    )
    assert done.returncode == 0, done.stderr
    assert "bob" in usernames(data_dir)
    prefix = _("Created %(username)s with role %(role)s.").split("%(role)s")[0]
    assert prefix % {"username": "bob"} in done.stdout

    again = netdept(data_dir, "createadmin", "bob", "--password-stdin", stdin_text="x\n")
    assert again.returncode == 1
    assert again.stderr.strip() == "netdept createadmin: " + _(
        "The account %(username)s exists already."
    ) % {"username": "bob"}


# --- help and usage ------------------------------------------------------------------------


def test_netdept_help_lists_every_command_with_its_main_options(tmp_path: Path):
    done = netdept(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for command in COMMANDS:
        assert f"  netdept {command}" in text, command
    for option in (
        "[--workers N]",
        "[--threads T]",
        "[--server {auto,gunicorn,waitress}]",
        "[--no-run]",
        "USERNAME [--password-stdin]",
        "[--queue QUEUE]",
        "[--tick TICK]",
        "netdept audit {verify,",
        "netdept manage COMMAND",
    ):
        assert option in text, option
    assert _("Run the web server, a task worker and the scheduler together.") in text
    assert "nd_" not in text and "--settings" not in text and "--traceback" not in text
    assert netdept(tmp_path).stdout == text  # no arguments: the same overview


@pytest.mark.parametrize("command", COMMANDS)
def test_a_commands_usage_names_the_users_command(tmp_path: Path, command: str):
    done = netdept(tmp_path, command, "--help")
    assert done.returncode == 0, done.stderr
    assert f"{_('usage: ')}netdept {command} " in done.stdout
    assert "nd_" not in done.stdout
    assert _("show this help message and exit") in done.stdout


def test_argument_errors_name_the_users_command_in_the_language(tmp_path: Path):
    done = netdept(tmp_path, "createadmin")
    assert done.returncode == 2
    assert "nd_createadmin" not in done.stderr
    assert (
        _("%(prog)s: error: %(message)s\n")
        % {
            "prog": "netdept createadmin",
            "message": _("the following arguments are required: %s") % "USERNAME",
        }
        in done.stderr
    )

    done = netdept(tmp_path, "web", "--workers", "x")
    assert done.returncode == 2
    invalid = _("invalid %(type)s value: %(value)r") % {"type": "int", "value": "x"}
    assert (
        _("argument %(argument_name)s: %(message)s")
        % {"argument_name": "--workers", "message": invalid}
        in done.stderr
    )


def test_command_errors_are_one_translated_line(tmp_path: Path):
    done = netdept(tmp_path, "web", "--workers", "0")
    assert done.returncode == 1
    assert done.stderr.strip() == "netdept web: " + _("--workers must be at least 1.")

    done = netdept(tmp_path, "web", "--server", "waitress", "--workers", "2")
    assert done.returncode == 1
    assert done.stderr.strip() == "netdept web: " + _(
        "waitress serves from one process: --workers %(n)d needs gunicorn."
    ) % {"n": 2}

    done = netdept(tmp_path, "run", "--threads", "0")  # refused before anything starts
    assert done.returncode == 1
    assert done.stderr.strip() == "netdept run: " + _("--%(option)s must be at least 1.") % {
        "option": "threads"
    }
    assert not (tmp_path / "netdept.sqlite3").exists()  # not even migrated

    done = netdept(tmp_path, "scheduler", "--tick", "40", "--lease", "30")
    assert done.returncode == 1
    assert done.stderr.strip() == "netdept scheduler: " + _(
        "--tick must be positive and shorter than --lease."
    )


def test_an_unknown_command_is_one_line_pointing_to_help(tmp_path: Path):
    done = netdept(tmp_path, "frobnicate")
    assert done.returncode == 2
    assert done.stderr.strip() == _(
        "netdept: unknown command %(command)s; “netdept --help” lists the commands."
    ) % {"command": "frobnicate"}
