"""KPJ and NPP numbers: a serial from :class:`IdentifierSequence` plus one Luhn check digit.

* KPJ (participant): 11 digits = 10-digit serial + Luhn digit.
* NPP (employer): 8 digits = 7-digit serial + Luhn digit.

``allocate(name, count)`` reserves a block of serials under a row lock, so concurrent registrations and bulk
generation (millions at once) never hand out the same serial twice.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

KPJ = "kpj"
NPP = "npp"
KPJ_SERIAL_DIGITS = 10
NPP_SERIAL_DIGITS = 7


class SequenceExhausted(Exception):
    pass


def luhn_digit(digits: str) -> str:
    """The Luhn check digit to append to ``digits``."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 0:  # rightmost digit of the payload is doubled (it becomes 2nd from the right)
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return len(number) >= 2 and number.isdigit() and luhn_digit(number[:-1]) == number[-1]


def _from_serial(n: int, width: int) -> str:
    if not 0 < n < 10**width:
        raise ValueError(f"serial {n} out of range for {width} digits")
    payload = str(n).zfill(width)
    return payload + luhn_digit(payload)


def kpj_from_serial(n: int) -> str:
    return _from_serial(n, KPJ_SERIAL_DIGITS)


def npp_from_serial(n: int) -> str:
    return _from_serial(n, NPP_SERIAL_DIGITS)


def valid_kpj(s: str) -> bool:
    return isinstance(s, str) and len(s) == KPJ_SERIAL_DIGITS + 1 and s.isascii() and luhn_valid(s)


def valid_npp(s: str) -> bool:
    return isinstance(s, str) and len(s) == NPP_SERIAL_DIGITS + 1 and s.isascii() and luhn_valid(s)


_LIMITS = {KPJ: 10**KPJ_SERIAL_DIGITS - 1, NPP: 10**NPP_SERIAL_DIGITS - 1}


def allocate(name: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive serials of sequence ``name``; returns them as a range."""
    from jaminan.registry.models import IdentifierSequence

    if count < 1:
        raise ValueError("count must be >= 1")
    with transaction.atomic():
        IdentifierSequence.objects.get_or_create(name=name)
        seq = IdentifierSequence.objects.select_for_update().get(name=name)
        start = seq.next_value
        stop = start + count
        limit = _LIMITS.get(name)
        if limit is not None and stop - 1 > limit:
            raise SequenceExhausted(f"sequence {name} exhausted")
        IdentifierSequence.objects.filter(pk=seq.pk).update(next_value=F("next_value") + count)
    return range(start, stop)


def next_kpj() -> str:
    return kpj_from_serial(allocate(KPJ, 1)[0])


def next_npp() -> str:
    return npp_from_serial(allocate(NPP, 1)[0])
