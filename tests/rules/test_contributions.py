"""Contributions, fine, NIK and sponsorship budget: regulations.md §13 examples and boundaries."""

from __future__ import annotations

from typing import Any

import pytest

from jaminan.rules import RulesError, calculate


def calc(name: str, **facts: Any) -> dict[str, Any]:
    result = calculate(name, facts)
    result.pop("trace")
    return result


def pu(month: str, wage: int, group: int = 1, **extra: Any) -> dict[str, Any]:
    return calc("contribution.pu", month=month, wage=wage, risk_group=group, **extra)


# --- PU ------------------------------------------------------------------------------------


def test_pu_jp_above_cap_gadjian_2023() -> None:
    """§13 #4: wage 10,000,000 with the 2023 cap 9,559,600."""
    result = pu("2023-05", 10_000_000)
    assert result["JP"] == {"employer": 191_192, "worker": 95_596, "wage_base": 9_559_600}


def test_pu_jp_below_cap_and_jht_kalkupro() -> None:
    """§13 #5 and #21."""
    assert pu("2023-05", 6_000_000)["JP"]["employer"] == 120_000
    assert pu("2023-05", 6_000_000)["JP"]["worker"] == 60_000
    result = pu("2025-06", 7_000_000)
    assert result["JHT"] == {"employer": 259_000, "worker": 140_000}


def test_pu_full_month_all_lines() -> None:
    result = pu("2026-05", 5_000_000, 3)
    assert result["JKK"]["employer"] == 44_500
    assert result["JKM"]["employer"] == 15_000
    assert result["JHT"] == {"employer": 185_000, "worker": 100_000}
    assert result["JP"] == {"employer": 100_000, "worker": 50_000, "wage_base": 5_000_000}
    assert result["employer_total"] == 44_500 + 15_000 + 185_000 + 100_000
    assert result["worker_total"] == 150_000
    assert result["total"] == result["employer_total"] + result["worker_total"]


@pytest.mark.parametrize(
    ("group", "jkk"), [(1, 12_000), (2, 27_000), (3, 44_500), (4, 63_500), (5, 87_000)]
)
def test_pu_risk_groups(group: int, jkk: int) -> None:
    assert pu("2019-01", 5_000_000, group)["JKK"]["employer"] == jkk


def test_pu_rounding_half_up_per_line() -> None:
    # 0.24% of 1,234,567 = 2962.9608 -> 2963; 0.3% = 3703.701 -> 3704; 3.7% = 45678.979 -> 45679
    result = pu("2024-01", 1_234_567)
    assert result["JKK"]["employer"] == 2963
    assert result["JKM"]["employer"] == 3704
    assert result["JHT"]["employer"] == 45679
    # 0.24% of 2,500,625 = 6001.5 exactly -> 6002 (half up)
    assert pu("2024-01", 2_500_625)["JKK"]["employer"] == 6002


def test_pu_jp_cap_changes_in_march() -> None:
    assert pu("2016-02", 20_000_000)["JP"]["wage_base"] == 7_000_000
    assert pu("2016-03", 20_000_000)["JP"]["wage_base"] == 7_335_300
    assert pu("2026-02", 20_000_000)["JP"]["wage_base"] == 10_547_400
    assert pu("2026-03", 20_000_000)["JP"]["wage_base"] == 11_086_300


def test_pu_pp49_2020_relief_boundaries() -> None:
    before, first, last, after = (
        pu(m, 10_000_000, 5) for m in ("2020-07", "2020-08", "2021-01", "2021-02")
    )
    assert before["JKK"]["employer"] == 174_000 and before["JKM"]["employer"] == 30_000
    assert first["JKK"]["employer"] == 1_740 and first["JKM"]["employer"] == 300
    assert last["JKK"]["employer"] == 1_740
    assert after["JKK"]["employer"] == 174_000
    assert first["JHT"]["employer"] == 370_000  # JHT: no relief
    assert first["JP"]["employer"] == 178_794  # JP without deferral: full (cap 8,939,700)


def test_pu_jp_deferral() -> None:
    result = pu("2020-09", 8_000_000, 1, jp_deferral=True)
    assert result["JP"] == {"employer": 1_600, "worker": 800, "wage_base": 8_000_000}
    assert pu("2021-02", 8_000_000, 1, jp_deferral=True)["JP"]["employer"] == 160_000
    assert pu("2020-07", 8_000_000, 1, jp_deferral=True)["JP"]["employer"] == 160_000


def test_pu_labour_intensive_discount() -> None:
    assert pu("2025-01", 5_000_000, 2, labour_intensive=True)["JKK"]["employer"] == 27_000
    assert pu("2025-02", 5_000_000, 2, labour_intensive=True)["JKK"]["employer"] == 13_500
    assert pu("2026-01", 5_000_000, 2, labour_intensive=True)["JKK"]["employer"] == 13_500
    assert pu("2026-02", 5_000_000, 2, labour_intensive=True)["JKK"]["employer"] == 27_000
    assert pu("2025-05", 5_000_000, 2, labour_intensive=False)["JKK"]["employer"] == 27_000
    # only the JKK line
    assert pu("2025-05", 5_000_000, 2, labour_intensive=True)["JKM"]["employer"] == 15_000


def test_pu_programs_subset_gives_zero_lines() -> None:
    result = pu("2026-05", 5_000_000, 1, programs=["JKK", "JKM", "JHT"])
    assert result["JP"] == {"employer": 0, "worker": 0, "wage_base": 0}
    assert result["worker_total"] == 100_000


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"month": "2026-05", "wage": 5_000_000, "risk_group": 6}, "risk_group"),
        ({"month": "2026-05", "wage": 5_000_000.0, "risk_group": 1}, "wage"),
        ({"month": "2015-06", "wage": 5_000_000, "risk_group": 1}, "month"),
        ({"month": "2026-05", "wage": 5_000_000, "risk_group": 1, "programs": ["JKX"]}, "programs"),
        ({"month": "2026-05", "risk_group": 1}, "wage"),
    ],
)
def test_pu_errors(facts: dict[str, Any], fact: str) -> None:
    with pytest.raises(RulesError) as info:
        calculate("contribution.pu", facts)
    assert info.value.fact == fact


def test_pu_jkp_listed_adds_no_contribution() -> None:
    """A PU member's programs include JKP, which costs employer and worker nothing (PP 37/2021 Pasal 11)."""
    base = {"month": "2026-05", "wage": 5_000_000, "risk_group": 2}
    without = calculate("contribution.pu", base)
    with_jkp = calculate(
        "contribution.pu", {**base, "programs": ["JKK", "JKM", "JHT", "JP", "JKP"]}
    )
    assert {k: v for k, v in with_jkp.items() if k != "trace"} == {
        k: v for k, v in without.items() if k != "trace"
    }
    assert any(t["parameter"] == "JKP" for t in with_jkp["trace"])


# --- BPU -----------------------------------------------------------------------------------


def test_bpu_minimum_and_pp50_discount() -> None:
    """§13 #14 and #15."""
    assert calc("contribution.bpu", month="2025-06", declared_income=1_000_000) == {
        "JKK": 10_000,
        "JKM": 6_800,
        "JHT": 0,
        "gross": 16_800,
        "discount": 0,
        "total": 16_800,
    }
    assert calc("contribution.bpu", month="2026-04", declared_income=1_000_000)["total"] == 8_400


@pytest.mark.parametrize(
    ("month", "sector", "discount"),
    [
        ("2025-12", "transport", 0),
        ("2026-01", "transport", 8_400),
        ("2027-03", "transport", 8_400),
        ("2027-04", "transport", 0),
        ("2026-03", "other", 0),
        ("2026-04", "other", 8_400),
        ("2026-12", "other", 8_400),
        ("2027-01", "other", 0),
    ],
)
def test_bpu_pp50_periods(month: str, sector: str, discount: int) -> None:
    result = calc("contribution.bpu", month=month, declared_income=1_000_000, sector=sector)
    assert result["discount"] == discount
    assert result["total"] == 16_800 - discount


def test_bpu_government_funded_and_jht_never_discounted() -> None:
    funded = calc(
        "contribution.bpu", month="2026-05", declared_income=1_000_000, government_funded=True
    )
    assert funded["discount"] == 0
    with_jht = calc(
        "contribution.bpu",
        month="2026-05",
        declared_income=3_000_000,
        programs=["JKK", "JKM", "JHT"],
    )
    assert with_jht == {
        "JKK": 30_000,
        "JKM": 6_800,
        "JHT": 60_000,
        "gross": 96_800,
        "discount": 18_400,
        "total": 78_400,
    }


def test_bpu_pp49_relief() -> None:
    result = calc("contribution.bpu", month="2020-08", declared_income=1_000_000)
    assert (result["JKK"], result["JKM"], result["total"]) == (100, 68, 168)
    assert calc("contribution.bpu", month="2021-02", declared_income=1_000_000)["total"] == 16_800


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"month": "2025-06", "declared_income": 900_000}, "declared_income"),
        ({"month": "2025-06", "declared_income": 20_700_001}, "declared_income"),
        (
            {"month": "2025-06", "declared_income": 1_000_000, "programs": ["JKK", "JKM", "JP"]},
            "programs",
        ),
        ({"month": "2025-06", "declared_income": 1_000_000, "sector": "farming"}, "sector"),
    ],
)
def test_bpu_errors(facts: dict[str, Any], fact: str) -> None:
    with pytest.raises(RulesError) as info:
        calculate("contribution.bpu", facts)
    assert info.value.fact == fact


# --- Jakon ---------------------------------------------------------------------------------


def test_jakon_elucidation_example() -> None:
    """§13 #1 and #2: PP 44/2015 elucidation of Pasal 54 and 55."""
    result = calc("contribution.jakon", month="2021-05", contract_value=180_000_000)
    assert result == {"JKK": 346_000, "JKM": 46_000, "total": 392_000}


def test_jakon_all_bands() -> None:
    # 6 billion: JKK 210,000 + 680,000 + 650,000 + 4,400,000 + 900,000
    result = calc("contribution.jakon", month="2022-01", contract_value=6_000_000_000)
    assert result["JKK"] == 210_000 + 680_000 + 650_000 + 4_400_000 + 900_000
    assert result["JKM"] == 30_000 + 80_000 + 100_000 + 400_000 + 100_000


def test_jakon_wage_known_and_relief() -> None:
    result = calc(
        "contribution.jakon", month="2022-01", contract_value=1, monthly_wage_total=10_000_000
    )
    assert result == {"JKK": 174_000, "JKM": 30_000, "total": 204_000}
    relief = calc("contribution.jakon", month="2020-10", contract_value=180_000_000)
    assert relief == {"JKK": 3_460, "JKM": 460, "total": 3_920}


# --- PMI -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "during"),
    [
        (1, 108_000),
        (6, 108_000),
        (7, 121_500),
        (11, 175_500),
        (12, 189_000),
        (18, 270_000),
        (22, 324_000),
        (23, 332_500),  # capped at the 24-month tier
        (24, 332_500),
        (30, 413_500),
    ],
)
def test_pmi_permenaker_4_2023(months: int, during: int) -> None:
    result = calc("contribution.pmi", month="2024-01", contract_months=months)
    assert result["before_placement"] == 37_500
    assert result["during_after"] == during
    assert result["total"] == 37_500 + during


def test_pmi_before_2023_and_jht() -> None:
    assert calc("contribution.pmi", month="2023-02", contract_months=12)["during_after"] == 332_500
    assert calc("contribution.pmi", month="2023-03", contract_months=12)["during_after"] == 189_000
    result = calc("contribution.pmi", month="2024-01", contract_months=18, jht_monthly=100_000)
    assert result["JHT"] == 1_800_000
    assert result["total"] == 37_500 + 270_000 + 1_800_000
    with pytest.raises(RulesError, match=r"^jht_monthly"):
        calculate(
            "contribution.pmi", {"month": "2024-01", "contract_months": 12, "jht_monthly": 150_000}
        )
    with pytest.raises(RulesError, match=r"^month"):
        calculate("contribution.pmi", {"month": "2018-11", "contract_months": 12})


# --- fine ----------------------------------------------------------------------------------


def fine(month: str, paid_on: str, amount: int = 1_000_000, segment: str = "PU") -> dict[str, Any]:
    return calc(
        "fine", contribution_month=month, amount_due=amount, paid_on=paid_on, segment=segment
    )


def test_fine_due_on_weekend_moves_to_monday() -> None:
    # 15 Feb 2026 is a Sunday
    assert fine("2026-01", "2026-02-16") == {"due_date": "2026-02-16", "months_late": 0, "fine": 0}
    assert fine("2026-01", "2026-02-17")["months_late"] == 1


def test_fine_due_on_holiday() -> None:
    # 15 Aug 2021 is a Sunday -> Monday 16 Aug (17 Aug, Independence Day, is not reached)
    assert fine("2021-07", "2021-08-16")["due_date"] == "2021-08-16"
    # 15 Jun 2024 Sat, 16 Sun, 17 Mon Eid al-Adha -> Tuesday 18 Jun
    assert fine("2024-05", "2024-06-18") == {"due_date": "2024-06-18", "months_late": 0, "fine": 0}
    assert fine("2024-05", "2024-06-19")["months_late"] == 1
    # 15 Apr 2022 Good Friday -> Monday 18 Apr; 15 Feb 2017 local election day -> 16 Feb
    assert fine("2022-03", "2022-04-18")["due_date"] == "2022-04-18"
    assert fine("2017-01", "2017-02-16")["due_date"] == "2017-02-16"
    # 15 Mar 2026 Sunday -> 16 Mar; 15 Jun 2018 Eid al-Fitr (Fri) -> Monday 18 Jun
    assert fine("2026-02", "2026-03-16")["due_date"] == "2026-03-16"
    assert fine("2018-05", "2018-06-18")["due_date"] == "2018-06-18"


def test_fine_months_late_boundaries() -> None:
    due = fine("2025-09", "2025-10-15")
    assert due == {"due_date": "2025-10-15", "months_late": 0, "fine": 0}
    assert fine("2025-09", "2025-10-16") == {
        "due_date": "2025-10-15",
        "months_late": 1,
        "fine": 20_000,
    }
    assert fine("2025-09", "2025-11-15")["months_late"] == 1
    assert fine("2025-09", "2025-11-16")["months_late"] == 2
    assert fine("2025-09", "2026-10-15")["months_late"] == 12
    assert fine("2025-09", "2026-10-16") == {
        "due_date": "2025-10-15",
        "months_late": 13,
        "fine": 260_000,
    }


def test_fine_covid_thirtieth_and_rate() -> None:
    result = fine("2020-08", "2020-10-01")
    assert result["due_date"] == "2020-09-30"
    assert result == {"due_date": "2020-09-30", "months_late": 1, "fine": 5_000}
    # contribution month Jan 2021: "30 February" -> 28 Feb 2021 (Sunday) -> 1 Mar 2021
    assert fine("2021-01", "2021-03-01")["due_date"] == "2021-03-01"
    assert fine("2021-01", "2021-03-02")["fine"] == 5_000
    assert fine("2021-02", "2021-03-16")["due_date"] == "2021-03-15"
    # contribution month Jul 2020 (before PP 49/2020): 15 Aug 2020 Saturday -> 18 Aug (17th holiday)
    assert fine("2020-07", "2020-08-18")["due_date"] == "2020-08-18"


def test_fine_bpu_same_month_no_fine() -> None:
    result = fine("2025-09", "2025-12-01", segment="BPU")
    assert result == {"due_date": "2025-09-15", "months_late": 3, "fine": 0}


def test_fine_jakon_is_pu_rule() -> None:
    assert fine("2025-09", "2025-10-16", segment="JAKON")["fine"] == 20_000


def test_fine_rounding() -> None:
    # 2% × 12,345 × 1 = 246.9 -> 247; 0.5% × 101 = 0.505 -> 1
    assert fine("2025-09", "2025-10-16", amount=12_345)["fine"] == 247
    assert fine("2020-09", "2020-11-01", amount=101)["fine"] == 1


# --- NIK -----------------------------------------------------------------------------------


def nik(value: str, reference: str = "2026-01-01") -> dict[str, Any]:
    return calc("nik.parse", nik=value, reference_date=reference)


def test_nik_synthetic_example() -> None:
    result = nik("3273015708900001")
    assert result == {
        "valid": True,
        "error": None,
        "province_code": "32",
        "province_name": "Jawa Barat",
        "regency_code": "32.73",
        "district_code": "32.73.01",
        "sex": "P",
        "birth_date": "1990-08-17",
        "serial": "0001",
    }


def test_nik_male_and_century() -> None:
    result = nik("6471051501050003")
    assert (result["sex"], result["birth_date"]) == ("L", "2005-01-15")
    assert nik("6471051501300003")["birth_date"] == "1930-01-15"
    assert nik("6471051501250003", reference="2025-01-15")["birth_date"] == "2025-01-15"
    assert nik("6471051501250003", reference="2025-01-14")["birth_date"] == "1925-01-15"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("327301570890001", "length"),
        ("32730157089000012", "length"),
        ("32730157089O0001", "not_digits"),
        ("1073015708900001", "province"),
        ("3273013208900001", "day"),
        ("3273010008900001", "day"),
        ("3273017208900001", "day"),
        ("3273013102900001", "day"),  # 31 February
        ("3273011513900001", "month"),
        ("3273011500900001", "month"),
        ("3273015708900000", "serial"),
    ],
)
def test_nik_invalid(value: str, code: str) -> None:
    result = nik(value)
    assert result["valid"] is False
    assert result["error"] == code
    assert result["birth_date"] is None and result["province_code"] is None


def test_nik_not_text_is_an_error() -> None:
    with pytest.raises(RulesError, match=r"^nik"):
        calculate("nik.parse", {"nik": 3273015708900001})


# --- budget --------------------------------------------------------------------------------


def test_budget_kutai_kartanegara() -> None:
    result = calc("budget.sponsorship", workers=35_440, months=3, start_month="2022-01")
    assert result["per_month"] == [595_392_000] * 3
    assert result["total"] == 1_786_176_000


def test_budget_not_government_funded_gets_pp50_discount() -> None:
    result = calc(
        "budget.sponsorship", workers=2, months=12, start_month="2026-01", government_funded=False
    )
    assert result["per_month"] == [33_600] * 3 + [16_800] * 9
    assert result["total"] == 3 * 33_600 + 9 * 16_800
    funded = calc("budget.sponsorship", workers=2, months=12, start_month="2026-01")
    assert funded["total"] == 12 * 33_600


def test_budget_covid_and_explicit_amount() -> None:
    result = calc("budget.sponsorship", workers=10, months=3, start_month="2020-12")
    assert result["per_month"] == [1_680, 1_680, 168_000]
    explicit = calc(
        "budget.sponsorship",
        workers=10,
        months=2,
        start_month="2020-12",
        monthly_contribution=20_000,
    )
    assert explicit == {"per_month": [200_000, 200_000], "total": 400_000}
