"""The REST API fuzzed from its own OpenAPI schema: schemathesis generates requests for
every operation (valid ones, and invalid ones that must be refused), sends them to the
real app in-process (ASGI) over a real SQLite file, logged in as an admin with the CSRF
header, and checks that nothing answers with a server error and that every answer is
what the schema documents (status code, content type, body).

Each operation is fuzzed twice per mode: with generated path ids (mostly unknown ones),
and with the ids of real incidents and claims, so that review actions reach the domain
code with hostile bodies. Bounded (and derandomised) for CI; for a longer, random run by hand:

    CHILDWATCH_SCHEMATHESIS_EXAMPLES=300 .venv/bin/python -m pytest -s tests/test_schemathesis.py
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable

from childwatch.serve import create_app
from conftest import PASSWORD

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

LONG_RUN = os.environ.get("CHILDWATCH_SCHEMATHESIS_EXAMPLES")
EXAMPLES = int(LONG_RUN or "20")  # per operation, mode and id kind
# The bounded run is the same every time (no flaky CI); a long run by hand explores afresh.
DERANDOMIZE = LONG_RUN is None
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


# The schema, the admin's headers (one session for logging out, one for the rest), real path ids
Fuzzed = tuple[Any, dict[str, dict[str, str]], dict[str, Any]]


@dataclass
class Run:
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def fuzzed(web_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Fuzzed:
    """The schema loaded from the running app, the admin's headers, and real path ids."""
    db = tmp_path_factory.mktemp("schemathesis") / "web.sqlite"
    shutil.copyfile(web_db_template, db)
    app = create_app(db, secret_key="schemathesis")
    sessions = {}
    for use in ("logout", "rest"):  # logging out ends a session: not the one the rest use
        client = TestClient(app)
        token = client.post("/api/session", json={"name": "admin", "password": PASSWORD}).json()["csrf_token"]
        cookie = client.cookies.get("childwatch_session")
        sessions[use] = {"X-CSRF-Token": token, "Cookie": f"childwatch_session={cookie}"}
    client.headers.update(sessions["rest"])
    items = client.get("/api/incidents", params={"q": "Konduga", "violation": "abduction"}).json()["items"]
    claims = client.get(f"/api/incidents/{items[0]['id']}").json()["claims"]
    ids = {"incident_id": items[0]["id"], "claim_id": claims[0]["id"]}
    return schemathesis.openapi.from_asgi("/openapi.json", app), sessions, ids


def fuzz(operation: Any, strategy: Any, run: Run) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
        suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate], verbosity=Verbosity.quiet,
    )  # fmt: skip
    def one(case: Any) -> None:
        run.cases += 1
        try:
            response = case.call()
        except Exception as exc:  # the app raised through the transport: a server error
            where = f"path {case.path_parameters} query {case.query} body {case.body!r:.200}"
            run.failures.append(f"{operation.label}: raised {exc!r}\n  {where}")
            return
        run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
        for check in CHECKS:
            try:
                case.validate_response(response, checks=[check])
            except BaseException as exc:  # schemathesis reports failures as (base) exception groups
                if isinstance(exc, KeyboardInterrupt):
                    raise
                detail = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())[:400]
                run.failures.append(
                    f"{operation.label} -> {response.status_code} ({check.__name__}): {detail}\n"
                    f"  path {case.path_parameters} query {case.query} body {case.body!r:.200} "
                    f"answer {response.text[:200]!r}"
                )

    with suppress(Unsatisfiable):  # nothing to vary (no parameters, or nothing invalid to send)
        one()


def test_no_operation_answers_with_a_server_error_or_off_schema(fuzzed: Fuzzed) -> None:
    schema, sessions, ids = fuzzed
    run = Run()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    per_operation: dict[str, int] = {}
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for real_ids in (False, True):
            for operation in operations:
                path_ids = {k: v for k, v in ids.items() if "{" + k + "}" in operation.path}
                if real_ids and not path_ids:
                    continue
                before = run.cases
                strategy: Callable[..., Any] = operation.as_strategy
                headers = sessions["logout" if operation.label == "DELETE /api/session" else "rest"]
                fuzz(operation, strategy(mode, headers=headers, path_parameters=path_ids if real_ids else None), run)
                per_operation[operation.label] = per_operation.get(operation.label, 0) + run.cases - before
    statuses = sorted(run.statuses.items())
    print(f"\nschemathesis: {run.cases} cases over {len(operations)} operations; statuses {statuses}")
    assert run.failures == [], "\n".join(run.failures[:20])
    assert all(n > 0 for n in per_operation.values()), per_operation
    assert run.statuses.get(200, 0) > 0 and run.statuses.get(422, 0) > 0  # both accepted and refused requests
