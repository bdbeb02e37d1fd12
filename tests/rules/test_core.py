"""Core of the rules engine: errors name the fact, half-up rounding, months, facts, trace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jaminan.rules import RulesError, UnknownCalculation, calculate, catalogue
from jaminan.rules.core import (
    ParamValue,
    Trace,
    add_months,
    half_up,
    month_key,
    month_str,
    months_between,
    parse_month,
)
from jaminan.rules.facts import FactSpec, parse_facts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.5"), 1),
        (Decimal("1.5"), 2),
        (Decimal("2.5"), 3),  # half up, not banker's rounding
        (Decimal("2.4999"), 2),
        (Decimal("191192.0"), 191192),
        (Decimal("95596.5"), 95597),
        (Decimal("0.49"), 0),
        (7, 7),
    ],
)
def test_half_up(value: Decimal | int, expected: int) -> None:
    assert half_up(value) == expected
    assert type(half_up(value)) is int


def test_half_up_refuses_float_and_bool() -> None:
    with pytest.raises(TypeError):
        half_up(0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        half_up(True)


def test_rules_error_names_the_fact() -> None:
    err = RulesError("wage", "required")
    assert err.fact == "wage"
    assert str(err) == "wage: required"
    assert isinstance(err, ValueError)


def test_months() -> None:
    assert parse_month("2021-05") == date(2021, 5, 1)
    assert month_str(date(2021, 5, 17)) == "2021-05"
    assert month_key(date(2021, 5, 17)) == 202105
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2020, 11, 30), 3) == date(2021, 2, 28)
    assert add_months(date(2020, 12, 15), -12) == date(2019, 12, 15)
    assert months_between(date(2020, 11, 1), date(2021, 2, 1)) == 3
    for bad in ("2021-13", "2021-5", "202105", "2021/05", "abcd-ef", "0000-01"):
        with pytest.raises(RulesError, match=r"^month: "):
            parse_month(bad)


SPECS = [
    FactSpec("month", "month", required=True),
    FactSpec("wage", "money", required=True),
    FactSpec("risk_group", "int", choices=(1, 2, 3, 4, 5), default=1),
    FactSpec("flag", "bool", default=False),
    FactSpec("percent", "decimal"),
    FactSpec("on", "date"),
    FactSpec("programs", "programs", default=["JKK", "JKM"]),
    FactSpec("children", "children"),
    FactSpec("returns", "returns"),
    FactSpec("contributions", "contributions"),
    FactSpec("paid", "months"),
    FactSpec("sector", "choice", choices=("transport", "other"), default="other"),
]


def test_parse_facts_converts_and_fills_defaults() -> None:
    facts = parse_facts(
        SPECS,
        {
            "month": "2021-05",
            "wage": 5_000_000,
            "percent": 5.5,
            "on": "2021-05-17",
            "children": [{"level": "SD"}],
            "returns": {"2025": "5", 2026: 4.5},
            "contributions": [{"month": "2025-03", "amount": 100}],
            "paid": ["2025-01", "2025-02"],
        },
    )
    assert facts["month"] == date(2021, 5, 1)
    assert facts["wage"] == 5_000_000
    assert facts["risk_group"] == 1
    assert facts["flag"] is False
    assert facts["percent"] == Decimal("5.5")
    assert facts["on"] == date(2021, 5, 17)
    assert facts["programs"] == ["JKK", "JKM"]
    assert facts["children"] == [{"level": "SD"}]
    assert facts["returns"] == {2025: Decimal("5"), 2026: Decimal("4.5")}
    assert facts["contributions"] == [{"month": date(2025, 3, 1), "amount": 100}]
    assert facts["paid"] == [date(2025, 1, 1), date(2025, 2, 1)]
    assert facts["sector"] == "other"


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"wage": 1}, "month"),  # required
        ({"month": "2021-05"}, "wage"),  # required
        ({"month": "2021-05", "wage": 1, "bonus": 2}, "bonus"),  # unknown fact
        ({"month": "2021-05", "wage": 5000000.0}, "wage"),  # float money
        ({"month": "2021-05", "wage": "5000000"}, "wage"),  # string money
        ({"month": "2021-05", "wage": True}, "wage"),  # bool is not money
        ({"month": "2021-05", "wage": -1}, "wage"),
        ({"month": "2015-06", "wage": 1}, "month"),  # before PP 44/2015
        ({"month": "2021-05", "wage": 1, "risk_group": 6}, "risk_group"),
        ({"month": "2021-05", "wage": 1, "risk_group": True}, "risk_group"),
        ({"month": "2021-05", "wage": 1, "flag": 1}, "flag"),
        ({"month": "2021-05", "wage": 1, "on": "2021-02-31"}, "on"),
        ({"month": "2021-05", "wage": 1, "programs": ["JKK", "XYZ"]}, "programs"),
        ({"month": "2021-05", "wage": 1, "programs": ["JKK", "JKK"]}, "programs"),
        ({"month": "2021-05", "wage": 1, "programs": "JKK"}, "programs"),
        ({"month": "2021-05", "wage": 1, "children": [{"level": "S2"}]}, "children"),
        ({"month": "2021-05", "wage": 1, "returns": {"year": 5}}, "returns"),
        ({"month": "2021-05", "wage": 1, "percent": "abc"}, "percent"),
        ({"month": "2021-05", "wage": 1, "contributions": [{"month": "2025-01"}]}, "contributions"),
        ({"month": "2021-05", "wage": 1, "sector": "farming"}, "sector"),
        ({"month": "2021-05", "wage": 1, "paid": ["2025-01", "2025-01"]}, "paid"),
    ],
)
def test_parse_facts_errors_name_the_fact(facts: dict[str, object], fact: str) -> None:
    with pytest.raises(RulesError) as info:
        parse_facts(SPECS, facts)
    assert info.value.fact == fact
    assert str(info.value).startswith(f"{fact}: ")


def test_none_counts_as_absent() -> None:
    assert parse_facts(SPECS, {"month": "2021-05", "wage": 1, "flag": None})["flag"] is False
    with pytest.raises(RulesError, match=r"^wage: required"):
        parse_facts(SPECS, {"month": "2021-05", "wage": None})


def test_trace_records_from_to_reference() -> None:
    trace = Trace()
    pv = ParamValue("x", Decimal("0.02"), date(2015, 7, 1), None, "rate", "PP 1 Pasal 2", "high")
    assert trace.use(pv) == Decimal("0.02")
    trace.use(pv)  # recorded once
    trace.note("derived", date(2021, 3, 1), "rule")
    assert trace.to_list() == [
        {
            "parameter": "x",
            "value": "0.02",
            "from": "2015-07-01",
            "to": None,
            "reference": "PP 1 Pasal 2",
            "confidence": "high",
        },
        {"parameter": "derived", "value": "2021-03-01", "reference": "rule"},
    ]


def test_calculate_has_trace_with_from_and_reference() -> None:
    result = calculate("contribution.pu", {"month": "2026-05", "wage": 5_000_000, "risk_group": 1})
    entries = {e["parameter"]: e for e in result["trace"]}
    assert entries["pu.jkk_rate.group_1"]["from"] == "2015-07-01"
    assert entries["pu.jkk_rate.group_1"]["reference"] == "PP 44/2015 Pasal 16(1)a"
    assert entries["jp.wage_cap"]["from"] == "2026-03-01"
    assert entries["jp.wage_cap"]["confidence"] == "low"


def test_unknown_calculation() -> None:
    with pytest.raises(UnknownCalculation):
        calculate("contribution.nope", {})


def test_catalogue_examples_compute_and_have_no_float() -> None:
    names = [info.name for info in catalogue()]
    for name in (
        "contribution.pu",
        "contribution.bpu",
        "contribution.jakon",
        "contribution.pmi",
        "fine",
        "nik.parse",
        "budget.sponsorship",
    ):
        assert name in names
    for info in catalogue():
        result = calculate(info.name, info.example)
        assert isinstance(result["trace"], list)
        assert info.summary_id and info.summary_en

        def walk(value: object) -> None:
            assert not isinstance(value, float | Decimal)
            if isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk({k: v for k, v in result.items() if k != "trace"})
