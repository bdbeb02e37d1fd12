from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.test import Client

from jaminan import rules

pytestmark = pytest.mark.django_db


def post(name: str, body: object) -> tuple[int, dict]:
    response = Client().post(
        f"/api/v1/calculate/{name}", json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def test_calculate_jakon_example_of_the_contract(reference: None) -> None:
    status, body = post("contribution.jakon", {"month": "2021-05", "contract_value": 180_000_000})
    assert status == 200
    assert (body["JKK"], body["JKM"], body["total"]) == (346_000, 46_000, 392_000)
    assert body["trace"] and {"parameter", "value", "from", "reference"} <= set(body["trace"][0])


def test_facts_may_be_wrapped(reference: None) -> None:
    status, body = post(
        "contribution.jakon", {"facts": {"month": "2021-05", "contract_value": 180_000_000}}
    )
    assert status == 200 and body["JKK"] == 346_000


def test_bad_fact_is_422_naming_it(reference: None) -> None:
    status, body = post("contribution.jakon", {"month": "2021-05"})
    assert status == 422 and body["code"] == "invalid_fact" and body["field"] == "contract_value"
    assert "contract_value" in body["message"]
    status, body = post("contribution.pu", {"month": "2025-06", "wage": 5_000_000, "risk_group": 6})
    assert status == 422 and body["field"] == "risk_group"


def test_unknown_calculation_is_404(reference: None) -> None:
    status, body = post("contribution.nothing", {})
    assert status == 404 and body["code"] == "unknown_calculation"


def test_every_calculation_listed_with_an_example_that_computes(reference: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/calculate/{name}"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    names = {info.name for info in rules.catalogue()}
    assert set(examples) == names and len(names) == 16
    for name, example in examples.items():
        status, body = post(name, example["value"])
        assert status == 200, (name, body)


def test_calc_command_prints_json_and_exits_2_on_bad_fact() -> None:
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "jaminan",
            "calc",
            "contribution.jakon",
            "--facts",
            '{"month": "2021-05", "contract_value": 180000000}',
        ],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["JKK"] == 346_000
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "jaminan",
            "calc",
            "contribution.jakon",
            "--facts",
            '{"month": "2021-05"}',
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "contract_value" in bad.stderr
