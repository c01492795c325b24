"""Every operation of the OpenAPI schema, fuzzed with schemathesis as three roles.

The schema is read from ``/api/schema/`` and each generated request is sent to the WSGI
application in-process (same database transaction as the test). For each operation and each
role — the director (sees and changes the department's work), a requester (files orders, sees
their department's) and the system administrator (accounts and settings) — schemathesis
generates valid and invalid requests; every response must be a non-5xx answer that the schema
declares (status code, content type, headers, body).

Bounded: ``FUZZ_EXAMPLES`` examples per operation, mode and role, no shrinking. Each database
has its seed (``seed_of``): a run sends the same requests every time, and the SQLite and the
PostgreSQL runs send different ones, so a CI run tries twice as many distinct inputs as either.
``NETDEPT_FUZZ_EXAMPLES`` raises the count for a longer run.
Coverage does not measure the fuzzing (``unmeasured``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import zlib
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from netdept.accounts.tokens import create_token
from netdept.testing.factories import DepartmentFactory, TeamFactory, user_with_role
from netdept.workorders import services
from netdept.workorders.tests.factories import CategoryFactory, PNG_1x1

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FUZZ_EXAMPLES = int(os.environ.get("NETDEPT_FUZZ_EXAMPLES", "2"))
ROLES = ("director", "requester", "sysadmin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
METHODS = ("get", "put", "post", "patch", "delete")


def _operations(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation of an OpenAPI document."""
    return sorted(
        (method.upper(), path)
        for path, item in raw["paths"].items()
        for method in item
        if method in METHODS
    )


RAW: dict[str, Any] = json.loads(
    json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)
)
OPERATIONS = _operations(RAW)
STATS: Counter[str] = Counter()
_SCHEMA: dict[str, Any] = {}


class World:
    """Two requesting departments, the network department with its teams, an order of each
    requesting department with a comment, a work record and a photo."""

    def __init__(self) -> None:
        self.team = TeamFactory(name="运维组")
        TeamFactory(name="安全组", department=self.team.department)
        self.eng = user_with_role("engineer", team=self.team)
        dept_a = DepartmentFactory(name="内科")
        dept_b = DepartmentFactory(name="外科")
        self.users = {
            "director": user_with_role("director", department=self.team.department),
            "requester": user_with_role("requester", department=dept_a),
            "sysadmin": user_with_role("sysadmin", department=self.team.department),
        }
        other = user_with_role("requester", department=dept_b)
        category = CategoryFactory(name="网络", default_team=self.team)
        for requester in (self.users["requester"], other):
            photo = SimpleUploadedFile("现场.png", PNG_1x1, content_type="image/png")
            order = services.open_order(
                requester,
                {"title": "办公室无法上网", "category": category.pk},
                attachments=[photo],
            )
            services.comment(requester, order, body="还是不行")
            services.accept(self.eng, order)
            services.add_work_record(self.eng, order, description="查看交换机", minutes=15)
        self.headers: dict[str, dict[str, str]] = {}
        self.own_tokens: set[str] = set()
        for role, user in self.users.items():
            token, secret = create_token(user, "fuzz")
            create_token(user, "spare")  # one that DELETE /tokens/{id}/ may revoke
            self.headers[role] = {"Authorization": f"Token {secret}"}
            self.own_tokens.add(str(token.pk))


@pytest.fixture(scope="module")
def module_world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The world is built once for the module, in a transaction that is rolled back at the
    end; each test runs in a savepoint inside it (pytest-django's ``db``), so what one
    operation's requests change is gone before the next operation is fuzzed."""
    # Django's test client does the same: the handler's end-of-request signal would otherwise
    # close the connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield World()
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        report_figures()


def report_figures() -> None:
    """The figures of the run ("operations N, examples M, 5xx: 0"), printed (``-s``) and
    written to the test artifacts when they are kept."""
    line = "fuzz: operations {operations}, examples {examples}, 5xx: {5xx}".format(
        **{"operations": 0, "examples": 0, "5xx": 0, **STATS}
    )
    print(line)
    folder = os.environ.get("NETDEPT_TEST_ARTIFACTS")
    if folder and os.path.isdir(folder):
        with open(os.path.join(folder, "fuzz-figures.txt"), "a", encoding="utf-8") as out:
            out.write(line + "\n")


@pytest.fixture(scope="module")
def unmeasured() -> Any:
    """Coverage does not measure the fuzzing: its thousands of requests would make the run
    with coverage slower by two thirds of their time, for lines the suite's own tests reach
    (the coverage figure is what those tests reach). Without coverage, nothing to pause."""
    import coverage

    cov = coverage.Coverage.current()
    if cov is None:
        yield
        return
    cov.stop()
    try:
        yield
    finally:
        cov.start()


@pytest.fixture
def world(module_world: World, unmeasured: None, db: None) -> World:
    return module_world


def api_schema() -> Any:
    """The schema ``/api/schema/`` serves (the same generator; a test below compares them),
    bound to the WSGI application: requests are sent in-process."""
    if "schema" not in _SCHEMA:
        schema = schemathesis.openapi.from_dict(RAW)
        schema.app = get_wsgi_application()
        _SCHEMA["schema"] = schema
    return _SCHEMA["schema"]


def known_ids(schema: Any, path: str, world: World) -> list[str]:
    """Ids of existing rows behind ``path``'s first path parameter, as listed to any role
    (so that the fuzzing reaches real objects, visible or not, and not only 404s)."""
    match = re.match(r"^(.*?/)\{[^}]+\}/", path)
    if match is None:
        return []
    client = schema.app
    from werkzeug.test import Client

    ids: set[str] = set()
    for h in world.headers.values():
        r = Client(client).get(match.group(1), headers=h, query_string={"page_size": 20})
        if r.status_code == 200:
            body = r.get_json()
            rows = body.get("results", []) if isinstance(body, dict) else body
            for row in rows:
                key = "seq" if "seq" in row else "id"
                ids.add(str(row[key]))
    if match.group(1).endswith("/tokens/"):
        ids -= world.own_tokens  # the fuzzing's own tokens stay valid
    return sorted(ids)


def seed_of(vendor: str) -> int:
    """The fuzzing's seed on a database ("sqlite", "postgresql"): fixed, and not the same."""
    return zlib.crc32(f"netdept-fuzz-{vendor}".encode())


def fuzz(operation: Any, headers: dict[str, str], ids: list[str], failures: list[str]) -> None:
    modes = [
        (GenerationMode.POSITIVE, FUZZ_EXAMPLES),
        (GenerationMode.NEGATIVE, FUZZ_EXAMPLES),
    ]
    statuses: set[int] = set()
    for mode, examples in modes:
        if statuses == {403}:
            break  # the role may not use this operation at all: more requests add nothing
        strategy = operation.as_strategy(mode)

        @settings(
            max_examples=examples,
            derandomize=False,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
        )
        @seed(seed_of(connection.vendor))
        @given(case=strategy, pick=st.sampled_from([None, *ids]))
        def run(case: Any, pick: str | None) -> None:
            if pick is not None and case.path_parameters:
                name = next(iter(case.path_parameters))
                case.path_parameters[name] = pick
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            STATS["examples"] += 1
            if response.status_code >= 500:
                STATS["5xx"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:  # collected: every distinct failure is reported
                request = response.request
                for failure in group.exceptions:
                    failures.append(
                        f"[{response.status_code}] {failure.title}: {failure.message[:400]}\n"
                        f"    {request.method} {request.url}\n"
                        f"    body: {str(request.body)[:300]}\n"
                        f"    answer: {response.text[:300]}"
                    )

        # (Unsatisfiable: nothing to make invalid in this operation, no parameters nor body)
        with contextlib.suppress(Unsatisfiable):
            run()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_answers_as_the_schema_says(world: World, method: str, path: str) -> None:
    schema = api_schema()
    operation = schema[path][method]
    ids = known_ids(schema, path, world)
    STATS["operations"] += 1
    failures: list[str] = []
    for role in ROLES:
        fuzz(operation, world.headers[role], ids, failures)
    distinct = list(dict.fromkeys(failures))
    assert not distinct, f"{method} {path}: {len(distinct)} failures\n" + "\n---\n".join(
        distinct[:8]
    )


def test_every_operation_served_at_api_schema_is_fuzzed(world: World) -> None:
    """``/api/schema/`` serves the operations this module fuzzes, with the same parameters
    and answers, and there are many of them (a schema that lost its endpoints would pass
    vacuously)."""
    from werkzeug.test import Client

    served = Client(api_schema().app).get(
        "/api/schema/", query_string={"format": "json"}, headers=world.headers["director"]
    )
    assert served.status_code == 200
    body = served.get_json()
    assert _operations(body) == OPERATIONS
    assert len(OPERATIONS) > 100
    for path, item in body["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                generated = RAW["paths"][path][method]
                assert sorted(op["responses"]) == sorted(generated["responses"]), (method, path)
                names = sorted(p["name"] for p in op.get("parameters", []))
                assert names == sorted(p["name"] for p in generated.get("parameters", []))
