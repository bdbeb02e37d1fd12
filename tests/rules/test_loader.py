"""The parameter loader fails loudly on anything that is not exactly the format."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from jaminan.rules import RulesError, parameters
from jaminan.rules.parameters import ParameterFileError, load_directory, load_file

GOOD = """\
program: TEST
parameters:
  test.rate:
    description: {id: "Tarif", en: "Rate"}
    unit: rate
    values:
      - from: 2015-07-01
        value: "0.0024"
        reference: PP 44/2015 Pasal 16(1)a
        confidence: high
      - from: 2020-08-01
        value: "0.01"
        reference: PP 49/2020 Pasal 8
        confidence: medium
        note: an open point
  test.amount:
    description: {id: "Nominal", en: "Amount"}
    unit: money
    values:
      - {from: 2015-07-01, value: 6800, reference: PP 44/2015 Pasal 20(3), confidence: high}
"""


def write(tmp_path: Path, text: str, name: str = "test.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads_with_implied_to(tmp_path: Path) -> None:
    series = {s.name: s for s in load_file(write(tmp_path, GOOD))}
    rate = series["test.rate"]
    assert rate.program == "TEST"
    assert rate.values[0].value == Decimal("0.0024")
    assert rate.values[0].end == date(2020, 7, 31)
    assert rate.values[1].end is None
    assert rate.values[1].note == "an open point"
    assert rate.values[1].confidence == "medium"
    assert series["test.amount"].values[0].value == 6800


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("program: TEST", "program: TEST\nextra: 1", "unknown key"),
        ("    unit: rate", "    unit: rate\n    owner: me", "unknown key"),
        ("        note: an open point", "        to: 2021-01-31", "unknown key"),
        ("        reference: PP 49/2020 Pasal 8\n", "", "missing key"),
        ("        confidence: medium\n", "", "missing key"),
        ("    unit: rate\n", "", "missing key"),
        ("- from: 2020-08-01", "- from: 2015-06-01", "not after"),  # unordered
        ("- from: 2020-08-01", "- from: 2015-07-01", "not after"),  # duplicate date
        ("value: 6800", "value: 6800.0", "float"),  # float money
        ("value: 6800", 'value: "6800"', "money must be an integer"),
        ('value: "0.0024"', "value: 0.0024", "float"),  # unquoted rate
        ('value: "0.0024"', 'value: "abc"', "not a decimal"),
        ("confidence: high", "confidence: certain", "confidence"),
        ("unit: money", "unit: dollars", "unit"),
        ('{id: "Tarif", en: "Rate"}', '{id: "Tarif"}', "description"),
        ("- from: 2015-07-01\n        value", "- from: July 2015\n        value", "from"),
        ("reference: PP 44/2015 Pasal 16(1)a", 'reference: ""', "reference"),
    ],
)
def test_loader_fails_loudly(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GOOD, old
    with pytest.raises(ParameterFileError, match=message):
        load_file(write(tmp_path, GOOD.replace(old, new, 1)))


def test_same_name_in_two_files(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD.replace("TEST", "OTHER"), "b.yaml")
    with pytest.raises(ParameterFileError, match="already defined"):
        load_directory(tmp_path)


def test_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(ParameterFileError, match="invalid YAML"):
        load_file(write(tmp_path, "program: [unclosed"))


def test_project_parameters_load() -> None:
    names = set(parameters.names())
    for name in (
        "pu.jkk_rate.group_1",
        "pu.jkm_rate",
        "pu.jht_rate.employer",
        "pu.jp_rate.worker",
        "bpu.income_minimum",
        "jakon.jkk_rate.band_5",
        "pmi.before_placement",
        "relief.pp49_2020.pu_jkk_share",
        "relief.pp50_2025.bpu_discount.transport",
        "due.pu.day_of_following_month",
        "fine.pu.rate_per_month",
    ):
        assert name in names
    for series in parameters.all_parameters():
        for value in series.values:
            assert value.reference and value.confidence in ("high", "medium", "low")


def test_get_in_force_and_errors() -> None:
    assert parameters.get("jp.wage_cap", date(2016, 2, 29), fact="month").value == 7_000_000
    assert parameters.get("jp.wage_cap", date(2016, 3, 1), fact="month").value == 7_335_300
    with pytest.raises(RulesError, match=r"^month: "):
        parameters.get("pmi.before_placement", date(2018, 12, 1), fact="month")
    with pytest.raises(KeyError):
        parameters.get("no.such.parameter", date(2020, 1, 1), fact="month")
