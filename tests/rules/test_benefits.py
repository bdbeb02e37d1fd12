"""Benefit calculations: JKK, JKM, scholarship, JKP, JP, JHT (shared/spec/calculations.md).

Worked examples of regulations.md §13, every schedule boundary (the day before and the day a
new value applies), JKP eligibility edge cases, JHT compounding checked against hand-written
Decimal arithmetic, and refused facts. Expected values are computed here by hand, never taken
from the engine.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jaminan.rules import RulesError, calculate, catalogue
from jaminan.rules.parameters import all_parameters

MY_CALCULATIONS = (
    "benefit.jkm",
    "benefit.jkk",
    "benefit.scholarship",
    "benefit.jkp",
    "eligibility.jkp",
    "benefit.jp",
    "jht.balance",
    "jp.wage_cap",
    "jp.retirement_age",
)


def out(name: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The outputs of a calculation without its trace."""
    result = calculate(name, facts)
    result.pop("trace")
    return result


def rupiah(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def months(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive, as YYYY-MM."""
    year, month = int(first[:4]), int(first[5:])
    result = []
    while f"{year:04d}-{month:02d}" <= last:
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


# --- catalogue and parameters ----------------------------------------------------------------


def test_my_calculations_are_registered_and_examples_compute() -> None:
    infos = {info.name: info for info in catalogue()}
    for name in MY_CALCULATIONS:
        assert name in infos, name
        info = infos[name]
        assert info.summary_id and info.summary_en
        result = calculate(name, info.example)
        assert result["trace"], name


def test_parameter_files_carry_reference_and_confidence() -> None:
    programs = {"JKK", "JKM", "BEASISWA", "JKP", "JP", "JHT"}
    mine = [s for s in all_parameters() if s.program in programs]
    assert len(mine) > 60
    for series in mine:
        for value in series.values:
            assert value.reference and value.confidence in ("high", "medium", "low")
            # an uncertain value says why (regulations.md §14 open points are kept visible)
            if value.confidence == "low":
                assert value.note, f"{series.name} {value.start}: low confidence without a note"


def test_trace_names_parameters_with_dates_and_references() -> None:
    trace = calculate("benefit.jkm", {"death_date": "2024-05-10", "contribution_months": 10})[
        "trace"
    ]
    lump = next(e for e in trace if e["parameter"] == "jkm.lump_sum")
    assert lump == {
        "parameter": "jkm.lump_sum",
        "value": 20_000_000,
        "from": "2019-12-02",
        "to": None,
        "reference": "PP 82/2019 Pasal 34(1)a",
        "confidence": "high",
    }


# --- JKM --------------------------------------------------------------------------------------


def test_jkm_example_12_non_work_death() -> None:
    """§13 #12: Rp42,000,000 (20M + 12M + 10M), liputan6 / PP 82/2019 Pasal 34."""
    assert out("benefit.jkm", {"death_date": "2023-03-01", "contribution_months": 12}) == {
        "lump_sum": 20_000_000,
        "periodic": 12_000_000,
        "funeral": 10_000_000,
        "scholarship": 0,
        "total": 42_000_000,
    }


def test_jkm_boundary_2019_12_02() -> None:
    before = out("benefit.jkm", {"death_date": "2019-12-01", "contribution_months": 100})
    on = out("benefit.jkm", {"death_date": "2019-12-02", "contribution_months": 100})
    assert before == {
        "lump_sum": 16_200_000,
        "periodic": 4_800_000,
        "funeral": 3_000_000,
        "scholarship": 0,
        "total": 24_000_000,
    }
    assert on["total"] == 42_000_000


@pytest.mark.parametrize(
    ("death_date", "contribution_months", "scholarship"),
    [
        ("2019-12-01", 59, 0),
        ("2019-12-01", 60, 12_000_000),  # PP 44/2015 Pasal 34(2): flat, 5 years
        ("2019-12-02", 35, 0),
        ("2019-12-02", 36, 75_000_000),  # SMP 3 × 2M + SMA 3 × 3M + PT 5 × 12M
    ],
)
def test_jkm_scholarship_minimum_months(
    death_date: str, contribution_months: int, scholarship: int
) -> None:
    result = out(
        "benefit.jkm",
        {
            "death_date": death_date,
            "contribution_months": contribution_months,
            "children": [{"level": "SMP"}],
        },
    )
    cash = 24_000_000 if death_date == "2019-12-01" else 42_000_000
    assert result["scholarship"] == scholarship
    assert result["total"] == cash + scholarship


def test_jkm_with_two_children_from_tk_example_13() -> None:
    """§13 #13: 2 × (2×1.5M + 6×1.5M + 3×2M + 3×3M + 5×12M) = Rp174,000,000."""
    result = out(
        "benefit.jkm",
        {
            "death_date": "2024-01-15",
            "contribution_months": 36,
            "children": [{"level": "TK"}, {"level": "TK"}],
        },
    )
    assert result["scholarship"] == 174_000_000
    assert result["total"] == 42_000_000 + 174_000_000


# --- scholarship ------------------------------------------------------------------------------


def test_scholarship_example_13_two_children_tk() -> None:
    assert out(
        "benefit.scholarship",
        {"date": "2022-08-01", "children": [{"level": "TK"}, {"level": "TK"}]},
    ) == {"per_child": [87_000_000, 87_000_000], "total": 174_000_000}


@pytest.mark.parametrize(
    ("level", "amount"),
    [
        ("TK", 2 * 1_500_000 + 6 * 1_500_000 + 3 * 2_000_000 + 3 * 3_000_000 + 5 * 12_000_000),
        ("SD", 6 * 1_500_000 + 3 * 2_000_000 + 3 * 3_000_000 + 5 * 12_000_000),
        ("SMP", 3 * 2_000_000 + 3 * 3_000_000 + 5 * 12_000_000),
        ("SMA", 3 * 3_000_000 + 5 * 12_000_000),
        ("PT", 5 * 12_000_000),
    ],
)
def test_scholarship_per_level(level: str, amount: int) -> None:
    assert out("benefit.scholarship", {"date": "2021-06-01", "children": [{"level": level}]}) == {
        "per_child": [amount],
        "total": amount,
    }


def test_scholarship_only_first_two_children_count() -> None:
    result = out(
        "benefit.scholarship",
        {"date": "2025-01-01", "children": [{"level": "SMA"}, {"level": "PT"}, {"level": "TK"}]},
    )
    assert result == {"per_child": [69_000_000, 60_000_000, 0], "total": 129_000_000}


def test_scholarship_boundary_2019_12_02() -> None:
    children = [{"level": "SD"}, {"level": "SMA"}]
    assert out("benefit.scholarship", {"date": "2019-12-01", "children": children}) == {
        "per_child": [12_000_000, 0],
        "total": 12_000_000,
    }
    assert out("benefit.scholarship", {"date": "2019-12-02", "children": children}) == {
        "per_child": [84_000_000, 69_000_000],
        "total": 153_000_000,
    }


@pytest.mark.parametrize("on", ["2019-12-01", "2019-12-02"])
def test_scholarship_without_children_is_zero(on: str) -> None:
    assert out("benefit.scholarship", {"date": on, "children": []}) == {
        "per_child": [],
        "total": 0,
    }


# --- JKK --------------------------------------------------------------------------------------


def test_jkk_death_after_pp_82() -> None:
    """Death by work accident: 48 × wage + 12M + 10M + scholarship (liputan6 example, §11.6)."""
    result = out(
        "benefit.jkk",
        {
            "accident_date": "2023-04-03",
            "wage": 5_000_000,
            "outcome": "death",
            "children": [{"level": "PT"}],
        },
    )
    assert result == {
        "cash": 240_000_000,
        "periodic": 12_000_000,
        "funeral": 10_000_000,
        "stmb": 0,
        "scholarship": 60_000_000,
        "total": 322_000_000,
    }


def test_jkk_boundary_2019_12_02_death_and_total_disability() -> None:
    facts = {"wage": 4_000_000, "children": [{"level": "SMA"}]}
    death_before = out("benefit.jkk", {**facts, "accident_date": "2019-12-01", "outcome": "death"})
    assert death_before == {
        "cash": 192_000_000,
        "periodic": 4_800_000,
        "funeral": 3_000_000,
        "stmb": 0,
        "scholarship": 12_000_000,
        "total": 192_000_000 + 4_800_000 + 3_000_000 + 12_000_000,
    }
    death_on = out("benefit.jkk", {**facts, "accident_date": "2019-12-02", "outcome": "death"})
    assert (death_on["periodic"], death_on["funeral"], death_on["scholarship"]) == (
        12_000_000,
        10_000_000,
        69_000_000,
    )
    total_before = out(
        "benefit.jkk", {**facts, "accident_date": "2019-12-01", "outcome": "total_disability"}
    )
    assert total_before == {
        "cash": 224_000_000,
        "periodic": 4_800_000,
        "funeral": 0,
        "stmb": 0,
        "scholarship": 12_000_000,
        "total": 224_000_000 + 4_800_000 + 12_000_000,
    }
    total_on = out(
        "benefit.jkk", {**facts, "accident_date": "2019-12-02", "outcome": "total_disability"}
    )
    assert total_on["periodic"] == 12_000_000 and total_on["funeral"] == 0
    assert total_on["total"] == 224_000_000 + 12_000_000 + 69_000_000


def test_jkk_partial_disability_anatomical_and_functional() -> None:
    # one arm from the shoulder (right, 40%): 40% × 80 × 3,333,333 = 106,666,656
    result = out(
        "benefit.jkk",
        {
            "accident_date": "2024-05-10",
            "wage": 3_333_333,
            "outcome": "partial_disability",
            "disability_percent": 40,
            "months_incapacitated": 3,
        },
    )
    assert result == {
        "cash": 106_666_656,
        "periodic": 0,
        "funeral": 0,
        "stmb": 9_999_999,
        "scholarship": 0,
        "total": 116_666_655,
    }
    # functional: 50% reduction of a 35% item = 17.5%: 0.175 × 80 × 3,333,333 = 46,666,662
    functional = out(
        "benefit.jkk",
        {
            "accident_date": "2024-05-10",
            "wage": 3_333_333,
            "outcome": "partial_disability",
            "disability_percent": "17.5",
        },
    )
    assert functional["cash"] == 46_666_662
    # rounding half up once: 3.5% × 80 × 3,333,333 = 9,333,332.4 -> 9,333,332;
    # 0.5% × 80 × 1,234,567 = 493,826.8 -> 493,827
    assert (
        out(
            "benefit.jkk",
            {
                "accident_date": "2024-05-10",
                "wage": 1_234_567,
                "outcome": "partial_disability",
                "disability_percent": "0.5",
            },
        )["cash"]
        == 493_827
    )


@pytest.mark.parametrize(
    ("accident_date", "months_incapacitated", "expected"),
    [
        # before PP 82/2019: 100% × 6, 75% × 6, 50% after (wage 6,000,000)
        ("2019-12-01", 6, 36_000_000),
        ("2019-12-01", 7, 36_000_000 + 4_500_000),
        ("2019-12-01", 12, 36_000_000 + 27_000_000),
        ("2019-12-01", 13, 63_000_000 + 3_000_000),
        # from 2 Dec 2019: 100% × 12, 50% after
        ("2019-12-02", 6, 36_000_000),
        ("2019-12-02", 7, 42_000_000),
        ("2019-12-02", 12, 72_000_000),
        ("2019-12-02", 13, 75_000_000),
        ("2019-12-02", 0, 0),
    ],
)
def test_jkk_stmb_schedules(accident_date: str, months_incapacitated: int, expected: int) -> None:
    result = out(
        "benefit.jkk",
        {
            "accident_date": accident_date,
            "wage": 6_000_000,
            "outcome": "temporary_incapacity",
            "months_incapacitated": months_incapacitated,
        },
    )
    assert result == {
        "cash": 0,
        "periodic": 0,
        "funeral": 0,
        "stmb": expected,
        "scholarship": 0,
        "total": expected,
    }


def test_jkk_stmb_rounds_once() -> None:
    # 75% × 1,000,001 × 1 month (the 7th) = 750,000.75; with months 1-6: 6,000,006 + 750,000.75
    result = out(
        "benefit.jkk",
        {
            "accident_date": "2018-01-01",
            "wage": 1_000_001,
            "outcome": "temporary_incapacity",
            "months_incapacitated": 7,
        },
    )
    assert result["stmb"] == rupiah(Decimal("6000006") + Decimal("750000.75"))


def test_jkk_stmb_is_paid_with_death() -> None:
    result = out(
        "benefit.jkk",
        {
            "accident_date": "2024-01-01",
            "wage": 2_000_000,
            "outcome": "death",
            "months_incapacitated": 2,
        },
    )
    assert result["stmb"] == 4_000_000
    assert result["total"] == 96_000_000 + 12_000_000 + 10_000_000 + 4_000_000


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"outcome": "partial_disability"}, "disability_percent"),
        ({"outcome": "partial_disability", "disability_percent": 0}, "disability_percent"),
        ({"outcome": "partial_disability", "disability_percent": "100.5"}, "disability_percent"),
        ({"outcome": "partial_disability", "disability_percent": "abc"}, "disability_percent"),
        ({"outcome": "death", "disability_percent": 10}, "disability_percent"),
        ({"outcome": "temporary_incapacity"}, "months_incapacitated"),
        ({"outcome": "temporary_incapacity", "months_incapacitated": -1}, "months_incapacitated"),
        ({"outcome": "temporary_incapacity", "months_incapacitated": 1.0}, "months_incapacitated"),
        ({"outcome": "injury"}, "outcome"),
        ({"outcome": "death", "wage": 5_000_000.0}, "wage"),
        ({"outcome": "death", "wage": "5000000"}, "wage"),
        ({"outcome": "death", "accident_date": "2015-06-30"}, "accident_date"),
        ({"outcome": "death", "children": [{"level": "S2"}]}, "children"),
        ({"outcome": "death", "salary": 1}, "salary"),
    ],
)
def test_jkk_refused_facts(facts: dict[str, Any], fact: str) -> None:
    base = {"accident_date": "2024-05-10", "wage": 5_000_000}
    with pytest.raises(RulesError) as exc:
        calculate("benefit.jkk", {**base, **facts})
    assert exc.value.fact == fact
    assert fact in str(exc.value)


def test_jkk_disability_percent_100_is_accepted() -> None:
    result = out(
        "benefit.jkk",
        {
            "accident_date": "2024-05-10",
            "wage": 1_000_000,
            "outcome": "partial_disability",
            "disability_percent": 100,
        },
    )
    assert result["cash"] == 80_000_000


# --- JKP --------------------------------------------------------------------------------------


def test_jkp_example_19_wage_above_cap() -> None:
    """§13 #19: 60% × 5,000,000 = 3,000,000 a month; 6 months = 18,000,000 (PP 6/2025)."""
    assert out("benefit.jkp", {"termination_date": "2025-03-01", "wage": 8_000_000}) == {
        "wage_base": 5_000_000,
        "monthly": [3_000_000] * 6,
        "total": 18_000_000,
    }


def test_jkp_boundary_2025_02_07() -> None:
    before = out("benefit.jkp", {"termination_date": "2025-02-06", "wage": 5_000_000})
    assert before == {
        "wage_base": 5_000_000,
        "monthly": [2_250_000] * 3 + [1_250_000] * 3,
        "total": 10_500_000,
    }
    on = out("benefit.jkp", {"termination_date": "2025-02-07", "wage": 5_000_000})
    assert on["monthly"] == [3_000_000] * 6 and on["total"] == 18_000_000


def test_jkp_wage_below_cap_rounds_each_month() -> None:
    # 45% × 3,333,335 = 1,500,000.75 -> 1,500,001; 25% × 3,333,335 = 833,333.75 -> 833,334
    result = out("benefit.jkp", {"termination_date": "2023-10-10", "wage": 3_333_335})
    assert result["monthly"] == [1_500_001] * 3 + [833_334] * 3
    assert result["total"] == 3 * 1_500_001 + 3 * 833_334
    assert result["wage_base"] == 3_333_335


@pytest.mark.parametrize("name", ["benefit.jkp", "eligibility.jkp"])
def test_jkp_start_2021_02_02(name: str) -> None:
    facts: dict[str, Any] = (
        {"wage": 4_000_000} if name == "benefit.jkp" else {"paid_months": ["2021-01"]}
    )
    with pytest.raises(RulesError) as exc:
        calculate(name, {**facts, "termination_date": "2021-02-01"})
    assert exc.value.fact == "termination_date"
    calculate(name, {**facts, "termination_date": "2021-02-02"})


def test_jkp_eligible_with_24_months() -> None:
    assert out(
        "eligibility.jkp",
        {"termination_date": "2024-06-20", "paid_months": months("2022-07", "2024-06")},
    ) == {"eligible": True, "reasons": []}


def test_jkp_exactly_12_of_24_at_the_window_edge() -> None:
    # window for a June 2024 termination: 2022-07 .. 2024-06
    recent = months("2024-01", "2024-06")  # 6 consecutive ending with the termination month
    assert out(
        "eligibility.jkp",
        {"termination_date": "2024-06-20", "paid_months": months("2022-07", "2022-12") + recent},
    ) == {"eligible": True, "reasons": []}
    # the same count, one month shifted out of the window: 11 in window
    assert out(
        "eligibility.jkp",
        {"termination_date": "2024-06-20", "paid_months": months("2022-06", "2022-11") + recent},
    ) == {"eligible": False, "reasons": ["too_few_months"]}


def test_jkp_six_consecutive_ending_the_month_before() -> None:
    paid = months("2023-06", "2024-05")  # 12 months, ends the month before termination
    assert out("eligibility.jkp", {"termination_date": "2024-06-01", "paid_months": paid}) == {
        "eligible": True,
        "reasons": [],
    }
    # ending two months before the termination month does not count
    paid = months("2023-05", "2024-04")
    assert out("eligibility.jkp", {"termination_date": "2024-06-30", "paid_months": paid}) == {
        "eligible": False,
        "reasons": ["not_consecutive"],
    }


def test_jkp_gap_in_the_last_six_months() -> None:
    paid = [m for m in months("2023-01", "2024-06") if m != "2024-03"]
    assert out("eligibility.jkp", {"termination_date": "2024-06-15", "paid_months": paid}) == {
        "eligible": False,
        "reasons": ["not_consecutive"],
    }
    # five consecutive only (ending with the month before): still not enough
    paid = [m for m in months("2023-01", "2024-05") if m != "2023-12"]
    assert out("eligibility.jkp", {"termination_date": "2024-06-15", "paid_months": paid}) == {
        "eligible": False,
        "reasons": ["not_consecutive"],
    }


def test_jkp_age_at_registration_and_reason_order() -> None:
    good = months("2023-01", "2024-06")
    assert out(
        "eligibility.jkp",
        {"termination_date": "2024-06-15", "paid_months": good, "age_at_registration": 53},
    ) == {"eligible": True, "reasons": []}
    assert out(
        "eligibility.jkp",
        {"termination_date": "2024-06-15", "paid_months": good, "age_at_registration": 54},
    ) == {"eligible": False, "reasons": ["age_at_registration"]}
    assert out(
        "eligibility.jkp",
        {"termination_date": "2024-06-15", "paid_months": [], "age_at_registration": 60},
    ) == {
        "eligible": False,
        "reasons": ["too_few_months", "not_consecutive", "age_at_registration"],
    }


def test_jkp_months_after_the_termination_month_do_not_count() -> None:
    paid = months("2024-01", "2024-06") + months("2024-08", "2025-01")
    assert out("eligibility.jkp", {"termination_date": "2024-06-15", "paid_months": paid}) == {
        "eligible": False,
        "reasons": ["too_few_months"],
    }


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"paid_months": "2024-01"}, "paid_months"),
        ({"paid_months": ["2024-13"]}, "paid_months"),
        ({"paid_months": ["2024-01", "2024-01"]}, "paid_months"),
        ({"paid_months": [], "age_at_registration": "40"}, "age_at_registration"),
        ({"paid_months": [], "age_at_registration": -1}, "age_at_registration"),
        ({}, "paid_months"),
    ],
)
def test_jkp_eligibility_refused_facts(facts: dict[str, Any], fact: str) -> None:
    with pytest.raises(RulesError) as exc:
        calculate("eligibility.jkp", {"termination_date": "2024-06-15", **facts})
    assert exc.value.fact == fact


# --- JP ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "previous", "cap"),
    [
        (2016, 7_000_000, 7_335_300),
        (2017, 7_335_300, 7_703_500),
        (2018, 7_703_500, 8_094_000),
        (2019, 8_094_000, 8_512_400),  # §13 #7
        (2020, 8_512_400, 8_939_700),  # §13 #6
        (2021, 8_939_700, 8_754_600),
        (2022, 8_754_600, 9_077_600),
        (2023, 9_077_600, 9_559_600),  # §13 #3
        (2024, 9_559_600, 10_042_300),  # §13 #8
        (2025, 10_042_300, 10_547_400),
        (2026, 10_547_400, 11_086_300),
    ],
)
def test_jp_wage_cap_changes_in_march(year: int, previous: int, cap: int) -> None:
    assert out("jp.wage_cap", {"month": f"{year}-02"}) == {"cap": previous}
    assert out("jp.wage_cap", {"month": f"{year}-03"}) == {"cap": cap}


def test_jp_wage_cap_first_month_and_refusal() -> None:
    assert out("jp.wage_cap", {"month": "2015-07"}) == {"cap": 7_000_000}
    with pytest.raises(RulesError) as exc:
        calculate("jp.wage_cap", {"month": "2015-06"})
    assert exc.value.fact == "month"


def test_jp_wage_cap_2026_is_low_confidence() -> None:
    trace = calculate("jp.wage_cap", {"month": "2026-03"})["trace"]
    assert trace[0]["confidence"] == "low"


@pytest.mark.parametrize(
    ("on", "age"),
    [
        ("2015-07-01", 56),
        ("2018-12-31", 56),
        ("2019-01-01", 57),
        ("2021-12-31", 57),
        ("2022-01-01", 58),
        ("2023-07-16", 58),  # §13 #23: born 16 Jul 1965 reaches 58 in July 2023
        ("2025-01-01", 59),
        ("2027-12-31", 59),
        ("2028-01-01", 60),
        ("2031-01-01", 61),
        ("2034-01-01", 62),
        ("2037-01-01", 63),
        ("2040-01-01", 64),
        ("2042-12-31", 64),
        ("2043-01-01", 65),
        ("2090-06-01", 65),
    ],
)
def test_jp_retirement_age(on: str, age: int) -> None:
    assert out("jp.retirement_age", {"date": on}) == {"age": age}


def test_jp_entry_age_example_23() -> None:
    """§13 #23: born 16 Jul 1965 -> can be enrolled until June 2023 (58 in force in 2023)."""
    birth = date(1965, 7, 16)
    age_in_june = 2023 - birth.year - 1  # 57 on 30 Jun 2023
    age_in_july = 2023 - birth.year  # 58 on 16 Jul 2023
    retirement = out("jp.retirement_age", {"date": "2023-06-30"})["age"]
    assert age_in_june < retirement <= age_in_july


def _jp(event_date: str, months_: int, wage: int) -> dict[str, Any]:
    return out(
        "benefit.jp",
        {
            "event": "old_age",
            "event_date": event_date,
            "contribution_months": months_,
            "average_indexed_wage": wage,
        },
    )


def test_jp_formula() -> None:
    # 1% × 187/12 × 6,000,000 = 935,000
    assert _jp("2031-02-01", 187, 6_000_000) == {"monthly_pension": 935_000, "lump_sum_due": False}
    # 1% × 200/12 × 7,777,777 = 1,296,296.166... -> 1,296,296
    expected = rupiah(Decimal("0.01") * 200 / 12 * 7_777_777)
    assert expected == 1_296_296
    assert _jp("2032-05-01", 200, 7_777_777)["monthly_pension"] == expected


def test_jp_180_months_boundary() -> None:
    assert _jp("2031-01-01", 179, 9_000_000) == {"monthly_pension": 0, "lump_sum_due": True}
    # 1% × 15 × 9,000,000 = 1,350,000
    assert _jp("2031-01-01", 180, 9_000_000) == {
        "monthly_pension": 1_350_000,
        "lump_sum_due": False,
    }


@pytest.mark.parametrize(
    ("event_date", "minimum", "maximum"),
    [
        ("2015-07-01", 300_000, 3_600_000),
        ("2015-12-31", 300_000, 3_600_000),
        ("2016-01-01", 310_050, 3_720_600),  # §13 #9
        ("2017-06-01", 319_450, 3_833_000),
        ("2018-06-01", 331_000, 3_971_400),
        ("2019-06-01", 341_400, 4_095_750),  # §13 #10
        ("2020-06-01", 350_700, 4_207_200),
        ("2021-06-01", 356_600, 4_277_900),
        ("2022-06-01", 363_300, 4_357_900),
        ("2023-06-01", 383_400, 4_598_100),
        ("2024-06-01", 393_500, 4_718_200),  # §13 #8 minimum
        ("2025-06-01", 399_700, 4_792_300),
        ("2026-06-01", 399_700, 4_792_300),  # 2026 not found: 2025 kept (low)
    ],
)
def test_jp_minimum_and_maximum_of_the_event_year(
    event_date: str, minimum: int, maximum: int
) -> None:
    # 180 months: 15% of the wage; 1,000,000 -> 150,000 (below every minimum)
    assert _jp(event_date, 180, 1_000_000)["monthly_pension"] == minimum
    # 400 months of 60,000,000 -> 20,000,000 (above every maximum)
    assert _jp(event_date, 400, 60_000_000)["monthly_pension"] == maximum


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"event": "disability"}, "event"),
        ({"event": "death"}, "event"),
        ({"event_date": "2015-06-30"}, "event_date"),
        ({"contribution_months": -1}, "contribution_months"),
        ({"contribution_months": "180"}, "contribution_months"),
        ({"average_indexed_wage": 5_000_000.5}, "average_indexed_wage"),
        ({"average_indexed_wage": True}, "average_indexed_wage"),
        ({"average_indexed_wage": None}, "average_indexed_wage"),
    ],
)
def test_jp_refused_facts(facts: dict[str, Any], fact: str) -> None:
    base = {
        "event": "old_age",
        "event_date": "2031-01-01",
        "contribution_months": 200,
        "average_indexed_wage": 5_000_000,
    }
    with pytest.raises(RulesError) as exc:
        calculate("benefit.jp", {**base, **facts})
    assert exc.value.fact == fact


# --- JHT --------------------------------------------------------------------------------------


def test_jht_example_22_one_year_at_5_percent() -> None:
    """§13 #22 (jpnn): Rp20,000,000 at 5% -> about Rp21,000,000 after one year."""
    facts = {
        "opening_balance": 20_000_000,
        "opening_date": "2025-01-01",
        "as_of": "2025-12-31",
        "returns": {2025: 5},
    }
    assert out("jht.balance", facts) == {"balance": 21_000_000, "returns_credited": 1_000_000}
    # the day before the 31 December nothing is credited yet
    assert out("jht.balance", {**facts, "as_of": "2025-12-30"}) == {
        "balance": 20_000_000,
        "returns_credited": 0,
    }


def test_jht_opening_on_31_december_is_held_the_whole_next_year() -> None:
    facts = {
        "opening_balance": 10_000_000,
        "opening_date": "2024-12-31",
        "as_of": "2025-12-31",
        "returns": {2025: "6"},  # no 2024 return needed: 2024-12-31 is not after opening_date
    }
    assert out("jht.balance", facts) == {"balance": 10_600_000, "returns_credited": 600_000}


def test_jht_multi_year_compounding_by_hand() -> None:
    """Opening mid-year, contributions, three year-ends, percents as int, str and float."""
    facts = {
        "opening_balance": 1_000_000,
        "opening_date": "2023-04-10",
        "as_of": "2026-03-31",
        "contributions": [
            {"month": "2023-04", "amount": 100_000},
            {"month": "2023-12", "amount": 250_000},
            {"month": "2024-01", "amount": 300_000},
            {"month": "2024-07", "amount": 300_000},
            {"month": "2025-12", "amount": 123_457},
            {"month": "2026-02", "amount": 50_000},
        ],
        "returns": {2023: "7.19", 2024: 6, 2025: 5.5, 2026: 9},
    }
    # 2023: opening counts as an April contribution: (1,000,000 + 100,000) × 8/12; Dec earns 0
    r23 = Decimal("0.0719") * (Decimal(1_100_000) * 8 / 12)
    held_24 = Decimal(1_000_000 + 100_000 + 250_000) + r23
    # 2024: whole-year balance + Jan 300,000 × 11/12 + Jul 300,000 × 5/12
    r24 = Decimal("0.06") * (held_24 + Decimal(300_000) * 11 / 12 + Decimal(300_000) * 5 / 12)
    held_25 = held_24 + r24 + 600_000
    # 2025: December contribution earns nothing this year
    r25 = Decimal("0.055") * held_25
    # 2026: as_of 31 March, no year end yet
    credited = r23 + r24 + r25
    total_in = 1_000_000 + 100_000 + 250_000 + 600_000 + 123_457 + 50_000
    result = out("jht.balance", facts)
    assert result == {
        "balance": total_in + rupiah(credited),
        "returns_credited": rupiah(credited),
    }
    assert result["returns_credited"] == 276_989


def test_jht_balance_identity_and_december_contribution() -> None:
    facts = {
        "opening_balance": 0,
        "opening_date": "2024-01-01",
        "as_of": "2024-12-31",
        "contributions": [{"month": "2024-12", "amount": 1_000_000}],
        "returns": {2024: "10"},
    }
    assert out("jht.balance", facts) == {"balance": 1_000_000, "returns_credited": 0}


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"returns": {}}, "returns"),
        ({"returns": {2024: "5"}}, "returns"),  # 2025 missing
        ({"returns": {"twenty": 5}}, "returns"),
        ({"returns": {2025: "five"}}, "returns"),
        ({"contributions": [{"month": "2024-12", "amount": 1}]}, "contributions"),
        ({"contributions": [{"month": "2026-01", "amount": 1}]}, "contributions"),
        ({"contributions": [{"month": "2025-05", "amount": 1.5}]}, "contributions"),
        ({"contributions": [{"month": "2025-05"}]}, "contributions"),
        ({"as_of": "2024-12-31"}, "as_of"),
        ({"opening_date": "2015-06-30", "as_of": "2015-07-31"}, "opening_date"),
        ({"opening_balance": -1}, "opening_balance"),
        ({"opening_balance": 20_000_000.0}, "opening_balance"),
    ],
)
def test_jht_refused_facts(facts: dict[str, Any], fact: str) -> None:
    base = {
        "opening_balance": 20_000_000,
        "opening_date": "2025-01-01",
        "as_of": "2025-12-31",
        "returns": {2025: 5},
    }
    with pytest.raises(RulesError) as exc:
        calculate("jht.balance", {**base, **facts})
    assert exc.value.fact == fact
    assert fact in str(exc.value)


# --- facts common to all ----------------------------------------------------------------------


@pytest.mark.parametrize("name", MY_CALCULATIONS)
def test_missing_required_fact_is_named(name: str) -> None:
    info = next(i for i in catalogue() if i.name == name)
    for spec in info.facts:
        if not spec.required:
            continue
        facts = {k: v for k, v in info.example.items() if k != spec.name}
        with pytest.raises(RulesError) as exc:
            calculate(name, facts)
        assert exc.value.fact == spec.name


@pytest.mark.parametrize("name", MY_CALCULATIONS)
def test_unknown_fact_is_refused(name: str) -> None:
    info = next(i for i in catalogue() if i.name == name)
    with pytest.raises(RulesError) as exc:
        calculate(name, {**info.example, "colour": "blue"})
    assert exc.value.fact == "colour"


@pytest.mark.parametrize("name", MY_CALCULATIONS)
def test_no_float_in_outputs(name: str) -> None:
    info = next(i for i in catalogue() if i.name == name)
    result = calculate(name, info.example)

    def walk(value: Any) -> None:
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk({k: v for k, v in result.items() if k != "trace"})


# --- properties against independent month-by-month references ---------------------------------


def _month_index(text: str) -> int:
    return int(text[:4]) * 12 + int(text[5:]) - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@settings(max_examples=200, deadline=None)
@given(
    opening_balance=st.integers(0, 500_000_000),
    opening=st.dates(date(2016, 1, 1), date(2020, 12, 31)),
    span_days=st.integers(0, 4 * 366),
    data=st.data(),
)
def test_jht_matches_a_month_by_month_simulation(
    opening_balance: int, opening: date, span_days: int, data: st.DataObject
) -> None:
    as_of = date.fromordinal(opening.toordinal() + span_days)
    first, last = opening.year * 12 + opening.month - 1, as_of.year * 12 + as_of.month - 1
    flows = data.draw(
        st.lists(st.tuples(st.integers(first, last), st.integers(0, 5_000_000)), max_size=12)
    )
    returns = {year: data.draw(st.decimals("-1", "12", places=2)) for year in range(2015, 2026)}
    # reference: each month k of a year accrues r/12 on what is held at the start of month k
    held_from_january = (opening.month, opening.day) in ((1, 1), (12, 31))
    by_month: dict[int, int] = {}
    for index, amount in flows:
        by_month[index] = by_month.get(index, 0) + amount
    balance = Decimal(opening_balance) if held_from_january else Decimal(0)
    if not held_from_january:
        by_month[first] = by_month.get(first, 0) + opening_balance
    credited = Decimal(0)
    for year in range(opening.year, as_of.year + 1):
        year_end = date(year, 12, 31)
        accrued = Decimal(0)
        for month in range(12):
            accrued += returns[year] / 100 / 12 * balance
            balance += by_month.get(year * 12 + month, 0)
        if opening < year_end <= as_of:
            credited += accrued
            balance += accrued
    facts = {
        "opening_balance": opening_balance,
        "opening_date": opening.isoformat(),
        "as_of": as_of.isoformat(),
        "contributions": [
            {"month": _month_text(index), "amount": amount} for index, amount in flows
        ],
        "returns": {year: str(r) for year, r in returns.items()},
    }
    result = out("jht.balance", facts)
    # r/12 per month is exact up to Decimal's 28 digits: compare to the rupiah after rounding
    assert abs(result["returns_credited"] - credited) <= Decimal("0.5000001")
    assert (
        result["balance"] == opening_balance + sum(a for _, a in flows) + result["returns_credited"]
    )


@settings(max_examples=300, deadline=None)
@given(
    termination=st.dates(date(2021, 2, 2), date(2027, 12, 31)),
    offsets=st.sets(st.integers(-30, 3), max_size=34),
    age=st.none() | st.integers(15, 70),
)
def test_jkp_eligibility_matches_a_plain_reading(
    termination: date, offsets: set[int], age: int | None
) -> None:
    end = termination.year * 12 + termination.month - 1
    paid = {end + k for k in offsets if end + k >= 2015 * 12 + 6}
    facts: dict[str, Any] = {
        "termination_date": termination.isoformat(),
        "paid_months": sorted(_month_text(i) for i in paid),
    }
    if age is not None:
        facts["age_at_registration"] = age
    expected: list[str] = []
    if len([i for i in paid if end - 23 <= i <= end]) < 12:
        expected.append("too_few_months")
    if not any(all(last - k in paid for k in range(6)) for last in (end, end - 1)):
        expected.append("not_consecutive")
    if age is not None and age >= 54:
        expected.append("age_at_registration")
    assert out("eligibility.jkp", facts) == {"eligible": not expected, "reasons": expected}
