"""The project's day is WITA's (the regional office's, Asia/Makassar): a payment dated the local
today is accepted in the early morning, when UTC is still on the day before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

from jaminan.contributions import payments


def test_today_is_witas_so_a_payment_dated_the_local_today_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert settings.TIME_ZONE == "Asia/Makassar"
    morning = dt.datetime(2026, 11, 21, 23, 30, tzinfo=dt.UTC)  # 07:30 WITA on the 22nd
    monkeypatch.setattr(timezone, "now", lambda: morning)
    assert timezone.localdate() == dt.date(2026, 11, 22)
    assert payments.clean_paid_on(dt.date(2026, 11, 22)) == dt.date(2026, 11, 22)
    with pytest.raises(payments.PaymentError) as info:
        payments.clean_paid_on(dt.date(2026, 11, 23))
    assert info.value.field == "paid_on"
    shown = Template('{{ t|date:"d/m/Y H:i T" }}').render(Context({"t": morning}))
    assert shown == "22/11/2026 07:30 WITA"
