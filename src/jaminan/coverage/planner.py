"""Expansion planner: per regency the participants, the uncovered workers where a workforce figure
exists, and the budget a regional government or donors need to cover N vulnerable workers for M
months (rules ``budget.sponsorship``: the lowest BPU JKK + JKM contribution in force each month),
with the query string that pre-fills a sponsorship program on the sponsors page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from jaminan import rules
from jaminan.coverage import selectors
from jaminan.coverage.errors import CoverageError
from jaminan.coverage.selectors import User

SPONSOR_PAGE = "/iuran/penyandang-dana/"
MAX_WORKERS = 10_000_000
MAX_MONTHS = 60


@dataclass(frozen=True)
class Budget:
    workers: int
    months: int
    start_month: date
    per_month: list[int]
    total: int
    per_worker_month: int
    government_funded: bool
    trace: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "months": self.months,
            "start_month": f"{self.start_month:%Y-%m}",
            "per_month": self.per_month,
            "total": self.total,
            "per_worker_month": self.per_worker_month,
            "government_funded": self.government_funded,
        }


def budget(
    *, workers: int, months: int, start_month: date, government_funded: bool = True
) -> Budget:
    if not 1 <= workers <= MAX_WORKERS:
        raise CoverageError(
            "invalid_workers",
            _("Jumlah pekerja harus 1 sampai %(max)s.") % {"max": MAX_WORKERS},
            "workers",
        )
    if not 1 <= months <= MAX_MONTHS:
        raise CoverageError(
            "invalid_months",
            _("Lama program harus 1 sampai %(max)s bulan.") % {"max": MAX_MONTHS},
            "months",
        )
    try:
        result = rules.calculate(
            "budget.sponsorship",
            {
                "workers": workers,
                "months": months,
                "start_month": f"{start_month:%Y-%m}",
                "government_funded": government_funded,
            },
        )
    except rules.RulesError as exc:
        raise CoverageError("invalid_budget", str(exc), "start_month") from exc
    per_month = [int(v) for v in result["per_month"]]
    return Budget(
        workers=workers,
        months=months,
        start_month=start_month,
        per_month=per_month,
        total=int(result["total"]),
        per_worker_month=per_month[0] // workers if per_month else 0,
        government_funded=government_funded,
        trace=list(result.get("trace", [])),
    )


def sponsor_link(*, regency: str, workers: int, months: int, start_month: date) -> str:
    query = urlencode(
        {
            "start_month": f"{start_month:%Y-%m}",
            "months": months,
            "workers": workers,
            "regency": regency,
        }
    )
    return f"{SPONSOR_PAGE}?{query}"


@dataclass
class PlanRow:
    code: str
    name: str
    province_code: str | None
    active: int
    bpu_active: int
    budget_funded: int
    denominator: selectors.Denominator | None
    gap: int | None
    link: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "province_code": self.province_code,
            "active": self.active,
            "bpu_active": self.bpu_active,
            "budget_funded": self.budget_funded,
            "denominator": self.denominator.as_dict() if self.denominator else None,
            "gap": self.gap,
            "sponsor_link": self.link,
        }


def plan(
    *,
    user: User,
    month: date,
    workers: int,
    months: int,
    start_month: date,
    area: str | None = None,
    basis: str = "bps_employed",
) -> tuple[Budget, list[PlanRow]]:
    """The budget for ``workers`` × ``months`` and, per regency in ``area``, the figures to choose
    where to spend it, each with a link that pre-fills a sponsorship program for that regency."""
    the_budget = budget(workers=workers, months=months, start_month=start_month)
    rows = selectors.coverage(user=user, month=month, level="regency", area=area, basis=basis)
    plan_rows = [
        PlanRow(
            code=r.code,
            name=r.name,
            province_code=r.province_code,
            active=r.active,
            bpu_active=r.segments.get("BPU", 0),
            budget_funded=r.figures.get("budget_funded", 0),
            denominator=r.denominator,
            gap=r.gap,
            link=sponsor_link(
                regency=r.code, workers=workers, months=months, start_month=start_month
            ),
        )
        for r in rows
    ]
    return the_budget, plan_rows
