from __future__ import annotations

from typing import Any

import pytest

from jaminan.registry import identifiers
from jaminan.registry.identifiers import (
    allocate,
    kpj_from_serial,
    luhn_digit,
    npp_from_serial,
    valid_kpj,
    valid_npp,
)


def test_luhn_digit_known_values() -> None:
    assert luhn_digit("7992739871") == "3"  # the textbook Luhn example 79927398713
    assert luhn_digit("0") == "0"


def test_kpj_and_npp_shapes() -> None:
    kpj = kpj_from_serial(1)
    assert kpj == "0000000001" + luhn_digit("0000000001") and len(kpj) == 11 and valid_kpj(kpj)
    npp = npp_from_serial(1234567)
    assert len(npp) == 8 and valid_npp(npp)
    assert not valid_kpj(kpj[:-1] + str((int(kpj[-1]) + 1) % 10))
    assert not valid_npp(npp[:-1] + str((int(npp[-1]) + 1) % 10))
    assert not valid_kpj(npp) and not valid_npp(kpj) and not valid_kpj("abcdefghijk")
    with pytest.raises(ValueError):
        npp_from_serial(10**7)
    with pytest.raises(ValueError):
        kpj_from_serial(0)


def test_every_single_digit_error_is_detected() -> None:
    kpj = kpj_from_serial(4_711_123)
    for i in range(11):
        for d in "0123456789":
            if d != kpj[i]:
                assert not valid_kpj(kpj[:i] + d + kpj[i + 1 :])


@pytest.mark.django_db
def test_allocate_reserves_consecutive_blocks(db: Any) -> None:
    first = allocate(identifiers.KPJ, 1000)
    second = allocate(identifiers.KPJ, 1)
    assert len(first) == 1000 and second[0] == first[-1] + 1
    other = allocate("test-seq", 5)
    assert list(other) == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError):
        allocate(identifiers.KPJ, 0)


@pytest.mark.django_db
def test_allocate_refuses_past_the_serial_width(db: Any) -> None:
    from jaminan.registry.models import IdentifierSequence

    IdentifierSequence.objects.create(name=identifiers.NPP, next_value=10**7 - 2)
    assert list(allocate(identifiers.NPP, 2)) == [10**7 - 2, 10**7 - 1]
    with pytest.raises(identifiers.SequenceExhausted):
        allocate(identifiers.NPP, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_overlap() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def take(_: int) -> list[int]:
        try:
            return [n for _ in range(20) for n in allocate(identifiers.KPJ, 50)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        blocks = list(pool.map(take, range(4)))
    numbers = [n for block in blocks for n in block]
    assert len(numbers) == len(set(numbers)) == 4 * 20 * 50
