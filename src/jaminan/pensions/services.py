"""Writes of JP pensions: assessing and awarding a pension (rules ``benefit.jp`` and the survivor
shares ``jp.survivor_rate.*``), data confirmation, ending a pension and the monthly roll.
Keyword-only, atomic, audited. The readings of PP 45/2015 taken here are in docs/jht-pensions.md.

Claims (``jaminan.claims``) call ``assess_pension`` when assessing a JP claim (amounts, facts and
trace, or ``lump_sum_due`` with fewer than 15 years) and ``award_pension`` when paying it.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jaminan import rules
from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.contributions.ledger import fraction
from jaminan.geo.zones import institution_today
from jaminan.pensions import selectors
from jaminan.pensions.errors import Conflict, InvalidValue, NotEligible
from jaminan.pensions.models import (
    DataConfirmation,
    InflationRate,
    Pension,
    PensionPayment,
    PensionRun,
)
from jaminan.registry.models import Dependant, Participant
from jaminan.rules import parameters
from jaminan.rules.core import add_months, half_up, month_start, plain

User = AbstractBaseUser | AnonymousUser | None

EVENTS = ("old_age", "disability", "death")
#: PP 45/2015 Pasal 20-21: fewer than 15 years count as 15 when the density is at least 80% …
MIN_DENSITY = Decimal("0.8")
#: … and, for survivors, membership was at least 12 months (Pasal 21); for disability the event came
#: at least a month after enrolment (Pasal 20).
SURVIVOR_MIN_MEMBERSHIP_MONTHS = 12
CHILD_AGE_LIMIT = 23  # Pasal 22: until 23, work or marriage
MAX_CHILDREN = 2  # Pasal 14(1)c
#: Data confirmation every 3 months (Pasal 26); stopped after 10 years without one.
CONFIRMATION_MONTHS = 3
STOP_AFTER_MONTHS = 120
#: A run still "running" after this long is taken to have died and may be replaced.
STALE_RUN = timedelta(hours=6)


@dataclass(frozen=True)
class Share:
    """One monthly pension an assessment gives."""

    kind: str
    beneficiary_name: str
    monthly_amount: int
    rate: str
    dependant_id: int | None = None
    person_id: int | None = None
    end_month: date | None = None


@dataclass(frozen=True)
class Assessment:
    event: str
    event_date: date
    start_month: date
    lump_sum_due: bool
    lump_sum_amount: int
    shares: list[Share]
    facts: dict[str, Any]
    trace: list[Any] = field(default_factory=list)
    ends_pension_id: int | None = None  # death of a pensioner: the pension that ends

    @property
    def monthly_total(self) -> int:
        return sum(s.monthly_amount for s in self.shares)


@dataclass(frozen=True)
class Award:
    assessment: Assessment
    pensions: list[Pension]


def _age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _rate(name: str, on: date) -> Decimal:
    return Decimal(parameters.get(name, on, fact="event_date").value)


def _formula(*, start: date, months: int, average: int) -> tuple[dict[str, Any], list[Any]]:
    result = rules.calculate(
        "benefit.jp",
        {
            "event": "old_age",
            "event_date": start.isoformat(),
            "contribution_months": months,
            "average_indexed_wage": average,
        },
    )
    return result, list(result.get("trace", []))


def _survivor_shares(
    participant: Participant, *, base: int, event_date: date, start: date
) -> list[Share]:
    """Widow(er) 50%; else children (at most 2, under 23, the 50% shared equally); else one parent
    20% (PP 45/2015 Pasal 14(1), 21-23; the child share read as 50% in total)."""
    dependants = list(participant.dependants.order_by("birth_date", "pk"))
    spouses = [d for d in dependants if d.relation == Dependant.Relation.SPOUSE]
    if spouses:
        rate = _rate("jp.survivor_rate.widow", start)
        spouse = spouses[0]
        return [
            Share(
                kind=Pension.Kind.WIDOW,
                beneficiary_name=spouse.name,
                monthly_amount=half_up(rate * base),
                rate=str(rate),
                dependant_id=spouse.pk,
                person_id=spouse.person_id,
            )
        ]
    children = [
        d
        for d in dependants
        if d.relation == Dependant.Relation.CHILD
        and _age_on(d.birth_date, event_date) < CHILD_AGE_LIMIT
    ][:MAX_CHILDREN]
    if children:
        rate = _rate("jp.survivor_rate.child", start)
        each = half_up(rate * base / len(children))
        return [
            Share(
                kind=Pension.Kind.CHILD,
                beneficiary_name=child.name,
                monthly_amount=each,
                rate=str(rate / len(children)),
                dependant_id=child.pk,
                person_id=child.person_id,
                # The last month paid is the month of the 23rd birthday.
                end_month=month_start(add_months(child.birth_date, 12 * CHILD_AGE_LIMIT)),
            )
            for child in children
        ]
    parents = [d for d in dependants if d.relation == Dependant.Relation.PARENT]
    if parents:
        rate = _rate("jp.survivor_rate.parent", start)
        parent = parents[0]
        return [
            Share(
                kind=Pension.Kind.PARENT,
                beneficiary_name=parent.name,
                monthly_amount=half_up(rate * base),
                rate=str(rate),
                dependant_id=parent.pk,
                person_id=parent.person_id,
            )
        ]
    return []


def _no_beneficiary() -> NotEligible:
    return NotEligible(
        _("Tidak ada janda/duda, anak atau orang tua yang berhak."),
        field="event",
        code="jp_no_beneficiary",
    )


def assess_pension(*, participant: Participant, event: str, event_date: date) -> Assessment:
    """What JP gives for ``event`` on ``event_date`` (a read; nothing is written).

    ``old_age``: from reaching the retirement age (``jp.retirement_age``); ``disability``: total
    permanent disability; ``death``: of the participant (survivors), or of a pensioner (survivors
    receive their share of the pension in payment). The right starts on the first day of the month
    after the event (Pasal 19(3)). Contribution months and the average indexed wage come from the
    paid JP lines; with fewer than 180 months there is no pension unless the 15-year rule for
    disability or death applies: ``lump_sum_due`` with the JP contributions paid (Pasal 24; the
    fund's returns are not in the record and are not added)."""
    if event not in EVENTS:
        raise InvalidValue(
            _("Peristiwa JP harus salah satu dari: %(events)s.") % {"events": ", ".join(EVENTS)},
            field="event",
        )
    participant = Participant.objects.select_related("person").get(pk=participant.pk)
    start = add_months(month_start(event_date), 1)
    facts: dict[str, Any] = {"event": event, "event_date": event_date.isoformat()}
    facts["start_month"] = start.isoformat()
    if event == "death" and (
        participant.person.death_date is None or participant.person.death_date > event_date
    ):
        raise NotEligible(
            _("Peserta tidak tercatat meninggal dunia pada tanggal itu."),
            field="event_date",
            code="jp_not_deceased",
        )
    if event == "death":
        in_payment = (
            Pension.objects.filter(
                participant=participant,
                kind__in=(Pension.Kind.OLD_AGE, Pension.Kind.DISABILITY),
            )
            .exclude(status=Pension.Status.ENDED)
            .first()
        )
        if in_payment is not None:
            base = in_payment.monthly_amount
            facts.update({"pension_in_payment": in_payment.pk, "base": base})
            shares = _survivor_shares(participant, base=base, event_date=event_date, start=start)
            if not shares:
                raise _no_beneficiary()
            return Assessment(
                event=event,
                event_date=event_date,
                start_month=start,
                lump_sum_due=False,
                lump_sum_amount=0,
                shares=shares,
                facts=facts,
                ends_pension_id=in_payment.pk,
            )
    if (
        Pension.objects.filter(
            participant=participant, kind__in=(Pension.Kind.OLD_AGE, Pension.Kind.DISABILITY)
        )
        .exclude(status=Pension.Status.ENDED)
        .exists()
    ):
        raise Conflict(
            _("Peserta sudah menerima pensiun."), field="event", code="jp_already_awarded"
        )
    if event == "old_age":
        age_needed = int(
            rules.calculate("jp.retirement_age", {"date": event_date.isoformat()})["age"]
        )
        age = _age_on(participant.person.birth_date, event_date)
        facts.update({"age": age, "retirement_age": age_needed})
        if age < age_needed:
            raise NotEligible(
                _("Peserta belum mencapai usia pensiun %(age)s tahun.") % {"age": age_needed},
                field="event_date",
                code="jp_below_retirement_age",
            )
    record = selectors.jp_record(participant, on=event_date)
    months = len(record.months)
    density = Decimal(months) / record.enrolled_months if record.enrolled_months else Decimal(0)
    minimum = int(parameters.get("jp.minimum_contribution_months", start, fact="event_date").value)
    facts.update(
        {
            "contribution_months": months,
            "enrolled_months": record.enrolled_months,
            "density": str(density.quantize(Decimal("0.0001"))),
            "first_jp_membership": record.first_start.isoformat() if record.first_start else None,
            "jp_contributions_paid": record.contributions,
        }
    )
    counted = months
    if months < minimum:
        if event == "disability":
            topped = density >= MIN_DENSITY and record.enrolled_months >= 2
        elif event == "death":
            topped = (
                density >= MIN_DENSITY and record.enrolled_months >= SURVIVOR_MIN_MEMBERSHIP_MONTHS
            )
        else:
            topped = False
        if not topped:
            facts["lump_sum_reason"] = "fewer_than_minimum_months"
            return Assessment(
                event=event,
                event_date=event_date,
                start_month=start,
                lump_sum_due=True,
                lump_sum_amount=record.contributions,
                shares=[],
                facts=facts,
            )
        counted = minimum
        facts["counted_months"] = counted
    indexed = selectors.average_indexed_wage(
        record.wage_bases, event_year=event_date.year, rates=selectors.inflation_rates()
    )
    facts.update(
        {
            "average_indexed_wage": indexed.average,
            "inflation_factors": indexed.factors,
            "missing_inflation_years": indexed.missing_years,
        }
    )
    result, trace = _formula(start=start, months=counted, average=indexed.average)
    monthly = int(result["monthly_pension"])
    facts["benefit.jp"] = {"monthly_pension": monthly, "lump_sum_due": result["lump_sum_due"]}
    if event in ("old_age", "disability"):
        shares = [
            Share(
                kind=Pension.Kind.OLD_AGE if event == "old_age" else Pension.Kind.DISABILITY,
                beneficiary_name=participant.person.name,
                monthly_amount=monthly,
                rate="1",
                person_id=participant.person_id,
            )
        ]
    else:
        shares = _survivor_shares(participant, base=monthly, event_date=event_date, start=start)
        if not shares:
            raise _no_beneficiary()
    return Assessment(
        event=event,
        event_date=event_date,
        start_month=start,
        lump_sum_due=False,
        lump_sum_amount=0,
        shares=shares,
        facts=facts,
        trace=trace,
    )


def _office_of(participant: Participant) -> Any:
    latest = participant.memberships.order_by("-start_date", "-pk").first()
    return latest.office_id if latest is not None else participant.registering_office_id


@transaction.atomic
def award_pension(
    *,
    participant: Participant,
    event: str,
    event_date: date,
    claim_ref: str,
    awarded_on: date | None = None,
    actor: User = None,
) -> Award:
    """Assess and write the pensions of ``event`` for claim ``claim_ref`` (the same claim again
    returns the pensions already written). With ``lump_sum_due`` nothing is written: the claim pays
    the lump sum. The death of a pensioner ends the pension in payment with the death month."""
    claim_ref = (claim_ref or "").strip()
    if not claim_ref or len(claim_ref) > 64:
        raise InvalidValue(_("Referensi klaim wajib diisi (paling panjang 64)."), field="claim_ref")
    existing = list(Pension.objects.filter(claim_ref=claim_ref).order_by("pk"))
    if existing:
        if any(p.participant_id != participant.pk for p in existing):
            raise Conflict(
                _("Referensi klaim %(ref)s sudah dipakai peserta lain.") % {"ref": claim_ref},
                field="claim_ref",
                code="jp_claim_ref_used",
            )
        return Award(assessment=_restore(existing), pensions=existing)
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    assessment = assess_pension(participant=participant, event=event, event_date=event_date)
    if assessment.lump_sum_due:
        return Award(assessment=assessment, pensions=[])
    awarded_on = awarded_on or institution_today()
    office_id = _office_of(participant)
    stored = _assessment_json(assessment)
    pensions = []
    for share in assessment.shares:
        pension = Pension(
            participant=participant,
            kind=share.kind,
            beneficiary_person_id=share.person_id,
            beneficiary_dependant_id=share.dependant_id,
            beneficiary_name=share.beneficiary_name,
            office_id=office_id,
            base_amount=share.monthly_amount,
            monthly_amount=share.monthly_amount,
            indexed_year=assessment.start_month.year,
            start_month=assessment.start_month,
            end_month=share.end_month,
            last_confirmed_on=awarded_on,
            arrears_from=assessment.start_month,
            claim_ref=claim_ref,
            facts={"assessment": stored, "rate": share.rate, "trace": plain(assessment.trace)},
            awarded_on=awarded_on,
        )
        try:
            with transaction.atomic():
                pension.save()
        except IntegrityError as exc:
            raise Conflict(
                _("Pensiun untuk klaim ini sudah tercatat."), field="claim_ref", code="jp_duplicate"
            ) from exc
        audit.record(
            action=AuditEvent.Action.CREATE,
            actor=actor,
            obj=pension,
            changes={
                "kind": pension.kind,
                "beneficiary": pension.beneficiary_name,
                "monthly_amount": pension.monthly_amount,
                "start_month": pension.start_month,
                "claim_ref": claim_ref,
            },
        )
        pensions.append(pension)
    if assessment.ends_pension_id is not None:
        ended = Pension.objects.select_for_update().get(pk=assessment.ends_pension_id)
        end_pension(
            pension=ended,
            end_month=month_start(event_date),
            reason="death",
            actor=actor,
        )
    return Award(assessment=assessment, pensions=pensions)


def _assessment_json(assessment: Assessment) -> dict[str, Any]:
    """The assessment as stored on each of its pensions (JSON: dates as ISO strings)."""
    return {
        "event": assessment.event,
        "event_date": assessment.event_date.isoformat(),
        "start_month": assessment.start_month.isoformat(),
        "facts": plain(assessment.facts),
        "ends_pension_id": assessment.ends_pension_id,
    }


def _restore(pensions: list[Pension]) -> Assessment:
    """The assessment of pensions already awarded (a repeated ``award_pension``)."""
    stored = pensions[0].facts.get("assessment", {})
    return Assessment(
        event=stored.get("event", ""),
        event_date=date.fromisoformat(stored["event_date"]),
        start_month=date.fromisoformat(stored["start_month"]),
        lump_sum_due=False,
        lump_sum_amount=0,
        shares=[
            Share(
                kind=p.kind,
                beneficiary_name=p.beneficiary_name,
                monthly_amount=p.base_amount,
                rate=str(p.facts.get("rate", "")),
                dependant_id=p.beneficiary_dependant_id,
                person_id=p.beneficiary_person_id,
                end_month=p.end_month,
            )
            for p in pensions
        ],
        facts=stored.get("facts", {}),
        trace=pensions[0].facts.get("trace", []),
        ends_pension_id=stored.get("ends_pension_id"),
    )


@transaction.atomic
def end_pension(*, pension: Pension, end_month: date, reason: str, actor: User = None) -> Pension:
    """End ``pension``: ``end_month`` is the last month paid (death, remarriage, a child working
    or marrying: Pasal 21-22)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidValue(_("Alasan berakhir wajib diisi."), field="reason")
    end_month = month_start(end_month)
    pension = Pension.objects.select_for_update().get(pk=pension.pk)
    if pension.status == Pension.Status.ENDED:
        raise Conflict(_("Pensiun ini sudah berakhir."), field="status", code="pension_ended")
    before = (pension.status, pension.end_month)
    pension.status = Pension.Status.ENDED
    pension.end_month = max(end_month, add_months(pension.start_month, -1))
    pension.end_reason = reason[:40]
    pension.save(update_fields=["status", "end_month", "end_reason"])
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        obj=pension,
        changes={
            "status": [before[0], pension.status],
            "end_month": [before[1], pension.end_month],
            "end_reason": reason,
        },
    )
    return pension


@transaction.atomic
def confirm_data(
    *,
    pension: Pension,
    confirmed_on: date,
    channel: str = DataConfirmation.Channel.BRANCH,
    note: str = "",
    actor: User = None,
) -> DataConfirmation:
    """Record the three-monthly data confirmation (Pasal 26). A suspended pension resumes: the
    months it was suspended are paid as arrears by the next roll (the payment was deferred, not
    forfeited)."""
    if channel not in DataConfirmation.Channel.values:
        raise InvalidValue(_("Saluran konfirmasi tidak dikenal."), field="channel")
    pension = Pension.objects.select_for_update().get(pk=pension.pk)
    if pension.status == Pension.Status.ENDED:
        raise Conflict(_("Pensiun ini sudah berakhir."), field="status", code="pension_ended")
    user = actor if actor is not None and actor.is_authenticated else None
    confirmation = DataConfirmation.objects.create(
        pension=pension,
        confirmed_on=confirmed_on,
        channel=channel,
        note=note[:300],
        recorded_by=user,  # type: ignore[misc]
    )
    changes: dict[str, Any] = {"confirmed_on": confirmed_on, "channel": channel}
    fields = []
    if confirmed_on > pension.last_confirmed_on:
        pension.last_confirmed_on = confirmed_on
        fields.append("last_confirmed_on")
    if pension.status == Pension.Status.SUSPENDED:
        resume_from = pension.suspended_since or pension.start_month
        pension.arrears_from = (
            min(pension.arrears_from, resume_from) if pension.arrears_from else resume_from
        )
        pension.status = Pension.Status.ACTIVE
        pension.suspended_since = None
        fields += ["status", "suspended_since", "arrears_from"]
        changes.update({"status": ["suspended", "active"], "arrears_from": pension.arrears_from})
    if fields:
        pension.save(update_fields=fields)
    audit.record(action=AuditEvent.Action.CREATE, actor=actor, obj=confirmation, changes=changes)
    return confirmation


# -------------------------------------------------------------------------------------------- roll


def _execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _index(month: date) -> tuple[dict[str, int], list[int]]:
    """Bring every pension not ended to ``month``'s year: for each year Y after its current year,
    monthly_amount = half up of monthly_amount × (1 + inflation of Y − 1), in SQL. Stops at the
    first year whose inflation is not recorded (listed as missing; the amount stays)."""
    table = Pension._meta.db_table
    lowest = (
        Pension.objects.exclude(status=Pension.Status.ENDED)
        .filter(start_month__lte=month)
        .aggregate(y=Min("indexed_year"))["y"]
    )
    indexed: dict[str, int] = {}
    missing: list[int] = []
    if lowest is None:
        return indexed, missing
    rates = dict(InflationRate.objects.values_list("year", "percent"))
    for year in range(int(lowest) + 1, month.year + 1):
        percent = rates.get(year - 1)
        if percent is None:
            missing.append(year - 1)
            break
        num, den = fraction(1 + Decimal(percent) / 100)
        count = _execute(
            f"""UPDATE {table} SET monthly_amount = (monthly_amount * %s + %s) / %s,
                       indexed_year = %s
                WHERE status <> 'ended' AND indexed_year = %s AND start_month <= %s""",
            [num, den // 2, den, year, year - 1, month],
        )
        if count:
            indexed[str(year)] = count
    return indexed, missing


def _pay_sql(kind: str, extra_where: str) -> str:
    pension, payment = Pension._meta.db_table, PensionPayment._meta.db_table
    return f"""INSERT INTO {payment} (pension_id, month, amount, kind, run_id, created_at)
        SELECT p.id, %s, p.monthly_amount, '{kind}', %s, %s FROM {pension} p
        WHERE p.status = 'active' AND p.start_month <= %s
          AND (p.end_month IS NULL OR p.end_month >= %s) {extra_where}
          AND NOT EXISTS (SELECT 1 FROM {payment} x WHERE x.pension_id = p.id AND x.month = %s)
        ON CONFLICT DO NOTHING"""


def _acquire(month: date, holder: str, reason: str) -> PensionRun:
    with transaction.atomic():
        stale = PensionRun.objects.filter(
            month=month,
            status=PensionRun.Status.RUNNING,
            started_at__lt=timezone.now() - STALE_RUN,
        )
        stale.update(status=PensionRun.Status.FAILED, error="stale: taken over")
    try:
        with transaction.atomic():
            return PensionRun.objects.create(
                month=month, status=PensionRun.Status.RUNNING, holder=holder, reason=reason
            )
    except IntegrityError as exc:
        running = PensionRun.objects.filter(month=month, status=PensionRun.Status.RUNNING).first()
        raise Conflict(
            _("Pembayaran pensiun bulan ini sedang dijalankan oleh %(holder)s.")
            % {"holder": running.holder if running else "?"},
            field="month",
            code="pension_run_running",
        ) from exc


def pay_pensions(*, month: date, actor: User = None, reason: str = "") -> PensionRun:
    """The roll for ``month``: index, end (end month passed; 10 years without confirmation),
    suspend (no confirmation in the 3 months before the month), pay arrears of resumed and new
    pensions, then pay the month, each step one SQL statement over all pensions. Running it again
    pays nothing twice (unique (pension, month)); the totals are on the run."""
    if month.day != 1:
        raise InvalidValue(_("Bulan harus hari pertama bulan."), field="month")
    user = actor if actor is not None and actor.is_authenticated else None
    holder = (f"{user.get_username() if user else 'system'}@{socket.gethostname()}:{os.getpid()}")[
        :200
    ]
    run = _acquire(month, holder, reason)
    try:
        with transaction.atomic():
            totals = _roll(run, month)
    except Exception as exc:
        PensionRun.objects.filter(pk=run.pk).update(
            status=PensionRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    run.status = PensionRun.Status.COMPLETED
    run.totals = totals
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "totals", "finished_at"])
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        obj=run,
        changes={"month": month, "reason": reason, **totals},
    )
    return run


def _roll(run: PensionRun, month: date) -> dict[str, Any]:
    table = Pension._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    indexed, missing = _index(month)
    ended = _execute(
        f"""UPDATE {table} SET status = 'ended',
                   end_reason = CASE WHEN end_reason = '' THEN 'end_month' ELSE end_reason END
            WHERE status <> 'ended' AND end_month IS NOT NULL AND end_month < %s""",
        [month],
    )
    stopped = _execute(
        f"""UPDATE {table} SET status = 'ended', end_reason = 'no_confirmation_10_years',
                   end_month = %s
            WHERE status <> 'ended' AND last_confirmed_on < %s""",
        [month, add_months(month, -STOP_AFTER_MONTHS)],
    )
    suspended = _execute(
        f"""UPDATE {table} SET status = 'suspended', suspended_since = %s
            WHERE status = 'active' AND start_month <= %s AND last_confirmed_on < %s""",
        [month, month, add_months(month, -CONFIRMATION_MONTHS)],
    )
    first = Pension.objects.filter(status=Pension.Status.ACTIVE, arrears_from__lt=month).aggregate(
        m=Min("arrears_from")
    )["m"]
    if first is not None:
        m = month_start(first)
        while m < month:
            _execute(
                _pay_sql("arrears", "AND p.arrears_from IS NOT NULL AND p.arrears_from <= %s"),
                [m, run.pk, now, m, m, m, m],
            )
            m = add_months(m, 1)
    _execute(
        f"UPDATE {table} SET arrears_from = NULL WHERE status = 'active' AND arrears_from <= %s",
        [month],
    )
    _execute(_pay_sql("regular", ""), [month, run.pk, now, month, month, month])
    new = {
        kind: PensionPayment.objects.filter(run=run, kind=kind).aggregate(
            n=Count("id"), amount=Sum("amount")
        )
        for kind in PensionPayment.Kind.values
    }
    return {
        "month": month.isoformat()[:7],
        "run": run.pk,
        "indexed": indexed,
        "inflation_missing": missing,
        "ended": ended + stopped,
        "suspended": suspended,
        "payments": int(new["regular"]["n"] or 0),
        "amount": int(new["regular"]["amount"] or 0),
        "arrears_payments": int(new["arrears"]["n"] or 0),
        "arrears_amount": int(new["arrears"]["amount"] or 0),
        "active_pensions": Pension.objects.filter(status=Pension.Status.ACTIVE).count(),
        "suspended_pensions": Pension.objects.filter(status=Pension.Status.SUSPENDED).count(),
        **selectors.month_totals(month),
    }
