"""PU contribution variables (regulations.md section 11.1), one OpenFisca variable per line."""

from __future__ import annotations

import numpy
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from .entities import Person


def round_half_up(amount: numpy.ndarray) -> numpy.ndarray:
    """Half-up to whole rupiah, the rounding jaminan applies to every money line."""
    return numpy.floor(amount + 0.5)


class wage(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Monthly wage (basic wage + fixed allowances), rupiah"


class risk_group(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    default_value = 1
    label = "JKK risk group of the employer (1 to 5)"


class jkk_employer(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "JKK contribution paid by the employer"
    reference = "PP 44/2015 Pasal 16; PP 49/2020 Pasal 8"

    def formula(person, period, parameters):
        pu = parameters(period).pu
        group = person("risk_group", period)
        rate = numpy.select(
            [group == 1, group == 2, group == 3, group == 4, group == 5],
            [
                pu.jkk_rate.group_1,
                pu.jkk_rate.group_2,
                pu.jkk_rate.group_3,
                pu.jkk_rate.group_4,
                pu.jkk_rate.group_5,
            ],
            0,
        )
        return round_half_up(person("wage", period) * rate * pu.relief_factor)


class jkm_employer(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "JKM contribution paid by the employer"
    reference = "PP 44/2015 Pasal 18; PP 49/2020 Pasal 9"

    def formula(person, period, parameters):
        pu = parameters(period).pu
        return round_half_up(person("wage", period) * pu.jkm_rate * pu.relief_factor)


class jht_employer(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "JHT contribution paid by the employer"
    reference = "PP 46/2015 Pasal 16(1)"

    def formula(person, period, parameters):
        return round_half_up(person("wage", period) * parameters(period).pu.jht_rate.employer)


class jht_worker(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "JHT contribution paid by the worker"
    reference = "PP 46/2015 Pasal 16(1)"

    def formula(person, period, parameters):
        return round_half_up(person("wage", period) * parameters(period).pu.jht_rate.worker)


class jp_wage_base(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "JP wage: the wage capped at the JP wage cap of the month"
    reference = "PP 45/2015 Pasal 29"

    def formula(person, period, parameters):
        return numpy.minimum(person("wage", period), parameters(period).pu.jp_wage_cap)


class jp_employer(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "JP contribution paid by the employer"
    reference = "PP 45/2015 Pasal 28(2)"

    def formula(person, period, parameters):
        return round_half_up(
            person("jp_wage_base", period) * parameters(period).pu.jp_rate.employer
        )


class jp_worker(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "JP contribution paid by the worker"
    reference = "PP 45/2015 Pasal 28(3)"

    def formula(person, period, parameters):
        return round_half_up(person("jp_wage_base", period) * parameters(period).pu.jp_rate.worker)


class employer_total(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Employer total: JKK + JKM + JHT employer + JP employer"

    def formula(person, period, parameters):
        return (
            person("jkk_employer", period)
            + person("jkm_employer", period)
            + person("jht_employer", period)
            + person("jp_employer", period)
        )


class worker_total(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Worker total (payroll deduction): JHT worker + JP worker"

    def formula(person, period, parameters):
        return person("jht_worker", period) + person("jp_worker", period)


class total(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Total monthly PU contribution"

    def formula(person, period, parameters):
        return person("employer_total", period) + person("worker_total", period)


variables = [
    wage,
    risk_group,
    jkk_employer,
    jkm_employer,
    jht_employer,
    jht_worker,
    jp_wage_base,
    jp_employer,
    jp_worker,
    employer_total,
    worker_total,
    total,
]

# jaminan output key -> OpenFisca variable name
OUTPUTS = {
    "JKK.employer": "jkk_employer",
    "JKM.employer": "jkm_employer",
    "JHT.employer": "jht_employer",
    "JHT.worker": "jht_worker",
    "JP.employer": "jp_employer",
    "JP.worker": "jp_worker",
    "JP.wage_base": "jp_wage_base",
    "employer_total": "employer_total",
    "worker_total": "worker_total",
    "total": "total",
}
