"""Claims screens, mounted at ``/klaim/``: the worklist per office and status, the claim page (facts,
benefit breakdown with legal references, documents, payments, actions), intake, and the
participant's own claims (the same list, scoped to the participant). Thin: parse, call one
selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of, scope_queryset
from jaminan.accounts.views import roles_required as accounts_roles_required
from jaminan.claims import selectors, services
from jaminan.claims.errors import ClaimError, NotFound
from jaminan.claims.models import Claim
from jaminan.geo.models import HealthFacility, Office
from jaminan.geo.zones import institution_today
from jaminan.registry.models import Dependant, Participant

#: Who sees the claim screens (each limited by scope_queryset).
READ_ROLES = frozenset(
    {
        Role.SYSTEM_ADMIN,
        Role.BRANCH_OFFICER,
        Role.CLAIMS_APPROVER,
        Role.EMPLOYER_USER,
        Role.PARTICIPANT,
    }
)
CLAIMS_PER_PAGE = 50

View = Callable[..., HttpResponse]


def roles_required(roles: frozenset[Role]) -> Callable[[View], View]:
    return accounts_roles_required(roles, not_found=(NotFound,))


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@roles_required(READ_ROLES)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Claim.Status.values else ""
    claim_type = request.GET.get("jenis", "")
    claim_type = claim_type if claim_type in Claim.Type.values else ""
    office_id = _int(request.GET.get("kantor"))
    qs = selectors.claims_in_scope(
        user=request.user, status=status, office_id=office_id, claim_type=claim_type
    )
    count = qs.count()
    pages = max(1, -(-count // CLAIMS_PER_PAGE))
    page = min(max(1, _int(request.GET.get("halaman")) or 1), pages)
    start = (page - 1) * CLAIMS_PER_PAGE
    claims = list(qs[start : start + CLAIMS_PER_PAGE])
    selectors.record_claim_list_view(
        user=request.user,
        context={"status": status, "office": office_id, "type": claim_type, "page": page},
    )
    by_status = dict(
        selectors.claims_in_scope(user=request.user, office_id=office_id, claim_type=claim_type)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    role = role_of(request.user)
    offices = (
        list(scope_queryset(request.user, Office.objects.all()).filter(kind="branch"))
        if role in (Role.SYSTEM_ADMIN, Role.CLAIMS_APPROVER, Role.BRANCH_OFFICER)
        else []
    )
    return render(
        request,
        "claims/worklist.html",
        {
            "claims": claims,
            "count": count,
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "status": status,
            "claim_type": claim_type,
            "office_id": office_id,
            "offices": offices,
            "statuses": [
                (value, label, by_status.get(value, 0)) for value, label in Claim.Status.choices
            ],
            "types": Claim.Type.choices,
            "own_claims": role == Role.PARTICIPANT,
            "may_open": role in services.INTAKE_ROLES,
        },
    )


@roles_required(READ_ROLES)
@require_GET
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    detail = selectors.claim_detail(user=request.user, claim_id=claim_id)
    role = role_of(request.user)
    claim = detail.claim
    officer = role in services.OFFICER_ROLES
    facilities = (
        list(HealthFacility.objects.filter(serving_office=claim.office).order_by("name")[:200])
        if officer and claim.claim_type == "jkk" and claim.is_open
        else []
    )
    children = (
        list(Dependant.objects.filter(participant_id=claim.participant_id, relation="child"))
        if officer and detail.scholarship_total
        else []
    )
    return render(
        request,
        "claims/detail.html",
        {
            "detail": detail,
            "claim": claim,
            "officer": officer,
            "approver": role in services.APPROVER_ROLES,
            "threshold": services.four_eyes_threshold(),
            "heir_relations": [(k, services.HEIR_LABELS[k]) for k in services.HEIR_ORDER],
            "outcomes": list(services.JKK_OUTCOME_LABELS.items()),
            "rejection_codes": list(services.REJECTION_CODES.items()),
            "facilities": facilities,
            "children": children,
            "levels": ["TK", "SD", "SMP", "SMA", "PT"],
            "today": institution_today(),
        },
    )


class IntakeForm(forms.Form):
    kpj = forms.RegexField(label=gettext_lazy("Nomor KPJ"), regex=r"^[0-9]{11}$", max_length=11)
    claim_type = forms.ChoiceField(label=gettext_lazy("Jenis klaim"), choices=Claim.Type.choices)
    channel = forms.ChoiceField(label=gettext_lazy("Saluran"), choices=Claim.Channel.choices)
    event_date = forms.DateField(
        label=gettext_lazy("Tanggal peristiwa"),
        help_text=gettext_lazy(
            "Tanggal meninggal atau kecelakaan; JKP: tanggal PHK pada kepesertaan."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_on = forms.DateField(
        label=gettext_lazy("Tanggal pengajuan"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    place = forms.CharField(
        label=gettext_lazy("JKK: tempat kejadian"), required=False, max_length=200
    )
    circumstances = forms.CharField(
        label=gettext_lazy("JKK: kronologi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    facility = forms.ModelChoiceField(
        label=gettext_lazy("JKK: PLKK yang merawat"),
        queryset=HealthFacility.objects.order_by("name"),
        required=False,
    )
    withdrawal = forms.ChoiceField(
        label=gettext_lazy("JHT: jenis penarikan"),
        choices=[
            ("", "–"),
            ("full", gettext_lazy("seluruh saldo")),
            ("partial", gettext_lazy("sebagian")),
        ],
        required=False,
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("JHT seluruh saldo: alasan"),
        choices=[
            ("", "–"),
            ("resignation", gettext_lazy("mengundurkan diri")),
            ("dismissal", gettext_lazy("PHK")),
            ("contract_end", gettext_lazy("kontrak berakhir")),
            ("retirement", gettext_lazy("usia pensiun")),
            ("death", gettext_lazy("meninggal dunia")),
            ("total_disability", gettext_lazy("cacat total tetap")),
            ("moved_abroad", gettext_lazy("meninggalkan Indonesia selamanya")),
        ],
        required=False,
    )
    share = forms.TypedChoiceField(
        label=gettext_lazy("JHT sebagian: bagian"),
        choices=[("", "–"), ("10", "10%"), ("30", gettext_lazy("30% (perumahan)"))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    jp_event = forms.ChoiceField(
        label=gettext_lazy("JP: peristiwa"),
        choices=[
            ("", "–"),
            ("old_age", gettext_lazy("usia pensiun")),
            ("disability", gettext_lazy("cacat total tetap")),
            ("death", gettext_lazy("meninggal dunia")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


@roles_required(services.INTAKE_ROLES)
@require_http_methods(["GET", "POST"])
def claim_create(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    initial: dict[str, Any] = {"channel": "branch"}
    if role == Role.PARTICIPANT:
        scope = getattr(request.user, "scope", None)
        initial = {"channel": "online", "kpj": scope.participant_kpj if scope else ""}
    elif role == Role.EMPLOYER_USER:
        initial = {"channel": "employer"}
    form = IntakeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant = (
            scope_queryset(request.user, Participant.objects.filter(kpj_number=data["kpj"]))
            .select_related("person")
            .first()
        )
        if participant is None:
            form.add_error("kpj", _("Peserta tidak ditemukan dalam cakupan Anda."))
        else:
            try:
                claim = services.open_claim(
                    claim_type=data["claim_type"],
                    participant=participant,
                    event_date=data["event_date"],
                    channel=data["channel"],
                    received_on=data["received_on"],
                    place=data["place"],
                    circumstances=data["circumstances"],
                    facility=data["facility"],
                    withdrawal=data["withdrawal"],
                    reason=data["reason"],
                    share=data["share"],
                    jp_event=data["jp_event"],
                    actor=request.user,
                )
            except ClaimError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request, _("Klaim %(number)s diterima.") % {"number": claim.number}
                )
                return redirect("claims:detail", claim_id=claim.pk)
    return render(request, "claims/form.html", {"form": form})


def _date(value: str | None, field: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError as exc:
        raise ClaimError(_("Tanggal tidak sah."), field=field, code="invalid") from exc


def _actions(request: HttpRequest, claim: Claim) -> dict[str, Callable[[], Any]]:
    post = request.POST
    user = request.user

    def heir() -> Any:
        dependant_id = _int(post.get("dependant"))
        dependant = (
            Dependant.objects.filter(pk=dependant_id, participant_id=claim.participant_id).first()
            if dependant_id
            else None
        )
        return services.record_heir(
            claim=claim,
            relation=post.get("relation", ""),
            name=post.get("name", ""),
            nik=post.get("nik", ""),
            dependant=dependant,
            actor=user,
        )

    def treatment() -> Any:
        facility = HealthFacility.objects.filter(pk=_int(post.get("facility")) or 0).first()
        if facility is None:
            raise ClaimError(_("Pilih PLKK."), field="facility", code="invalid")
        return services.add_treatment_bill(
            claim=claim,
            facility=facility,
            invoice_number=post.get("invoice_number", ""),
            amount=_int(post.get("amount")) or 0,
            treated_from=_date(post.get("treated_from"), "treated_from"),
            treated_to=_date(post.get("treated_to"), "treated_to"),
            actor=user,
        )

    def scholarship() -> Any:
        child = Dependant.objects.filter(
            pk=_int(post.get("child")) or 0, participant_id=claim.participant_id, relation="child"
        ).first()
        if child is None:
            raise ClaimError(_("Pilih anak."), field="child", code="invalid")
        return services.grant_scholarship(
            claim=claim,
            child=child,
            level=post.get("level", ""),
            year=_int(post.get("year")) or 0,
            proof_reference=post.get("proof_reference", ""),
            actor=user,
        )

    return {
        "document": lambda: services.record_document(
            claim=claim,
            kind=post.get("kind", ""),
            reference=post.get("reference", ""),
            received=post.get("received", "1") == "1",
            actor=user,
        ),
        "heir": heir,
        "outcome": lambda: services.record_jkk_outcome(
            claim=claim,
            outcome=post.get("outcome", ""),
            disability_percent=post.get("disability_percent") or None,
            actor=user,
        ),
        "stmb": lambda: services.add_stmb_period(
            claim=claim,
            start_date=_date(post.get("start_date"), "start_date"),
            end_date=_date(post.get("end_date"), "end_date"),
            months=_int(post.get("months")) or 0,
            actor=user,
        ),
        "treatment": treatment,
        "verify": lambda: services.verify_documents(claim=claim, actor=user),
        "assess": lambda: services.assess_claim(claim=claim, actor=user),
        "approve": lambda: services.approve_claim(claim=claim, actor=user),
        "pay": lambda: services.pay_claim(claim=claim, actor=user),
        "reject": lambda: services.reject_claim(
            claim=claim, code=post.get("code", ""), message=post.get("message", ""), actor=user
        ),
        "scholarship": scholarship,
    }


@roles_required(services.OFFICER_ROLES)
@require_POST
def claim_action(request: HttpRequest, claim_id: int, action: str) -> HttpResponse:
    claim = selectors.claim_in_scope(user=request.user, claim_id=claim_id)
    call = _actions(request, claim).get(action)
    if call is None:
        raise Http404
    try:
        call()
    except ClaimError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tersimpan."))
    return redirect("claims:detail", claim_id=claim.pk)
