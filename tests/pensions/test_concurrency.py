"""Two rolls of the same month at the same time (PostgreSQL, real connections): the pensions are paid
once; the second process either waits for the lock row or is told the month is running."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from jaminan.pensions import services
from jaminan.pensions.errors import Conflict
from jaminan.pensions.models import Pension, PensionPayment
from tests.jht import builders


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rolls_pay_once(reference: None) -> None:
    for i in range(3):
        member = builders.worker(
            builders.employer(f"PT Serentak {i}"), name=f"P {i}", birth=date(1960, 1, 2)
        )
        Pension.objects.create(
            participant=member.participant,
            kind="old_age",
            beneficiary_name=f"P {i}",
            office=member.office,
            base_amount=1_000_000,
            monthly_amount=1_000_000,
            indexed_year=2026,
            start_month=date(2026, 3, 1),
            last_confirmed_on=date(2026, 3, 1),
            arrears_from=date(2026, 3, 1),
            awarded_on=date(2026, 3, 1),
        )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def roll() -> None:
        try:
            barrier.wait()
            run = services.pay_pensions(month=date(2026, 4, 1))
            outcomes.append(f"paid {run.totals['payments']}+{run.totals['arrears_payments']}")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=roll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert PensionPayment.objects.count() == 6  # March (arrears) and April for 3 pensions
    assert sum(PensionPayment.objects.values_list("amount", flat=True)) == 6_000_000
    assert sorted(outcomes) in (["paid 0+0", "paid 3+3"], ["paid 3+3", "pension_run_running"])
