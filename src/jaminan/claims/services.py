"""Writes of claims: keyword-only, atomic, audited. The claim workflow is a state machine
(``Claim.TRANSITIONS``) and these functions are the only way through it:

``open_claim`` (intake) → ``verify_documents`` → ``assess_claim`` (benefit from ``jaminan.rules`` on
facts read from the registry and the contribution record; a coded rejection when a condition fails)
→ approved (automatically up to ``CLAIMS_FOUR_EYES_THRESHOLD``, above it by a second person with
``approve_claim``) → ``pay_claim`` (each entitlement once, under a row lock and a unique constraint);
``reject_claim`` from any state before approval.

Event facts typed by an officer are only those the record cannot hold: the date of death or of the
accident, its place and circumstances, the JKK outcome and disability percentage, STMB months,
PLKK invoices, the heir and the documents received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaminan import rules
from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of
from jaminan.claims.errors import (
    ClaimAlreadyPaid,
    DuplicateClaim,
    EmployerArrears,
    FourEyes,
    HeirOrder,
    InvalidTransition,
    InvalidValue,
    NotAllowed,
    ScholarshipRefused,
)
from jaminan.claims.models import (
    AccidentReport,
    BenefitPayment,
    Claim,
    ClaimDocument,
    ScholarshipGrant,
    StmbPeriod,
    TreatmentBill,
    components_total,
    payment_reference,
)
from jaminan.contributions import selectors as contributions
from jaminan.geo.models import HealthFacility
from jaminan.geo.zones import institution_today
from jaminan.jht import errors as jht_errors
from jaminan.jht import services as jht
from jaminan.jht.models import JhtAccount
from jaminan.pensions import errors as pension_errors
from jaminan.pensions import services as pensions
from jaminan.registry.models import Dependant, Membership, Participant, Person, ReportedWage
from jaminan.rules import parameters
from jaminan.rules.core import RULES_START, add_months, month_start, month_str

User = AbstractBaseUser | AnonymousUser | None

#: Default four-eyes threshold (issue 6): above it a second person approves.
DEFAULT_FOUR_EYES_THRESHOLD = 50_000_000

INTAKE_ROLES = frozenset(
    {
        Role.SYSTEM_ADMIN,
        Role.BRANCH_OFFICER,
        Role.CLAIMS_APPROVER,
        Role.EMPLOYER_USER,
        Role.PARTICIPANT,
    }
)
#: Who verifies documents, records event facts and heirs, assesses, rejects and pays.
OFFICER_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER, Role.CLAIMS_APPROVER})
#: Who may approve a claim above the threshold (never the person who assessed it).
APPROVER_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.CLAIMS_APPROVER})

#: Document checklist per claim type: (kind, label, required).
CHECKLISTS: dict[str, list[tuple[str, Any, bool]]] = {
    "jkm": [
        ("death_certificate", gettext_lazy("Akta atau surat keterangan kematian"), True),
        ("family_card", gettext_lazy("Kartu keluarga"), True),
        ("heir_statement", gettext_lazy("Surat keterangan ahli waris"), True),
        ("heir_id_card", gettext_lazy("KTP ahli waris"), True),
        ("participant_card", gettext_lazy("Kartu peserta (KPJ)"), False),
    ],
    "jkk": [
        ("accident_report_form", gettext_lazy("Laporan kecelakaan kerja tahap I dan II"), True),
        ("medical_certificate", gettext_lazy("Surat keterangan dokter PLKK"), True),
        ("id_card", gettext_lazy("KTP peserta"), True),
        ("police_report", gettext_lazy("Laporan polisi (kecelakaan lalu lintas)"), False),
    ],
    "jkp": [
        (
            "termination_proof",
            gettext_lazy(
                "Bukti PHK: tanda terima laporan ke dinas, perjanjian bersama atau putusan"
            ),
            True,
        ),
        ("willingness_statement", gettext_lazy("Pernyataan bersedia bekerja kembali"), True),
        ("id_card", gettext_lazy("KTP peserta"), True),
        ("bank_account", gettext_lazy("Buku tabungan"), True),
    ],
    "jht": [
        ("id_card", gettext_lazy("KTP peserta"), True),
        ("participant_card", gettext_lazy("Kartu peserta (KPJ)"), True),
        ("bank_account", gettext_lazy("Buku tabungan"), True),
        (
            "termination_letter",
            gettext_lazy("Surat keterangan berhenti bekerja (paklaring)"),
            False,
        ),
    ],
    "jp": [
        ("id_card", gettext_lazy("KTP peserta atau ahli waris"), True),
        ("participant_card", gettext_lazy("Kartu peserta (KPJ)"), True),
        ("family_card", gettext_lazy("Kartu keluarga"), True),
        ("bank_account", gettext_lazy("Buku tabungan"), True),
    ],
}
#: Added to a JKK claim when the outcome is death.
JKK_DEATH_DOCUMENTS: list[tuple[str, Any, bool]] = [
    ("death_certificate", gettext_lazy("Akta atau surat keterangan kematian"), True),
    ("heir_statement", gettext_lazy("Surat keterangan ahli waris"), True),
]
ENROLMENT_PROOF = "enrolment_proof"
DOCUMENT_LABELS: dict[str, Any] = {
    kind: label
    for items in [*CHECKLISTS.values(), JKK_DEATH_DOCUMENTS]
    for kind, label, _r in items
} | {ENROLMENT_PROOF: gettext_lazy("Bukti terdaftar sebagai siswa/mahasiswa")}

#: Heirs in the legal order (PP 44/2015 Pasal 37(5), 40(2), read as in claims/README.md): spouse,
#: children, parents, grandchildren, siblings, parents-in-law, a person named in a will; with no
#: heir the funeral allowance goes to whoever arranged the funeral (and the rest to the fund).
HEIR_ORDER = (
    "spouse",
    "child",
    "parent",
    "grandchild",
    "sibling",
    "parent_in_law",
    "will",
    "funeral_arranger",
)
HEIR_LABELS: dict[str, Any] = {
    "spouse": gettext_lazy("suami/istri"),
    "child": gettext_lazy("anak"),
    "parent": gettext_lazy("orang tua"),
    "grandchild": gettext_lazy("cucu"),
    "sibling": gettext_lazy("saudara kandung"),
    "parent_in_law": gettext_lazy("mertua"),
    "will": gettext_lazy("pihak yang ditunjuk dalam wasiat"),
    "funeral_arranger": gettext_lazy("pihak yang mengurus pemakaman"),
}

#: JKK outcomes an officer decides; ``recovered`` is assessed as temporary incapacity only.
JKK_OUTCOMES = ("recovered", "partial_disability", "total_disability", "death")
RULES_OUTCOME = {"recovered": "temporary_incapacity"}
JKK_OUTCOME_LABELS: dict[str, Any] = {
    "recovered": gettext_lazy("sembuh (STMB saja)"),
    "partial_disability": gettext_lazy("cacat sebagian"),
    "total_disability": gettext_lazy("cacat total tetap"),
    "death": gettext_lazy("meninggal"),
}

#: Coded rejection reasons with their default messages.
REJECTION_CODES: dict[str, Any] = {
    "documents_incomplete": gettext_lazy("Dokumen wajib tidak lengkap."),
    "not_active_member": gettext_lazy("Peristiwa terjadi di luar masa kepesertaan aktif."),
    "not_covered": gettext_lazy("Kepesertaan tidak mencakup program ini."),
    "bpu_arrears": gettext_lazy(
        "Peserta BPU menunggak iuran lebih dari tiga bulan pada tanggal peristiwa: hak atas manfaat "
        "JKK/JKM hilang (PP 44/2015 Pasal 39(2), 42(2))."
    ),
    "claim_lapsed": gettext_lazy("Hak klaim kedaluwarsa."),
    "jkp_reason": gettext_lazy(
        "JKP hanya untuk pemutusan hubungan kerja (PP 37/2021 Pasal 19-20); berhenti karena "
        "mengundurkan diri, pensiun, cacat total atau meninggal tidak termasuk."
    ),
    "jkp_not_eligible": gettext_lazy(
        "Syarat masa iur JKP tidak terpenuhi (PP 37/2021 Pasal 19(3))."
    ),
    "jkp_max_claims": gettext_lazy(
        "Klaim JKP paling banyak tiga kali selama masa kerja (PP 37/2021 Pasal 35)."
    ),
    "jkp_repeat_too_soon": gettext_lazy(
        "Klaim JKP berikutnya memerlukan masa iur lima tahun sejak klaim sebelumnya (PP 37/2021 "
        "Pasal 35)."
    ),
    "not_eligible": gettext_lazy("Syarat manfaat tidak terpenuhi."),
    "duplicate": gettext_lazy("Klaim ganda untuk peristiwa yang sama."),
    "other": gettext_lazy("Ditolak oleh petugas."),
}

#: The parameters (by prefix) behind each component, for the legal references of the breakdown.
COMPONENT_PARAMETERS: dict[str, tuple[str, ...]] = {
    "lump_sum": ("jkm.lump_sum",),
    "periodic": ("jkm.periodic", "jkk.periodic"),
    "funeral": ("jkm.funeral", "jkk.funeral"),
    "cash": (
        "jkk.death_wage_multiple",
        "jkk.total_disability_wage_multiple",
        "jkk.partial_disability_wage_multiple",
    ),
    "stmb": ("jkk.stmb.",),
    "scholarship": ("scholarship.", "jkm.scholarship_minimum_months"),
    "jkp_cash": ("jkp.",),
    "jht": ("jht.",),
    "jp_lump_sum": ("jp.",),
    "treatment": ("jkk.medical_care",),
}


def four_eyes_threshold() -> int:
    """``settings.CLAIMS_FOUR_EYES_THRESHOLD`` (whole rupiah), default Rp50.000.000."""
    return int(getattr(settings, "CLAIMS_FOUR_EYES_THRESHOLD", DEFAULT_FOUR_EYES_THRESHOLD))


# ---------------------------------------------------------------------------------------- helpers


def _today() -> date:
    return institution_today()


def _user(actor: User) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _require(actor: User, roles: frozenset[Role]) -> None:
    """``actor`` None is the system (commands, tests of the rules); a user must hold a role."""
    if actor is None:
        return
    if role_of(actor) not in roles:
        raise NotAllowed(_("Peran Anda tidak berhak melakukan tindakan ini pada klaim."))


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _audit(actor: User, obj: Any, changes: dict[str, Any], action: str = "update") -> None:
    audit.record(action=action, actor=actor, obj=obj, changes=changes)


def _move(claim: Claim, to: str, *, actor: User, **changes: Any) -> None:
    """The one place a claim changes state: checked against the state machine, saved, audited."""
    if not claim.may_move_to(to):
        raise InvalidTransition(
            _("Klaim berstatus %(status)s tidak dapat menjadi %(to)s.")
            % {"status": claim.get_status_display(), "to": Claim.Status(to).label},
            field="status",
        )
    old = claim.status
    claim.status = to
    claim.save()
    _audit(actor, claim, {"status": [old, to], **changes})


def _require_status(claim: Claim, *statuses: str) -> None:
    if claim.status not in statuses:
        raise InvalidTransition(
            _("Tindakan ini tidak berlaku untuk klaim berstatus %(status)s.")
            % {"status": claim.get_status_display()},
            field="status",
        )


def wage_on(membership: Membership, on: date) -> int:
    """The wage (PU) or declared income (BPU) reported for the month of ``on``."""
    wage = (
        ReportedWage.objects.filter(membership=membership, effective_month__lte=month_start(on))
        .order_by("-effective_month")
        .first()
    )
    if wage is None:
        raise InvalidValue(
            _("Belum ada upah yang dilaporkan untuk kepesertaan ini pada bulan peristiwa."),
            field="wage",
            code="no_wage",
        )
    return int(wage.amount)


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _calculate(name: str, facts: dict[str, Any]) -> dict[str, Any]:
    try:
        return rules.calculate(name, facts)
    except rules.RulesError as exc:
        raise InvalidValue(
            _("Perhitungan %(name)s menolak fakta %(fact)s: %(detail)s")
            % {"name": name, "fact": exc.fact, "detail": exc.detail},
            field=exc.fact,
            code="rules_error",
        ) from exc


def _merge_traces(*traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, Any, Any]] = set()
    merged: list[dict[str, Any]] = []
    for trace in traces:
        for entry in trace:
            key = (entry.get("parameter"), entry.get("from"), str(entry.get("value")))
            if key not in seen:
                seen.add(key)
                merged.append(entry)
    return merged


def _references(component: str, trace: list[dict[str, Any]]) -> list[str]:
    prefixes = COMPONENT_PARAMETERS.get(component, ())
    refs: list[str] = []
    for entry in trace:
        name = str(entry.get("parameter", ""))
        ref = entry.get("reference")
        if ref and any(name == p or name.startswith(p) for p in prefixes) and ref not in refs:
            refs.append(str(ref))
    return refs


def _component(
    component: str,
    amount: int,
    *,
    payee_kind: str,
    payee_name: str,
    trace: list[dict[str, Any]],
    period: str = "",
    due_offset_months: int = 0,
    note: str = "",
) -> dict[str, Any]:
    return {
        "component": component,
        "period": period,
        "amount": int(amount),
        "payee_kind": payee_kind,
        "payee_name": payee_name[:200],
        "due_offset_months": due_offset_months,
        "due_on": None,
        "references": _references(component, trace),
        "note": note,
    }


def covering_membership(participant: Participant, on: date, *, claim_type: str) -> Membership:
    """The participant's membership the event belongs to: for JKP the membership ended by the
    dismissal most recently on or before ``on``; otherwise one active on ``on`` (PU first)."""
    memberships = list(
        Membership.objects.filter(participant=participant, start_date__lte=on).order_by(
            "-start_date", "-id"
        )
    )
    if claim_type in (Claim.Type.JHT, Claim.Type.JP):
        program = [m for m in memberships if getattr(m, f"has_{claim_type}")]
        if program:
            return program[0]
    if claim_type == Claim.Type.JKP:
        ended = [m for m in memberships if m.has_jkp and m.end_date is not None]
        ended.sort(key=lambda m: m.end_date or on, reverse=True)
        if ended:
            return ended[0]
    active = [m for m in memberships if m.end_date is None or m.end_date >= on]
    active.sort(key=lambda m: (m.segment != "PU", -m.start_date.toordinal()))
    if active:
        return active[0]
    raise InvalidValue(
        _("Peserta tidak memiliki kepesertaan yang aktif pada tanggal peristiwa."),
        field="event_date",
        code="not_active_member",
    )


JHT_WITHDRAWALS = ("full", "partial")
JP_EVENTS = ("old_age", "disability", "death")


def _intake_facts(
    claim_type: str, *, withdrawal: str, reason: str, share: int | None, jp_event: str
) -> dict[str, Any]:
    """What a JHT or JP claim asks for (the only facts typed at intake besides the event date)."""
    if claim_type == Claim.Type.JHT:
        if withdrawal not in JHT_WITHDRAWALS:
            raise InvalidValue(
                _("Jenis penarikan JHT harus full atau partial."), field="withdrawal"
            )
        if withdrawal == "full":
            if reason not in jht.Reason.ALL:
                raise InvalidValue(
                    _("Alasan penarikan JHT tidak dikenal: %(reasons)s.")
                    % {"reasons": ", ".join(jht.Reason.ALL)},
                    field="reason",
                )
            return {"withdrawal": "full", "reason": reason}
        if share not in (10, 30):
            raise InvalidValue(_("Penarikan sebagian JHT: 10 atau 30 (persen)."), field="share")
        return {"withdrawal": "partial", "share": share}
    if claim_type == Claim.Type.JP:
        if jp_event not in JP_EVENTS:
            raise InvalidValue(
                _("Peristiwa JP harus old_age, disability atau death."), field="jp_event"
            )
        return {"jp_event": jp_event}
    return {}


def _death_event(claim_type: str, event_facts: dict[str, Any]) -> bool:
    return (claim_type == Claim.Type.JHT and event_facts.get("reason") == "death") or (
        claim_type == Claim.Type.JP and event_facts.get("jp_event") == "death"
    )


# ----------------------------------------------------------------------------------------- intake


@transaction.atomic
def open_claim(
    *,
    claim_type: str,
    participant: Participant,
    event_date: date,
    channel: str = Claim.Channel.BRANCH,
    membership: Membership | None = None,
    received_on: date | None = None,
    place: str = "",
    circumstances: str = "",
    facility: HealthFacility | None = None,
    withdrawal: str = "",
    reason: str = "",
    share: int | None = None,
    jp_event: str = "",
    actor: User = None,
) -> Claim:
    """Intake of a claim with its document checklist (and, for JKK, the accident report).

    A participant files online for themself, an employer user for its worker; the channel follows
    the role. For JKP the event date is the dismissal date recorded on the membership.
    """
    _require(actor, INTAKE_ROLES)
    role = role_of(actor)
    if role == Role.PARTICIPANT:
        channel = Claim.Channel.ONLINE
    elif role == Role.EMPLOYER_USER:
        channel = Claim.Channel.EMPLOYER
    if claim_type not in Claim.Type.values:
        raise InvalidValue(_("Jenis klaim tidak dikenal."), field="claim_type")
    if channel not in Claim.Channel.values:
        raise InvalidValue(_("Saluran pengajuan tidak dikenal."), field="channel")
    received_on = received_on or _today()
    if received_on > _today():
        raise InvalidValue(_("Tanggal pengajuan tidak boleh di masa depan."), field="received_on")
    if event_date < RULES_START:
        raise InvalidValue(
            _("Peristiwa sebelum 1 Juli 2015 (berlakunya PP 44/2015) tidak dapat diproses."),
            field="event_date",
            code="before_rules",
        )
    if event_date > received_on:
        raise InvalidValue(
            _("Tanggal peristiwa tidak boleh setelah tanggal pengajuan."), field="event_date"
        )
    if membership is None:
        membership = covering_membership(participant, event_date, claim_type=claim_type)
    elif membership.participant_id != participant.pk:
        raise InvalidValue(_("Kepesertaan bukan milik peserta ini."), field="membership")
    if claim_type == Claim.Type.JKP:
        if membership.end_date is None:
            raise InvalidValue(
                _("Kepesertaan belum diakhiri: catat PHK pada kepesertaan lebih dulu."),
                field="membership",
                code="membership_not_ended",
            )
        event_date = membership.end_date
        if event_date > received_on or event_date < RULES_START:
            raise InvalidValue(
                _("Tanggal PHK pada kepesertaan di luar masa yang dapat diklaim."),
                field="event_date",
            )
    if claim_type == Claim.Type.JKK and (not place.strip() or not circumstances.strip()):
        raise InvalidValue(
            _("Tempat dan kronologi kecelakaan wajib diisi."),
            field="place" if not place.strip() else "circumstances",
        )
    event_facts = _intake_facts(
        claim_type, withdrawal=withdrawal, reason=reason, share=share, jp_event=jp_event
    )
    if Claim.objects.filter(participant=participant).exclude(status=Claim.Status.REJECTED).filter(
        claim_type=claim_type, event_date=event_date
    ).exists() or (
        claim_type == Claim.Type.JKM
        and Claim.objects.filter(participant=participant, claim_type=Claim.Type.JKM)
        .exclude(status=Claim.Status.REJECTED)
        .exists()
    ):
        raise DuplicateClaim(_("Klaim untuk peristiwa ini sudah ada."), field="event_date")
    claim = Claim(
        claim_type=claim_type,
        participant=participant,
        membership=membership,
        office=membership.office,
        channel=channel,
        event_date=event_date,
        received_on=received_on,
        event_facts=event_facts,
        created_by=_user(actor),
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        raise DuplicateClaim(_("Klaim untuk peristiwa ini sudah ada."), field="event_date") from exc
    ClaimDocument.objects.bulk_create(
        [
            ClaimDocument(claim=claim, kind=kind, label=str(label), required=required)
            for kind, label, required in CHECKLISTS[claim_type]
        ]
    )
    if _death_event(claim_type, event_facts):
        ClaimDocument.objects.bulk_create(
            [
                ClaimDocument(claim=claim, kind=kind, label=str(label), required=required)
                for kind, label, required in JKK_DEATH_DOCUMENTS
            ]
        )
    if claim_type == Claim.Type.JKK:
        AccidentReport.objects.create(
            claim=claim,
            accident_date=event_date,
            place=place.strip()[:200],
            employer=membership.employer,
            circumstances=circumstances.strip(),
            facility=facility,
        )
    _audit(
        actor,
        claim,
        {
            "claim_type": claim_type,
            "kpj": participant.kpj_number,
            "membership": membership.pk,
            "channel": channel,
            "event_date": event_date,
            "event_facts": event_facts,
            "status": Claim.Status.INTAKE,
        },
        action=AuditEvent.Action.CREATE,
    )
    return claim


@transaction.atomic
def record_document(
    *,
    claim: Claim,
    kind: str,
    received_on: date | None = None,
    reference: str = "",
    received: bool = True,
    actor: User = None,
) -> ClaimDocument:
    """Mark one checklist document received (or not) before verification."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    _require_status(claim, Claim.Status.INTAKE)
    document = ClaimDocument.objects.filter(claim=claim, kind=kind).first()
    if document is None or kind == ENROLMENT_PROOF:
        raise InvalidValue(_("Dokumen ini tidak ada dalam daftar klaim."), field="kind")
    old = document.received_on
    document.received_on = (received_on or _today()) if received else None
    document.reference = reference.strip()[:200]
    document.checked_by = _user(actor)
    document.save()
    _audit(actor, document, {"received_on": [old, document.received_on], "reference": reference})
    return document


@transaction.atomic
def record_heir(
    *,
    claim: Claim,
    relation: str,
    name: str = "",
    nik: str = "",
    dependant: Dependant | None = None,
    actor: User = None,
) -> Claim:
    """Record who receives a death benefit, refusing an heir when a registered dependant of a
    higher rank in the legal order exists (``heir_order``)."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    _require_status(claim, Claim.Status.INTAKE, Claim.Status.DOCUMENTS_VERIFIED)
    if not is_death_claim(claim):
        raise InvalidValue(
            _("Ahli waris hanya untuk klaim kematian (JKM atau JKK meninggal)."),
            field="relation",
            code="not_a_death_claim",
        )
    if relation not in HEIR_ORDER:
        raise InvalidValue(_("Hubungan ahli waris tidak dikenal."), field="relation")
    if dependant is not None:
        if dependant.participant_id != claim.participant_id:
            raise InvalidValue(_("Tanggungan bukan milik peserta ini."), field="dependant")
        if dependant.relation != relation:
            raise InvalidValue(_("Hubungan tidak sesuai dengan data tanggungan."), field="relation")
        name = name or dependant.name
        nik = nik or dependant.nik
    name = name.strip()
    if not name:
        raise InvalidValue(_("Nama ahli waris wajib diisi."), field="name")
    nik = nik.strip()
    if nik and (len(nik) != 16 or not nik.isdigit()):
        raise InvalidValue(_("NIK ahli waris harus 16 angka."), field="nik")
    rank = HEIR_ORDER.index(relation)
    better = [c for c in heir_candidates(claim) if HEIR_ORDER.index(c.relation) < rank]
    if better:
        first = better[0]
        raise HeirOrder(
            _(
                "Ahli waris harus mengikuti urutan PP 44/2015 Pasal 37(5) dan 40(2): %(name)s "
                "(%(relation)s) lebih berhak."
            )
            % {"name": first.name, "relation": HEIR_LABELS[first.relation]},
            field="relation",
        )
    old = [claim.heir_relation, claim.heir_name]
    claim.heir_relation, claim.heir_name, claim.heir_nik = relation, name[:150], nik
    claim.heir_dependant = dependant
    claim.save()
    _audit(actor, claim, {"heir": [old, [relation, name]], "heir_nik": bool(nik)})
    return claim


def heir_candidates(claim: Claim) -> list[Dependant]:
    """Registered dependants who could inherit (alive on the death date), in the legal order."""
    dependants = Dependant.objects.filter(participant_id=claim.participant_id).select_related(
        "person"
    )
    alive = [
        d
        for d in dependants
        if d.relation in HEIR_ORDER
        and (
            d.person is None
            or d.person.death_date is None
            or d.person.death_date > claim.event_date
        )
    ]
    return sorted(alive, key=lambda d: (HEIR_ORDER.index(d.relation), d.birth_date))


def is_death_claim(claim: Claim) -> bool:
    return (
        claim.claim_type == Claim.Type.JKM
        or (claim.claim_type == Claim.Type.JKK and claim.event_facts.get("outcome") == "death")
        or _death_event(claim.claim_type, claim.event_facts)
    )


# ---------------------------------------------------------------------------------- JKK event facts


def _require_jkk_open(claim: Claim) -> None:
    if claim.claim_type != Claim.Type.JKK:
        raise InvalidValue(_("Hanya untuk klaim JKK."), field="claim_type", code="not_jkk")
    _require_status(claim, Claim.Status.INTAKE, Claim.Status.DOCUMENTS_VERIFIED)


@transaction.atomic
def record_jkk_outcome(
    *, claim: Claim, outcome: str, disability_percent: Any = None, actor: User = None
) -> Claim:
    """The medical outcome of a work accident: recovered, partial disability (with its percentage
    from the Lampiran III table; for a functional disability the reduced percentage), total
    permanent disability or death."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    _require_jkk_open(claim)
    if outcome not in JKK_OUTCOMES:
        raise InvalidValue(_("Hasil kecelakaan tidak dikenal."), field="outcome")
    percent: str | None = None
    if outcome == "partial_disability":
        try:
            value = Decimal(str(disability_percent))
        except (InvalidOperation, ValueError):
            value = Decimal(-1)
        if disability_percent is None or not value.is_finite() or not 0 < value <= 100:
            raise InvalidValue(
                _("Persentase cacat harus di atas 0 dan paling tinggi 100."),
                field="disability_percent",
            )
        percent = str(int(value)) if value == value.to_integral() else str(value.normalize())
    elif disability_percent not in (None, ""):
        raise InvalidValue(
            _("Persentase cacat hanya untuk cacat sebagian."), field="disability_percent"
        )
    if outcome == "death" and claim.status != Claim.Status.INTAKE:
        raise InvalidTransition(
            _("Hasil meninggal dicatat sebelum verifikasi dokumen (dokumen kematian wajib)."),
            field="outcome",
        )
    old = dict(claim.event_facts)
    claim.event_facts = {**claim.event_facts, "outcome": outcome, "disability_percent": percent}
    claim.save()
    if outcome == "death":
        existing = set(claim.documents.values_list("kind", flat=True))
        ClaimDocument.objects.bulk_create(
            [
                ClaimDocument(claim=claim, kind=kind, label=str(label), required=required)
                for kind, label, required in JKK_DEATH_DOCUMENTS
                if kind not in existing
            ]
        )
    _audit(actor, claim, {"event_facts": [old, claim.event_facts]})
    return claim


@transaction.atomic
def add_stmb_period(
    *, claim: Claim, start_date: date, end_date: date, months: int, actor: User = None
) -> StmbPeriod:
    """A period of temporary incapacity (STMB) in whole months, from a doctor's certificate."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    _require_jkk_open(claim)
    if start_date < claim.event_date or end_date < start_date:
        raise InvalidValue(
            _("Periode STMB harus dimulai pada atau setelah tanggal kecelakaan."),
            field="start_date",
        )
    span = (end_date.year - start_date.year) * 12 + end_date.month - start_date.month + 1
    if end_date > _today():
        raise InvalidValue(_("Periode STMB belum berakhir."), field="end_date")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= span:
        raise InvalidValue(
            _("Jumlah bulan STMB harus 1 sampai %(span)s untuk periode ini.") % {"span": span},
            field="months",
        )
    last = claim.stmb_periods.order_by("-sequence").first()
    if last is not None and start_date <= last.end_date:
        raise InvalidValue(
            _("Periode STMB bertumpang tindih dengan periode sebelumnya."), field="start_date"
        )
    period = StmbPeriod.objects.create(
        claim=claim,
        sequence=(last.sequence + 1) if last else 1,
        start_date=start_date,
        end_date=end_date,
        months=months,
    )
    _audit(
        actor,
        period,
        {"start_date": start_date, "end_date": end_date, "months": months},
        action=AuditEvent.Action.CREATE,
    )
    return period


@transaction.atomic
def add_treatment_bill(
    *,
    claim: Claim,
    facility: HealthFacility,
    invoice_number: str,
    amount: int,
    treated_from: date,
    treated_to: date,
    actor: User = None,
) -> TreatmentBill:
    """An invoice of the treating PLKK (amount billed by the facility; paid to the facility)."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    _require_jkk_open(claim)
    invoice_number = invoice_number.strip()
    if not invoice_number:
        raise InvalidValue(_("Nomor tagihan wajib diisi."), field="invoice_number")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidValue(_("Jumlah tagihan harus rupiah bulat di atas 0."), field="amount")
    if amount > 10**13:
        raise InvalidValue(_("Jumlah tagihan tidak wajar."), field="amount")
    if treated_from < claim.event_date or treated_to < treated_from or treated_to > _today():
        raise InvalidValue(
            _("Masa perawatan harus dimulai pada atau setelah tanggal kecelakaan."),
            field="treated_from",
        )
    if TreatmentBill.objects.filter(facility=facility, invoice_number=invoice_number).exists():
        raise DuplicateClaim(
            _("Tagihan PLKK dengan nomor ini sudah dicatat."),
            field="invoice_number",
            code="duplicate_invoice",
        )
    bill = TreatmentBill.objects.create(
        claim=claim,
        facility=facility,
        invoice_number=invoice_number[:60],
        amount=amount,
        treated_from=treated_from,
        treated_to=treated_to,
    )
    _audit(
        actor,
        bill,
        {"facility": facility.pk, "invoice_number": invoice_number, "amount": amount},
        action=AuditEvent.Action.CREATE,
    )
    return bill


# -------------------------------------------------------------------------------------- workflow


@transaction.atomic
def verify_documents(*, claim: Claim, actor: User = None) -> Claim:
    """intake → documents_verified, when every required document is received (and, for a death,
    the heir is recorded)."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    _require_status(claim, Claim.Status.INTAKE)
    missing = [
        _(d.label)
        for d in claim.documents.all()
        if d.required and d.received_on is None and d.kind != ENROLMENT_PROOF
    ]
    if missing:
        raise InvalidValue(
            _("Dokumen wajib belum diterima: %(documents)s.") % {"documents": ", ".join(missing)},
            field="documents",
            code="documents_incomplete",
        )
    if is_death_claim(claim) and not claim.heir_relation:
        raise InvalidValue(
            _("Catat ahli waris lebih dulu."), field="heir_relation", code="heir_missing"
        )
    if claim.claim_type == Claim.Type.JKK and not claim.event_facts.get("outcome"):
        raise InvalidValue(
            _("Catat hasil kecelakaan (sembuh, cacat, meninggal) lebih dulu."),
            field="outcome",
            code="outcome_missing",
        )
    if is_death_claim(claim) and claim.claim_type != Claim.Type.JKK:
        _record_death(claim, actor=actor)  # JKK: the event date is the accident's, not the death's
    claim.verified_by = _user(actor)
    _move(claim, Claim.Status.DOCUMENTS_VERIFIED, actor=actor)
    return claim


def _record_death(claim: Claim, *, actor: User) -> None:
    """A verified death certificate records the death on the person (audited), so that the
    registry and the JHT/JP services see it; a different date already recorded is refused."""
    person = Person.objects.select_for_update().get(pk=claim.participant.person_id)
    if person.death_date == claim.event_date:
        return
    if person.death_date is not None:
        raise InvalidValue(
            _("Tanggal meninggal tercatat %(date)s, berbeda dengan klaim.")
            % {"date": person.death_date.isoformat()},
            field="event_date",
            code="death_date_mismatch",
        )
    if claim.event_date < person.birth_date:
        raise InvalidValue(_("Tanggal meninggal sebelum tanggal lahir."), field="event_date")
    person.death_date = claim.event_date
    person.save(update_fields=["death_date", "updated_at"])
    _audit(actor, person, {"death_date": [None, claim.event_date], "claim": claim.pk})


@dataclass
class Assessment:
    """What an assessment produced: facts given to the rules, their result and trace, the
    components this claim pays, and a rejection code when a condition failed."""

    facts: dict[str, Any]
    result: dict[str, Any]
    trace: list[dict[str, Any]]
    components: list[dict[str, Any]]
    amount: int
    employer_pays_first: bool = False
    rejection: str = ""
    rejection_message: str = ""


def _reject(code: str, message: str = "", **facts: Any) -> Assessment:
    return Assessment(
        facts=facts,
        result={},
        trace=[],
        components=[],
        amount=0,
        rejection=code,
        rejection_message=message or str(REJECTION_CODES.get(code, code)),
    )


def _arrears_rule(claim: Claim, facts: dict[str, Any]) -> Assessment | bool:
    """PP 44/2015 Pasal 38-39, 41-42: more than three months of arrears on the event date — a BPU
    participant loses the right, a PU employer pays first and is reimbursed after settling."""
    membership = claim.membership
    months = contributions.arrears_months(membership, as_of=claim.event_date)
    facts["arrears_months"] = months
    over = contributions.in_arrears_over_three_months(membership, as_of=claim.event_date)
    if over and membership.segment == Membership.Segment.BPU:
        return _reject("bpu_arrears", **facts)
    return bool(over)


def _eligible_children(claim: Claim) -> tuple[list[dict[str, str]], list[int]]:
    """Children from the registry, oldest first, younger than the scholarship age limit on the
    event date; the level is the one they are starting (not yet at school: TK)."""
    found = parameters.find("scholarship.child_max_age", claim.event_date)
    max_age = int(found.value) if found is not None else 200
    children = Dependant.objects.filter(
        participant_id=claim.participant_id, relation=Dependant.Relation.CHILD
    ).order_by("birth_date", "id")
    facts: list[dict[str, str]] = []
    ids: list[int] = []
    for child in children:
        if age_on(child.birth_date, claim.event_date) >= max_age:
            continue
        facts.append({"level": child.school_level or "TK"})
        ids.append(child.pk)
    return facts, ids


def _per_level_scholarship(on: date) -> bool:
    return (
        str(parameters.get("scholarship.scheme", on, fact="date").value) != "flat_per_participant"
    )


def _heir_payee(claim: Claim) -> tuple[str, str]:
    return BenefitPayment.Payee.HEIR, claim.heir_name


def _participant_payee(claim: Claim) -> tuple[str, str]:
    return BenefitPayment.Payee.PARTICIPANT, claim.participant.person.name


def _employer_payee(claim: Claim) -> tuple[str, str]:
    employer = claim.membership.employer
    return BenefitPayment.Payee.EMPLOYER, employer.name if employer is not None else ""


def _assess_jkm(claim: Claim) -> Assessment:
    membership = claim.membership
    death = claim.event_date
    facts: dict[str, Any] = {}
    if membership.start_date > death or (membership.end_date and membership.end_date < death):
        return _reject("not_active_member")
    arrears = _arrears_rule(claim, facts)
    if isinstance(arrears, Assessment):
        return arrears
    months = [
        m
        for m in contributions.paid_months_of_participant(claim.participant_id)
        if m <= month_start(death)
    ]
    children, child_ids = _eligible_children(claim)
    rules_facts = {
        "death_date": death.isoformat(),
        "contribution_months": len(months),
        "children": children,
    }
    result = _calculate("benefit.jkm", rules_facts)
    trace = result.pop("trace")
    heir = _heir_payee(claim)
    if arrears:
        heir = _employer_payee(claim)
    components: list[dict[str, Any]] = []
    only_funeral = claim.heir_relation == "funeral_arranger"
    for name in ("lump_sum", "periodic", "funeral"):
        if result[name] and (name == "funeral" or not only_funeral):
            components.append(
                _component(name, result[name], payee_kind=heir[0], payee_name=heir[1], trace=trace)
            )
    scholarship = 0 if only_funeral else int(result["scholarship"])
    if scholarship and not _per_level_scholarship(death):
        components.append(
            _component(
                "scholarship", scholarship, payee_kind=heir[0], payee_name=heir[1], trace=trace
            )
        )
    amount = components_total(components)
    if _per_level_scholarship(death):
        amount += scholarship
    return Assessment(
        facts={
            **facts,
            **rules_facts,
            "paid_months": [month_str(m) for m in months],
            "children_ids": child_ids,
            "segment": membership.segment,
        },
        result=result,
        trace=trace,
        components=components,
        amount=amount,
        employer_pays_first=bool(arrears),
    )


def _stmb_for(accident: date, wage: int, months: int) -> int:
    if months == 0:
        return 0
    result = _calculate(
        "benefit.jkk",
        {
            "accident_date": accident.isoformat(),
            "wage": wage,
            "outcome": "temporary_incapacity",
            "months_incapacitated": months,
        },
    )
    return int(result["stmb"])


def _assess_jkk(claim: Claim) -> Assessment:
    membership = claim.membership
    accident = claim.event_date
    facts: dict[str, Any] = {}
    lapse_years = int(parameters.get("jkk.claim_lapse_years", accident, fact="accident_date").value)
    lapse_on = add_months(accident, 12 * lapse_years)
    facts["claim_lapse_on"] = lapse_on.isoformat()
    if claim.received_on > lapse_on:
        return _reject(
            "claim_lapsed",
            _(
                "Klaim JKK diajukan lebih dari %(years)s tahun setelah kecelakaan (PP 44/2015 dan "
                "PP 82/2019 Pasal 26)."
            )
            % {"years": lapse_years},
            **facts,
        )
    if membership.start_date > accident or (membership.end_date and membership.end_date < accident):
        return _reject("not_active_member", **facts)
    arrears = _arrears_rule(claim, facts)
    if isinstance(arrears, Assessment):
        return arrears
    outcome = str(claim.event_facts.get("outcome") or "")
    if outcome not in JKK_OUTCOMES:
        raise InvalidValue(
            _("Catat hasil kecelakaan lebih dulu."), field="outcome", code="outcome_missing"
        )
    wage = wage_on(membership, accident)
    periods = list(claim.stmb_periods.order_by("sequence"))
    months_total = sum(p.months for p in periods)
    rules_facts: dict[str, Any] = {
        "accident_date": accident.isoformat(),
        "wage": wage,
        "outcome": RULES_OUTCOME.get(outcome, outcome),
        "months_incapacitated": months_total,
    }
    child_ids: list[int] = []
    if outcome == "partial_disability":
        rules_facts["disability_percent"] = str(claim.event_facts.get("disability_percent"))
    if outcome in ("death", "total_disability"):
        rules_facts["children"], child_ids = _eligible_children(claim)
    result = _calculate("benefit.jkk", rules_facts)
    trace = result.pop("trace")
    beneficiary = _heir_payee(claim) if outcome == "death" else _participant_payee(claim)
    if arrears:
        beneficiary = _employer_payee(claim)
    components: list[dict[str, Any]] = []
    for name in ("cash", "periodic", "funeral"):
        if result[name]:
            components.append(
                _component(
                    name,
                    result[name],
                    payee_kind=beneficiary[0],
                    payee_name=beneficiary[1],
                    trace=trace,
                )
            )
    # STMB: the employer keeps paying the wage and is reimbursed (PP 44/2015 Pasal 51); a BPU
    # participant receives it. Each period is one entitlement: the difference of the schedule.
    stmb_payee = (
        _employer_payee(claim) if membership.employer_id is not None else _participant_payee(claim)
    )
    done = 0
    previous = 0
    for period in periods:
        done += period.months
        cumulative = _stmb_for(accident, wage, done)
        components.append(
            _component(
                "stmb",
                cumulative - previous,
                payee_kind=stmb_payee[0],
                payee_name=stmb_payee[1],
                trace=trace,
                period=str(period.sequence),
                note=f"{period.start_date.isoformat()}..{period.end_date.isoformat()}",
            )
        )
        previous = cumulative
    assert previous == result["stmb"], (previous, result["stmb"])
    scholarship = int(result["scholarship"])
    if scholarship and not _per_level_scholarship(accident):
        components.append(
            _component(
                "scholarship",
                scholarship,
                payee_kind=beneficiary[0],
                payee_name=beneficiary[1],
                trace=trace,
            )
        )
    treatment = 0
    for bill in claim.treatment_bills.select_related("facility").order_by("id"):
        treatment += bill.amount
        components.append(
            _component(
                "treatment",
                bill.amount,
                payee_kind=BenefitPayment.Payee.FACILITY,
                payee_name=bill.facility.name,
                trace=trace,
                period=f"{bill.pk}",
                note=bill.invoice_number,
            )
        )
    amount = components_total(components)
    if _per_level_scholarship(accident):
        amount += scholarship
    return Assessment(
        facts={
            **facts,
            **rules_facts,
            "children_ids": child_ids,
            "treatment_total": treatment,
            "segment": membership.segment,
        },
        result=result,
        trace=trace,
        components=[c for c in components if c["amount"] > 0],
        amount=amount,
        employer_pays_first=bool(arrears),
    )


def _assess_jkp(claim: Claim) -> Assessment:
    membership = claim.membership
    termination = claim.event_date
    facts: dict[str, Any] = {"end_reason": membership.end_reason}
    if not membership.has_jkp:
        return _reject("not_covered", **facts)
    if membership.end_reason != Membership.EndReason.DISMISSED:
        return _reject("jkp_reason", **facts)
    deadline_months = int(
        parameters.get("jkp.claim_deadline_months", termination, fact="termination_date").value
    )
    deadline = add_months(termination, deadline_months)
    facts["claim_deadline"] = deadline.isoformat()
    if claim.received_on > deadline:
        return _reject(
            "claim_lapsed",
            _("Klaim JKP diajukan lebih dari %(months)s bulan setelah PHK (PP 37/2021 Pasal 40).")
            % {"months": deadline_months},
            **facts,
        )
    previous = list(
        Claim.objects.filter(
            participant_id=claim.participant_id,
            claim_type=Claim.Type.JKP,
            status__in=(Claim.Status.APPROVED, Claim.Status.PAID),
        )
        .exclude(pk=claim.pk)
        .order_by("-event_date")
    )
    max_claims = int(parameters.get("jkp.max_claims", termination, fact="termination_date").value)
    facts["previous_claims"] = len(previous)
    if len(previous) >= max_claims:
        return _reject("jkp_max_claims", **facts)
    paid = contributions.paid_months_of_participant(claim.participant_id)
    if previous:
        years = int(
            parameters.get(
                "jkp.repeat_claim_contribution_years", termination, fact="termination_date"
            ).value
        )
        since = [m for m in paid if m > month_start(previous[0].event_date)]
        facts["paid_months_since_previous_claim"] = len(since)
        if len(since) < 12 * years:
            return _reject("jkp_repeat_too_soon", **facts)
    eligibility_facts = {
        "termination_date": termination.isoformat(),
        "paid_months": [month_str(m) for m in paid if m <= month_start(termination)],
        "age_at_registration": age_on(
            claim.participant.person.birth_date, membership.registered_on
        ),
    }
    eligibility = _calculate("eligibility.jkp", eligibility_facts)
    if not eligibility["eligible"]:
        rejected = _reject(
            "jkp_not_eligible",
            _("Syarat JKP tidak terpenuhi (PP 37/2021 Pasal 4(2), 19(3)): %(reasons)s.")
            % {"reasons": ", ".join(eligibility["reasons"])},
            **facts,
            **eligibility_facts,
        )
        rejected.result = {"eligibility": {k: v for k, v in eligibility.items() if k != "trace"}}
        rejected.trace = eligibility["trace"]
        return rejected
    wage = wage_on(membership, termination)
    benefit_facts = {"termination_date": termination.isoformat(), "wage": wage}
    result = _calculate("benefit.jkp", benefit_facts)
    trace = _merge_traces(eligibility.pop("trace"), result.pop("trace"))
    # PP 37/2021 Pasal 39(3)-(6): more than three months of employer arrears on the termination
    # date — the employer pays the cash benefit first and is reimbursed after settling.
    arrears = _arrears_rule(claim, facts)
    payee = _employer_payee(claim) if arrears is True else _participant_payee(claim)
    components = [
        _component(
            "jkp_cash",
            amount,
            payee_kind=payee[0],
            payee_name=payee[1],
            trace=trace,
            period=str(i + 1),
            due_offset_months=i,
        )
        for i, amount in enumerate(result["monthly"])
    ]
    return Assessment(
        facts={**facts, **eligibility_facts, **benefit_facts},
        result={**result, "eligibility": eligibility},
        trace=trace,
        components=components,
        amount=int(result["total"]),
        employer_pays_first=arrears is True,
    )


def _beneficiary(claim: Claim) -> tuple[str, str]:
    return _heir_payee(claim) if is_death_claim(claim) else _participant_payee(claim)


def _assess_jht(claim: Claim) -> Assessment:
    """JHT withdrawal: the conditions and the amount are helper G's (``jaminan.jht.services``):
    the whole balance for a reason whose conditions hold, or 10%/30% once after ten years."""
    account = JhtAccount.objects.filter(participant_id=claim.participant_id).first()
    if account is None:
        return _reject("not_covered")
    on = claim.received_on
    facts = dict(claim.event_facts)
    try:
        if facts["withdrawal"] == "full":
            entitlement = jht.full_withdrawal_amount(account, on, str(facts["reason"]))
        else:
            entitlement = jht.partial_withdrawal_amount(account, on, int(facts["share"]))
    except jht_errors.WithdrawalNotAllowed as exc:
        return _reject(exc.code, exc.message, **facts)
    except jht_errors.JhtError as exc:
        raise InvalidValue(exc.message, field=exc.field or "received_on", code=exc.code) from exc
    trace = rules_json(list(entitlement.trace))
    payee = _beneficiary(claim)
    return Assessment(
        facts={
            **facts,
            **rules_json(entitlement.facts),
            "account": account.pk,
            "on": on.isoformat(),
        },
        result={
            "kind": entitlement.kind,
            "reason": entitlement.reason,
            "balance": entitlement.balance,
            "amount": entitlement.amount,
        },
        trace=trace if isinstance(trace, list) else [],
        components=[
            _component(
                "jht",
                entitlement.amount,
                payee_kind=payee[0],
                payee_name=payee[1],
                trace=trace if isinstance(trace, list) else [],
                note=f"{entitlement.kind} {entitlement.reason}",
            )
        ],
        amount=entitlement.amount,
    )


def _assess_jp(claim: Claim) -> Assessment:
    """JP: helper G's ``assess_pension`` decides (15 years → monthly pensions at the legal shares;
    fewer → a lump sum this claim pays). A pension is put on the roll when the claim is paid."""
    facts = dict(claim.event_facts)
    try:
        assessment = pensions.assess_pension(
            participant=claim.participant, event=str(facts["jp_event"]), event_date=claim.event_date
        )
    except pension_errors.NotEligible as exc:
        return _reject(exc.code, exc.message, **facts)
    except pension_errors.PensionError as exc:
        raise InvalidValue(exc.message, field=exc.field or "event_date", code=exc.code) from exc
    trace = rules_json(list(assessment.trace))
    trace = trace if isinstance(trace, list) else []
    result = {
        "lump_sum_due": assessment.lump_sum_due,
        "lump_sum_amount": assessment.lump_sum_amount,
        "start_month": assessment.start_month.isoformat(),
        "monthly_total": assessment.monthly_total,
        "shares": [
            {
                "kind": share.kind,
                "beneficiary": share.beneficiary_name,
                "monthly_amount": share.monthly_amount,
                "rate": share.rate,
            }
            for share in assessment.shares
        ],
    }
    components: list[dict[str, Any]] = []
    amount = assessment.monthly_total
    if assessment.lump_sum_due:
        payee = _beneficiary(claim)
        amount = assessment.lump_sum_amount
        if amount:
            components.append(
                _component(
                    "jp_lump_sum", amount, payee_kind=payee[0], payee_name=payee[1], trace=trace
                )
            )
    return Assessment(
        facts={**facts, **rules_json(assessment.facts)},
        result=result,
        trace=trace,
        components=components,
        amount=amount,
    )


ASSESSORS = {
    Claim.Type.JKM: _assess_jkm,
    Claim.Type.JKK: _assess_jkk,
    Claim.Type.JKP: _assess_jkp,
    Claim.Type.JHT: _assess_jht,
    Claim.Type.JP: _assess_jp,
}


def _schedule(claim: Claim, approved_on: date) -> None:
    """Instalments (JKP months 2-6) fall due month by month after approval; the rest at once."""
    for component in claim.components:
        offset = int(component.get("due_offset_months") or 0)
        component["due_on"] = add_months(approved_on, offset).isoformat() if offset else None


@transaction.atomic
def assess_claim(*, claim: Claim, actor: User = None) -> Claim:
    """documents_verified → assessed (the benefit from the rules on recorded facts), or → rejected
    with the code of the condition that failed. Up to the four-eyes threshold the assessment is
    approved at once (``approval`` = automatic); above it a second person must approve."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    _require_status(claim, Claim.Status.DOCUMENTS_VERIFIED)
    try:
        assessment = ASSESSORS[Claim.Type(claim.claim_type)](claim)
    except rules.RulesError as exc:
        raise InvalidValue(
            _("Aturan tidak berlaku untuk tanggal peristiwa ini: %(detail)s") % {"detail": exc},
            field="event_date",
            code="rules_error",
        ) from exc
    claim.decision_facts = assessment.facts
    claim.decision_result = rules_json(assessment.result)
    claim.decision_trace = assessment.trace
    claim.assessed_by = _user(actor)
    claim.assessed_at = timezone.now()
    if assessment.rejection:
        claim.rejection_code = assessment.rejection
        claim.rejection_message = assessment.rejection_message[:500]
        _move(
            claim,
            Claim.Status.REJECTED,
            actor=actor,
            rejection_code=assessment.rejection,
            facts=assessment.facts,
        )
        return claim
    claim.components = assessment.components
    claim.amount = assessment.amount
    claim.employer_pays_first = assessment.employer_pays_first
    _move(
        claim,
        Claim.Status.ASSESSED,
        actor=actor,
        amount=claim.amount,
        facts=assessment.facts,
        components=[[c["component"], c["period"], c["amount"]] for c in claim.components],
    )
    threshold = four_eyes_threshold()
    if claim.amount <= threshold:
        claim.approval = "automatic"
        claim.approved_at = timezone.now()
        _schedule(claim, _today())
        _move(claim, Claim.Status.APPROVED, actor=actor, approval="automatic", threshold=threshold)
    return claim


def rules_json(value: Any) -> Any:
    """Rules outputs made JSON-safe (Decimal → str)."""
    if isinstance(value, dict):
        return {str(k): rules_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rules_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@transaction.atomic
def approve_claim(*, claim: Claim, actor: User) -> Claim:
    """assessed → approved by a second person (a claims approver or an administrator who did not
    assess the claim)."""
    if _user(actor) is None:
        raise NotAllowed(_("Persetujuan memerlukan pengguna yang masuk."))
    claim = _lock(claim)
    _require_status(claim, Claim.Status.ASSESSED)
    assert actor is not None
    if claim.assessed_by_id is not None and claim.assessed_by_id == actor.pk:
        raise FourEyes(
            _(
                "Klaim di atas %(threshold)s disetujui orang kedua: penilai tidak boleh menyetujui "
                "penilaiannya sendiri."
            )
            % {"threshold": f"Rp{four_eyes_threshold():,}".replace(",", ".")},
            field="approved_by",
        )
    _require(actor, APPROVER_ROLES)
    claim.approved_by = _user(actor)
    claim.approved_at = timezone.now()
    claim.approval = "second_person"
    _schedule(claim, _today())
    _move(claim, Claim.Status.APPROVED, actor=actor, approval="second_person")
    return claim


@transaction.atomic
def reject_claim(*, claim: Claim, code: str, message: str = "", actor: User = None) -> Claim:
    """Reject a claim not yet approved, with a coded reason and a message."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    if code not in REJECTION_CODES:
        raise InvalidValue(
            _("Kode penolakan tidak dikenal: %(codes)s.") % {"codes": ", ".join(REJECTION_CODES)},
            field="code",
        )
    claim.rejection_code = code
    claim.rejection_message = (message.strip() or str(REJECTION_CODES[code]))[:500]
    _move(claim, Claim.Status.REJECTED, actor=actor, rejection_code=code)
    return claim


@transaction.atomic
def pay_claim(*, claim: Claim, on: date | None = None, actor: User = None) -> list[BenefitPayment]:
    """Pay every entitlement of an approved claim due on ``on`` and not yet paid, each exactly once:
    the claim row is locked (``select_for_update``) and the database refuses a second payment of
    a (claim, component, period). The claim becomes paid with its last entitlement.

    With more than three months of employer arrears on the event date the benefit reimburses the
    employer, only after the arrears are settled (``employer_arrears_unsettled``)."""
    _require(actor, OFFICER_ROLES)
    on = on or _today()
    claim = _lock(claim)
    if claim.status == Claim.Status.PAID:
        raise ClaimAlreadyPaid(_("Klaim ini sudah dibayar."), field="status")
    _require_status(claim, Claim.Status.APPROVED)
    if claim.employer_pays_first and contributions.arrears_months(claim.membership, as_of=on):
        raise EmployerArrears(
            _(
                "Pemberi kerja menunggak iuran lebih dari tiga bulan: manfaat dibayar pemberi kerja "
                "lebih dulu dan diganti setelah tunggakan dan denda dilunasi (PP 44/2015 Pasal 38, 41)."
            ),
            field="membership",
        )
    paid = set(claim.payments.values_list("component", "period"))
    created: list[BenefitPayment] = []
    for component in claim.components:
        key = (component["component"], component["period"])
        due_on = date.fromisoformat(component["due_on"]) if component.get("due_on") else on
        if key in paid or due_on > on:
            continue
        try:
            with transaction.atomic():
                payment = BenefitPayment.objects.create(
                    claim=claim,
                    component=component["component"],
                    period=component["period"],
                    amount=component["amount"],
                    payee_kind=component["payee_kind"],
                    payee_name=component["payee_name"] or "-",
                    reference=payment_reference(claim, component["component"], component["period"]),
                    paid_on=on,
                    paid_by=_user(actor),
                )
        except IntegrityError as exc:
            raise ClaimAlreadyPaid(
                _("Manfaat ini sudah dibayar (pembayaran ganda ditolak)."), field="component"
            ) from exc
        if payment.component == BenefitPayment.Component.JHT:
            _withdraw_jht(claim, payment, actor=actor)
        paid.add(key)
        created.append(payment)
        _audit(
            actor,
            payment,
            {
                "claim": claim.pk,
                "component": payment.component,
                "period": payment.period,
                "amount": payment.amount,
                "payee": [payment.payee_kind, payment.payee_name],
            },
            action=AuditEvent.Action.CREATE,
        )
    if all((c["component"], c["period"]) in paid for c in claim.components):
        if claim.claim_type == Claim.Type.JP and not claim.decision_result.get("lump_sum_due"):
            _award_pension(claim, on=on, actor=actor)
        _move(claim, Claim.Status.PAID, actor=actor, paid_on=on, payments=len(created))
    return created


def _withdraw_jht(claim: Claim, payment: BenefitPayment, *, actor: User) -> None:
    """Debit the JHT account by the claim's payment (one debit per claim reference)."""
    account = JhtAccount.objects.get(pk=claim.decision_facts["account"])
    try:
        jht.withdraw(
            account,
            kind=str(claim.decision_result["kind"]),
            amount=payment.amount,
            on=payment.paid_on,
            claim_ref=claim.number,
            reason=str(claim.decision_result.get("reason", "")),
            actor=actor,
        )
    except jht_errors.JhtError as exc:
        raise ClaimAlreadyPaid(exc.message, field=exc.field, code=exc.code) from exc


def _award_pension(claim: Claim, *, on: date, actor: User) -> None:
    """Put the pensions of a JP claim on the roll (helper G's ``award_pension``, once per claim)."""
    try:
        award = pensions.award_pension(
            participant=claim.participant,
            event=str(claim.event_facts["jp_event"]),
            event_date=claim.event_date,
            claim_ref=claim.number,
            awarded_on=on,
            actor=actor,
        )
    except pension_errors.PensionError as exc:
        raise InvalidValue(exc.message, field=exc.field, code=exc.code) from exc
    claim.decision_result = {
        **claim.decision_result,
        "pension_ids": [p.pk for p in award.pensions],
    }


# ------------------------------------------------------------------------------------ scholarship


def scholarship_entitlement(claim: Claim) -> tuple[list[int], int]:
    """The children (dependant ids, at most the first two) entitled to yearly grants and the
    scholarship total the rules gave; ([], 0) when the claim gives none per level."""
    if claim.status != Claim.Status.PAID and claim.status != Claim.Status.APPROVED:
        return [], 0
    total = int(claim.decision_result.get("scholarship") or 0)
    if not total or not _per_level_scholarship(claim.event_date):
        return [], 0
    max_children = int(
        parameters.get("scholarship.max_children", claim.event_date, fact="date").value
    )
    return list(claim.decision_facts.get("children_ids", []))[:max_children], total


@transaction.atomic
def grant_scholarship(
    *,
    claim: Claim,
    child: Dependant,
    level: str,
    year: int,
    proof_reference: str,
    received_on: date | None = None,
    actor: User = None,
) -> ScholarshipGrant:
    """One school year's scholarship of one child at one level, paid on proof of enrolment: at
    most the first two children of the decision, levels from the one the child was starting, each
    level for at most its number of years (PP 82/2019 Pasal 25(3), 34(3); Permenaker 5/2021)."""
    _require(actor, OFFICER_ROLES)
    claim = _lock(claim)
    if claim.status not in (Claim.Status.APPROVED, Claim.Status.PAID):
        raise InvalidTransition(_("Beasiswa dibayar setelah klaim disetujui."), field="status")
    children, total = scholarship_entitlement(claim)
    if not total:
        raise ScholarshipRefused(
            _("Klaim ini tidak memberi hak beasiswa per jenjang."), field="claim"
        )
    if child.pk not in children:
        raise ScholarshipRefused(
            _("Anak ini tidak termasuk dua anak penerima beasiswa klaim ini."), field="child"
        )
    if not proof_reference.strip():
        raise InvalidValue(_("Bukti terdaftar sekolah wajib diisi."), field="proof_reference")
    levels = ("TK", "SD", "SMP", "SMA", "PT")
    starting = claim.decision_facts["children"][
        claim.decision_facts["children_ids"].index(child.pk)
    ]["level"]
    if level not in levels or levels.index(level) < levels.index(starting):
        raise ScholarshipRefused(
            _("Jenjang %(level)s di luar jadwal anak ini (mulai %(start)s).")
            % {"level": level, "start": starting},
            field="level",
        )
    event_year = claim.event_date.year
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not event_year <= year <= event_year + 25
    ):
        raise InvalidValue(_("Tahun ajaran di luar masa beasiswa."), field="year")
    on = claim.event_date
    years_param = parameters.get(f"scholarship.years.{level}", on, fact="date")
    amount_param = parameters.get(f"scholarship.amount_per_year.{level}", on, fact="date")
    granted = ScholarshipGrant.objects.filter(claim=claim, child=child)
    if granted.filter(year=year).exists():
        raise ScholarshipRefused(
            _("Beasiswa tahun ajaran ini sudah dibayar untuk anak ini."), field="year"
        )
    if granted.filter(level=level).count() >= int(years_param.value):
        raise ScholarshipRefused(
            _("Beasiswa jenjang %(level)s paling lama %(years)s tahun.")
            % {"level": level, "years": years_param.value},
            field="level",
        )
    later = [g.level for g in granted if levels.index(g.level) > levels.index(level)]
    if later:
        raise ScholarshipRefused(
            _("Anak ini sudah menerima beasiswa jenjang yang lebih tinggi."), field="level"
        )
    amount = int(amount_param.value)
    document = ClaimDocument.objects.create(
        claim=claim,
        kind=ENROLMENT_PROOF,
        label=f"{child.name} {level} {year}"[:200],
        required=True,
        received_on=received_on or _today(),
        reference=proof_reference.strip()[:200],
        checked_by=_user(actor),
    )
    period = f"{child.pk}-{level}-{year}"
    try:
        with transaction.atomic():
            payment = BenefitPayment.objects.create(
                claim=claim,
                component=BenefitPayment.Component.SCHOLARSHIP,
                period=period,
                amount=amount,
                payee_kind=BenefitPayment.Payee.HEIR if claim.heir_name else "participant",
                payee_name=claim.heir_name or claim.participant.person.name,
                reference=payment_reference(claim, "scholarship", period),
                paid_on=_today(),
                paid_by=_user(actor),
            )
            grant = ScholarshipGrant.objects.create(
                claim=claim,
                child=child,
                level=level,
                year=year,
                amount=amount,
                document=document,
                payment=payment,
                trace=[
                    {
                        "parameter": p.name,
                        "value": str(p.value),
                        "from": p.start.isoformat(),
                        "reference": p.reference,
                        "confidence": p.confidence,
                    }
                    for p in (years_param, amount_param)
                ],
            )
    except IntegrityError as exc:
        raise ClaimAlreadyPaid(
            _("Beasiswa ini sudah dibayar (pembayaran ganda ditolak)."), field="year"
        ) from exc
    _audit(
        actor,
        grant,
        {
            "child": child.pk,
            "level": level,
            "year": year,
            "amount": amount,
            "proof": proof_reference,
        },
        action=AuditEvent.Action.CREATE,
    )
    return grant


def payments_total(claim: Claim) -> int:
    return sum(p.amount for p in claim.payments.all())
