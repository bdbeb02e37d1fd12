"""Reads of JHT: the balance of an account on a date (rules ``jht.balance``), the yearly statement,
accounts in a user's scope. Reading a statement is audited (VIEW; the PDF: EXPORT) by the views.

How the balance is computed (docs/jht-pensions.md):

- credits (``JhtCredit``) enter ``jht.balance`` as contributions of the month they were credited
  (the bill's ``paid_on``); the opening balance is the account's;
- a withdrawal is a negative contribution of its month. ``jht.balance`` takes no negative amounts,
  and it is linear in its amounts, so the balance is
  ``jht.balance(opening, credits) − jht.balance(0, withdrawals)`` with the same returns: the
  withdrawn money stops earning from the month after its withdrawal, as a contribution starts;
- a year whose 31 December falls in the period needs its declared return (``JhtReturnRate``). A
  year with money in the account and no declared return is listed in ``missing_return_years`` and
  counted at 0% so the statement can be shown as provisional; withdrawals refuse such a balance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jaminan import rules
from jaminan.accounts.scoping import scope_queryset
from jaminan.jht.errors import NotFound
from jaminan.jht.models import JhtAccount, JhtCredit, JhtDebit, JhtReturnRate
from jaminan.rules.core import month_start, month_str

User = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class Balance:
    """The balance of an account on ``as_of`` with what the rules were given and returned."""

    as_of: date
    balance: int
    returns_credited: int
    opening_balance: int
    contributions: int
    withdrawals: int
    missing_return_years: list[int]
    facts: dict[str, Any]
    trace: list[Any] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return bool(self.missing_return_years)


def return_rates() -> dict[int, str]:
    """Declared returns by year, percent as a decimal string."""
    return dict(JhtReturnRate.objects.values_list("year", "percent"))


def _flows(rows: Iterable[tuple[date, int]]) -> dict[date, int]:
    by_month: dict[date, int] = defaultdict(int)
    for on, amount in rows:
        by_month[month_start(on)] += amount
    return dict(sorted(by_month.items()))


def _needed_years(
    start: date, as_of: date, opening_balance: int, flows: dict[date, int]
) -> list[int]:
    """Years whose 31 December is credited and on which some money earns a return: held from an
    earlier year (or the opening), or credited in the year before December."""
    needed = []
    for year in range(start.year, as_of.year + 1):
        year_end = date(year, 12, 31)
        if not start < year_end <= as_of:
            continue
        money = opening_balance > 0 or any(
            m.year < year or (m.year == year and m.month < 12)
            for m, amount in flows.items()
            if amount
        )
        if money:
            needed.append(year)
    return needed


def compute_balance(
    *,
    opening_balance: int,
    opening_date: date,
    credits: Iterable[tuple[date, int]],
    debits: Iterable[tuple[date, int]] = (),
    as_of: date,
    rates: dict[int, str],
) -> Balance:
    """The balance on ``as_of`` from an opening and dated credits and debits (all on or before
    ``as_of`` and on or after ``opening_date``), by ``jht.balance``."""
    credit_flows = _flows(credits)
    debit_flows = _flows(debits)
    start = opening_date
    if opening_balance == 0:
        # Nothing is held before the first movement: start there, so years without money need
        # no declared return.
        months = list(credit_flows) + list(debit_flows)
        start = max(opening_date, min(months)) if months else as_of
    all_flows = {**credit_flows}
    for month, amount in debit_flows.items():
        all_flows[month] = all_flows.get(month, 0) + amount
    needed = _needed_years(start, as_of, opening_balance, credit_flows)
    returns: dict[int, str] = {}
    missing: list[int] = []
    for year in range(start.year, as_of.year + 1):
        if not start < date(year, 12, 31) <= as_of:
            continue
        if year in rates:
            returns[year] = rates[year]
        else:
            returns[year] = "0"
            if year in needed:
                missing.append(year)
    facts: dict[str, Any] = {
        "opening_balance": opening_balance,
        "opening_date": start.isoformat(),
        "as_of": as_of.isoformat(),
        "contributions": [
            {"month": month_str(m), "amount": amount} for m, amount in credit_flows.items()
        ],
        "returns": {str(y): r for y, r in returns.items()},
    }
    main = rules.calculate("jht.balance", facts)
    balance, credited = int(main["balance"]), int(main["returns_credited"])
    withdrawn = sum(debit_flows.values())
    if debit_flows:
        debit_facts = {
            **facts,
            "opening_balance": 0,
            "contributions": [
                {"month": month_str(m), "amount": amount} for m, amount in debit_flows.items()
            ],
        }
        minus = rules.calculate("jht.balance", debit_facts)
        balance -= int(minus["balance"])
        credited -= int(minus["returns_credited"])
        facts = {**facts, "withdrawals": debit_facts["contributions"]}
    return Balance(
        as_of=as_of,
        balance=balance,
        returns_credited=credited,
        opening_balance=opening_balance,
        contributions=sum(credit_flows.values()),
        withdrawals=withdrawn,
        missing_return_years=missing,
        facts=facts,
        trace=list(main.get("trace", [])),
    )


def counted_from(account: JhtAccount) -> date | None:
    """Movements dated before this are part of the opening balance (a migrated account); None when
    the account opened empty: every movement counts."""
    return account.opening_date if account.opening_balance else None


def balance(account: JhtAccount, *, on: date, rates: dict[int, str] | None = None) -> Balance:
    """The balance of ``account`` on ``on``: the opening balance, credits and withdrawals dated up to
    ``on`` (and not before the opening date of a migrated balance)."""
    credits = JhtCredit.objects.filter(account=account, credited_on__lte=on)
    debits = JhtDebit.objects.filter(account=account, debited_on__lte=on)
    start = counted_from(account)
    if start is not None:
        credits = credits.filter(credited_on__gte=start)
        debits = debits.filter(debited_on__gte=start)
    credit_rows = list(credits.values_list("credited_on", "amount"))
    debit_rows = list(debits.values_list("debited_on", "amount"))
    opening = account.opening_balance if start is not None and on >= start else 0
    first = [d for d, _ in credit_rows + debit_rows]
    return compute_balance(
        opening_balance=opening,
        opening_date=min([on, *first]) if start is None or not opening else start,
        credits=credit_rows,
        debits=debit_rows,
        as_of=on,
        rates=return_rates() if rates is None else rates,
    )


# ------------------------------------------------------------------------------------ statement


@dataclass(frozen=True)
class YearRow:
    year: int
    opening: int
    contributions: int
    withdrawals: int
    returns: int
    closing: int
    rate: str | None
    credited_on: date | None  # 31 December when the return was credited in the period


@dataclass(frozen=True)
class Statement:
    account: JhtAccount
    as_of: date
    balance: Balance
    years: list[YearRow]
    credits: list[JhtCredit]
    debits: list[JhtDebit]


def statement(account: JhtAccount, *, as_of: date) -> Statement:
    """The yearly statement (PP 46/2015 Pasal 22(7)) up to ``as_of``: per year the opening, the
    contributions, withdrawals, the return credited on 31 December and the closing balance, each
    closing being ``jht.balance`` on that date."""
    rates = return_rates()
    credits = list(
        JhtCredit.objects.filter(account=account, credited_on__lte=as_of)
        .select_related("membership__employer", "bill")
        .order_by("credited_on", "month", "id")
    )
    debits = list(
        JhtDebit.objects.filter(account=account, debited_on__lte=as_of).order_by("debited_on", "id")
    )
    final = balance(account, on=as_of, rates=rates)
    start = counted_from(account)
    counted = [c for c in credits if start is None or c.credited_on >= start]
    withdrawn = [d for d in debits if start is None or d.debited_on >= start]
    first = [start] if start is not None else []
    first += [c.credited_on for c in counted] + [d.debited_on for d in withdrawn]
    years: list[YearRow] = []
    if first:
        previous = account.opening_balance if start is not None and start <= as_of else 0
        for year in range(min(first).year, as_of.year + 1):
            end = min(date(year, 12, 31), as_of)
            closing = balance(account, on=end, rates=rates).balance if end >= min(first) else 0
            contributions = sum(c.amount for c in counted if c.credited_on.year == year)
            withdrawals = sum(d.amount for d in withdrawn if d.debited_on.year == year)
            returns = closing - previous - contributions + withdrawals
            years.append(
                YearRow(
                    year=year,
                    opening=previous,
                    contributions=contributions,
                    withdrawals=withdrawals,
                    returns=returns,
                    closing=closing,
                    rate=rates.get(year),
                    credited_on=date(year, 12, 31) if end == date(year, 12, 31) else None,
                )
            )
            previous = closing
    return Statement(
        account=account,
        as_of=as_of,
        balance=final,
        years=years,
        credits=credits,
        debits=debits,
    )


# ------------------------------------------------------------------------------------ scoped reads


def accounts_in_scope(user: User) -> QuerySet[JhtAccount]:
    return scope_queryset(user, JhtAccount.objects.select_related("participant__person"))


def account_in_scope(*, user: User, kpj: str) -> JhtAccount:
    """The account of the participant with KPJ ``kpj`` if ``user`` may see it; NotFound otherwise."""
    account = accounts_in_scope(user).filter(participant__kpj_number=kpj).first()
    if account is None:
        raise NotFound(_("Akun JHT peserta dengan nomor KPJ ini tidak ditemukan."), field="kpj")
    return account
