"""The case-file runner: every malformed file or case fails loudly; the project's cases pass."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from jaminan.rules.cases import run_paths, same
from jaminan.rules.cli import main_calc, main_rules_test

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
- name: Jakon contract Rp180 million (PP 44/2015 elucidation of Pasal 54)
  calculation: contribution.jakon
  facts: {month: "2021-05", contract_value: 180000000}
  expect: {JKK: 346000, JKM: 46000}
- name: PU nested path
  calculation: contribution.pu
  description: dotted paths reach nested outputs
  facts: {month: "2023-05", wage: 10000000, risk_group: 1}
  expect: {JP.employer: 191192, JP.wage_base: 9559600, JKK: {employer: 24000}}
- name: BPU income below the lowest tier is refused
  calculation: contribution.bpu
  facts: {month: "2025-06", declared_income: 900000}
  expect_error: declared_income
- name: list index and booleans
  calculation: benefit.jkp
  facts: {termination_date: 2025-03-01, wage: 4000000}
  expect: {monthly.0: 2400000, monthly.5: 2400000}
- name: fine due date written as a YAML date
  calculation: fine
  facts: {contribution_month: "2026-01", amount_due: 1000000, paid_on: 2026-02-16}
  expect: {due_date: 2026-02-16, months_late: 0}
- name: NIK booleans are booleans
  calculation: nik.parse
  facts: {nik: "3273015708900001", reference_date: "2026-01-01"}
  expect: {valid: true, error: null}
"""


def run(tmp_path: Path, text: str) -> tuple[int, int, list[str]]:
    (tmp_path / "cases.yaml").write_text(text, encoding="utf-8")
    report = run_paths([tmp_path])
    return report.passed, report.failed, report.lines


def test_good_cases_pass(tmp_path: Path) -> None:
    passed, failed, lines = run(tmp_path, GOOD)
    assert (passed, failed) == (6, 0), lines


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "- name: x\n  calculation: contribution.nope\n  facts: {}\n  expect: {a: 1}\n",
            "unknown calculation",
        ),
        (
            "- name: x\n  calculation: fine\n  facts: {}\n  expect: {a: 1}\n  extra: 1\n",
            "unknown key",
        ),
        ("- name: x\n  calculation: fine\n  facts: {}\n", "exactly one of expect"),
        (
            "- name: x\n  calculation: fine\n  facts: {}\n  expect: {a: 1}\n  expect_error: a\n",
            "exactly one of expect",
        ),
        ("- name: x\n  facts: {}\n  expect: {a: 1}\n", "missing key 'calculation'"),
        ("name: x\ncalculation: fine\n", "non-empty list"),
        ("- just a string\n", "must be a mapping"),
        (
            "- name: x\n  calculation: fine\n  facts: [1]\n  expect: {a: 1}\n",
            "facts must be a mapping",
        ),
        ("[unclosed", "cannot read"),
    ],
)
def test_malformed_files_fail(tmp_path: Path, text: str, needle: str) -> None:
    passed, failed, lines = run(tmp_path, text)
    assert failed == 1 and passed == 0
    assert needle in lines[0], lines


def test_mismatch_absent_path_and_type_care(tmp_path: Path) -> None:
    text = """\
- name: wrong value
  calculation: contribution.jakon
  facts: {month: "2021-05", contract_value: 180000000}
  expect: {JKK: 346001}
- name: absent path
  calculation: contribution.jakon
  facts: {month: "2021-05", contract_value: 180000000}
  expect: {JKK.employer: 346000}
- name: bool is not int
  calculation: nik.parse
  facts: {nik: "3273015708900001", reference_date: "2026-01-01"}
  expect: {valid: 1}
- name: expected error but got outputs
  calculation: contribution.jakon
  facts: {month: "2021-05", contract_value: 180000000}
  expect_error: contract_value
- name: expected outputs but got an error
  calculation: contribution.jakon
  facts: {month: "2015-06", contract_value: 180000000}
  expect: {JKK: 1}
- name: error text differs
  calculation: contribution.jakon
  facts: {month: "2015-06", contract_value: 180000000}
  expect_error: contract_value
- name: trace is not an output
  calculation: contribution.jakon
  facts: {month: "2021-05", contract_value: 180000000}
  expect: {trace: []}
"""
    passed, failed, lines = run(tmp_path, text)
    assert (passed, failed) == (0, 7)
    assert "wrong value" in lines[0] and "JKK: expected 346001, got 346000" in lines[0]
    assert "cases.yaml" in lines[0]
    assert "JKK.employer: expected 346000, got (absent)" in lines[1]
    assert "valid: expected 1, got True" in lines[2]
    assert "got outputs" in lines[3]
    assert "got RulesError" in lines[4]
    assert "month:" in lines[5]


def test_same_is_type_careful() -> None:
    assert same(1, 1) and not same(True, 1) and not same(1, True) and same(True, True)
    assert not same(1, 1.0) and not same("1", 1) and same(None, None) and not same(0, None)
    assert same([1, 2], [1, 2]) and not same([1], [1, 2])
    assert same({"a": 1}, {"a": 1}) and not same({"a": 1}, {"a": 1, "b": 2})


def test_no_case_files_is_a_failure(tmp_path: Path) -> None:
    report = run_paths([tmp_path])
    assert report.failed == 1 and "no case files" in report.lines[0]


def test_cli_rules_test_output_and_exit(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    assert main_rules_test([tmp_path], out) == 0
    assert out.getvalue() == "6 passed, 0 failed\n"
    (tmp_path / "bad.yaml").write_text(
        "- name: bad\n  calculation: contribution.jakon\n"
        "  facts: {month: '2021-05', contract_value: 1}\n  expect: {JKK: 5}\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    assert main_rules_test([tmp_path], out) == 1
    assert out.getvalue().splitlines()[-1] == "6 passed, 1 failed"
    assert out.getvalue().startswith("FAIL bad [")


def test_cli_calc() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main_calc(
        "contribution.jakon", '{"month": "2021-05", "contract_value": 180000000}', out, err
    )
    assert code == 0 and '"JKK": 346000' in out.getvalue() and err.getvalue() == ""
    for name, facts, needle in [
        ("contribution.jakon", '{"month": "2021-05"}', "contract_value: required"),
        ("contribution.jakon", "{not json", "facts: invalid JSON"),
        ("contribution.jakon", "[1]", "facts: expected a JSON object"),
        ("contribution.nope", "{}", "unknown calculation 'contribution.nope'"),
        ("contribution.pu", '{"month": "2021-05", "wage": 1.5, "risk_group": 1}', "wage:"),
    ]:
        out, err = io.StringIO(), io.StringIO()
        assert main_calc(name, facts, out, err) == 2
        assert needle in err.getvalue() and out.getvalue() == ""


def test_cli_calc_keeps_non_ascii() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main_calc("nik.parse", '{"nik": "3273015708900001"}', out, err) == 0
    assert "Jawa Barat" in out.getvalue()


def test_project_case_files_pass() -> None:
    """tests/cases/*.yaml (written independently from the spec) all pass."""
    cases = ROOT / "tests" / "cases"
    if not cases.is_dir():
        pytest.skip("tests/cases not written yet")
    report = run_paths([cases])
    assert report.failed == 0, "\n".join(report.lines)
    assert report.passed > 0
