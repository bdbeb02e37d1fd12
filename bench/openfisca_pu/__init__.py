"""A small OpenFisca country-package-style model of jaminan's PU monthly contributions.

Built only for bench/rules_vs_openfisca.py: one entity (Person), two input variables
(``wage``, ``risk_group``) and the monthly contribution lines of a wage earner (Penerima
Upah), with the parameters as dated OpenFisca YAML under ``parameters/`` mirroring the
values of jaminan's rules (regulations.md sections 3, 4 and 7.1).

It is written the way an OpenFisca country package is written (money variables are
``value_type = float``, which OpenFisca stores as float32), and each line is rounded
half-up to whole rupiah inside its formula, as jaminan's contract requires, so that the
totals are sums of rounded lines on both sides.
"""

from __future__ import annotations

from pathlib import Path

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from .entities import entities
from .variables import variables

PARAMETERS_DIR = Path(__file__).parent / "parameters"


class PUTaxBenefitSystem(TaxBenefitSystem):
    """Tax-benefit system with the PU contribution variables and their parameters."""

    def __init__(self) -> None:
        super().__init__(entities)
        self.add_variables(*variables)
        self.load_parameters(str(PARAMETERS_DIR))


__all__ = ["PARAMETERS_DIR", "PUTaxBenefitSystem"]
