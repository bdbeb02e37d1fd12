"""The NumPy batch path is exactly the scalar calculate(), row by row, every month."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jaminan.rules import RulesError, calculate
from jaminan.rules.batch import BPU_KEYS, PU_KEYS, bpu_contributions, pu_contributions

ALL_MONTHS = [y * 100 + m for y in range(2015, 2028) for m in range(1, 13) if y * 100 + m >= 201507]


def month_text(key: int) -> str:
    return f"{key // 100}-{key % 100:02d}"


def pick(result: dict[str, Any], key: str) -> Any:
    head, _, tail = key.partition(".")
    return result[head][tail] if tail else result[head]


def scalar_pu(
    wage: int, group: int, month: int, li: bool, jd: bool, programs: list[str]
) -> dict[str, Any]:
    return calculate(
        "contribution.pu",
        {
            "month": month_text(month),
            "wage": wage,
            "risk_group": group,
            "labour_intensive": li,
            "jp_deferral": jd,
            "programs": programs,
        },
    )


def check_pu_rows(
    wages: list[int],
    groups: list[int],
    months: list[int],
    li: list[bool],
    jd: list[bool],
    programs: list[str],
) -> None:
    result = pu_contributions(
        np.array(wages, dtype=np.int64),
        np.array(groups, dtype=np.int64),
        np.array(months, dtype=np.int64),
        programs=programs,
        labour_intensive=np.array(li, dtype=bool),
        jp_deferral=np.array(jd, dtype=bool),
    )
    assert set(result) == set(PU_KEYS)
    for key in PU_KEYS:
        assert result[key].dtype == np.int64
    for i in range(len(wages)):
        scalar = scalar_pu(wages[i], groups[i], months[i], li[i], jd[i], programs)
        for key in PU_KEYS:
            assert int(result[key][i]) == pick(scalar, key), (key, wages[i], groups[i], months[i])


row = st.tuples(
    st.integers(0, 200_000_000),
    st.integers(1, 5),
    st.sampled_from(ALL_MONTHS),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row, min_size=1, max_size=25),
    programs=st.sampled_from(
        [["JKK", "JKM", "JHT", "JP"], ["JKK", "JKM", "JHT"], ["JKK", "JKM"], ["JP"], []]
    ),
)
def test_pu_batch_equals_scalar(
    rows: list[tuple[int, int, int, bool, bool]], programs: list[str]
) -> None:
    wages, groups, months, li, jd = (list(col) for col in zip(*rows, strict=True))
    check_pu_rows(wages, groups, months, li, jd, programs)


def test_pu_batch_every_month_2015_07_to_2027_12() -> None:
    """Explicit sweep: every month, every risk group, every flag, wages around the JP cap."""
    wages_probe = [0, 1, 1_234_567, 2_500_625, 5_000_000, 200_000_000]
    wages, groups, months, li, jd = [], [], [], [], []
    for month in ALL_MONTHS:
        cap = calculate("jp.wage_cap", {"month": month_text(month)})["cap"]
        for wage in [*wages_probe, cap - 1, cap, cap + 1]:
            for group in range(1, 6):
                for a in (False, True):
                    for b in (False, True):
                        wages.append(wage)
                        groups.append(group)
                        months.append(month)
                        li.append(a)
                        jd.append(b)
    assert len(set(months)) == len(ALL_MONTHS) == 150
    check_pu_rows(wages, groups, months, li, jd, ["JKK", "JKM", "JHT", "JP"])


bpu_row = st.tuples(
    st.integers(1_000_000, 20_700_000),
    st.sampled_from(ALL_MONTHS),
    st.sampled_from(["transport", "other"]),
    st.booleans(),
)


def check_bpu_rows(
    incomes: list[int],
    months: list[int],
    sectors: list[str],
    funded: list[bool],
    programs: list[str],
) -> None:
    result = bpu_contributions(
        np.array(incomes, dtype=np.int64),
        np.array(months, dtype=np.int64),
        programs=programs,
        sector=np.array(sectors),
        government_funded=np.array(funded, dtype=bool),
    )
    assert set(result) == set(BPU_KEYS)
    for i in range(len(incomes)):
        scalar = calculate(
            "contribution.bpu",
            {
                "month": month_text(months[i]),
                "declared_income": incomes[i],
                "programs": programs,
                "sector": sectors[i],
                "government_funded": funded[i],
            },
        )
        for key in BPU_KEYS:
            assert int(result[key][i]) == scalar[key], (key, incomes[i], months[i], sectors[i])


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(bpu_row, min_size=1, max_size=25),
    programs=st.sampled_from([["JKK", "JKM"], ["JKK", "JKM", "JHT"]]),
)
def test_bpu_batch_equals_scalar(
    rows: list[tuple[int, int, str, bool]], programs: list[str]
) -> None:
    incomes, months, sectors, funded = (list(col) for col in zip(*rows, strict=True))
    check_bpu_rows(incomes, months, sectors, funded, programs)


def test_bpu_batch_every_month() -> None:
    incomes, months, sectors, funded = [], [], [], []
    for month in ALL_MONTHS:
        for income in (1_000_000, 1_234_550, 20_700_000):
            for sector in ("transport", "other"):
                for gf in (False, True):
                    incomes.append(income)
                    months.append(month)
                    sectors.append(sector)
                    funded.append(gf)
    check_bpu_rows(incomes, months, sectors, funded, ["JKK", "JKM", "JHT"])


def test_bpu_batch_scalar_sector_and_defaults() -> None:
    result = bpu_contributions(np.array([1_000_000, 1_000_000]), np.array([202604, 202601]))
    assert result["total"].tolist() == [8_400, 16_800]
    result = bpu_contributions(
        np.array([1_000_000]), np.array([202601]), sector="transport", government_funded=True
    )
    assert result["total"].tolist() == [16_800]


def test_batch_refuses_floats_and_bad_values() -> None:
    with pytest.raises(RulesError, match=r"^wage"):
        pu_contributions(np.array([1.0]), np.array([1]), np.array([202601]))
    with pytest.raises(RulesError, match=r"^risk_group"):
        pu_contributions(np.array([1]), np.array([6]), np.array([202601]))
    with pytest.raises(RulesError, match=r"^month"):
        pu_contributions(np.array([1]), np.array([1]), np.array([201506]))
    with pytest.raises(RulesError, match=r"^month"):
        pu_contributions(np.array([1]), np.array([1]), np.array([202613]))
    with pytest.raises(RulesError, match=r"^declared_income"):
        bpu_contributions(np.array([900_000]), np.array([202601]))
    with pytest.raises(RulesError, match=r"^programs"):
        bpu_contributions(np.array([1_000_000]), np.array([202601]), programs=("JKK", "JKM", "JP"))


def test_batch_empty_and_huge_wages() -> None:
    empty = pu_contributions(
        np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    )
    assert all(v.size == 0 for v in empty.values())
    huge = 9 * 10**15  # forces the exact Python-integer fallback
    result = pu_contributions(np.array([huge]), np.array([5]), np.array([202001]))
    scalar = scalar_pu(huge, 5, 202001, False, False, ["JKK", "JKM", "JHT", "JP"])
    assert int(result["JKK.employer"][0]) == scalar["JKK"]["employer"]
