"""The calculation modules, one per program; importing this package registers every calculation."""

from jaminan.rules.calculations import (  # noqa: F401  (imported to register the calculations)
    bpu,
    budget,
    fine,
    jakon,
    jht,
    jkk,
    jkm,
    jkp,
    jp,
    nik,
    pmi,
    pu,
    scholarship,
)
