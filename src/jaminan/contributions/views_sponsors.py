"""Contributions screens: sponsors, their programs and beneficiaries, the budget calculator and the
donor form "Lindungi Pekerja Sekitar Anda" (see contributions/urls.py; mounted at ``/iuran/``).

Thin: forms parse, :mod:`jaminan.contributions.sponsors` decides and reads (scoped, audited). URL
names: ``contributions:sponsors``, ``contributions:sponsor`` (by code), ``contributions:donate``,
``contributions:sponsor-budget``, ``contributions:sponsor-create``, ``contributions:program``,
``contributions:program-create``, ``contributions:program-enrol``, ``contributions:program-upload``,
``contributions:program-end``, ``contributions:program-template``,
``contributions:program-upload-report`` (an upload's row report, CSV or XLSX).
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import STAFF_ROLES, Role
from jaminan.accounts.scoping import role_of
from jaminan.contributions import sponsors
from jaminan.contributions.models import Sponsor, SponsorshipProgram
from jaminan.geo.zones import institution_today
from jaminan.registry import report_store
from jaminan.registry.errors import RegistryError
from jaminan.registry.forms import (
    PersonFieldsForm,
    RegencyChoiceField,
    RegistryForm,
    RupiahField,
    office_regencies,
)
from jaminan.registry.imports import Issue, report_csv, report_xlsx
from jaminan.registry.models import Sex
from jaminan.registry.nik import check_nik, nik_error_message
from jaminan.registry.services import PersonFacts
from jaminan.registry.views import roles_required

#: Who reads sponsor pages (each limited by scope_queryset).
READ_ROLES = STAFF_ROLES | {Role.SPONSOR_USER}
#: Who creates sponsors and programs, ends programs and takes donor forms: the branch office.
OFFICE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
#: Who names beneficiaries of a program they can see: the office and the sponsor itself.
ENROL_ROLES = OFFICE_ROLES | {Role.SPONSOR_USER}
#: The donor form: the office on a donor's behalf, or a donor (a person) signed in as its sponsor.
DONOR_FORM_ROLES = OFFICE_ROLES | {Role.SPONSOR_USER}
BENEFICIARIES_PER_PAGE = 50
ALERT_NAMES_SHOWN = 50
ALERTS_LISTED = 20
REPORT_LINES_SHOWN = 500
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Session key of the upload reports this session may download.
UPLOAD_REPORTS_KEY = "sponsor_upload_reports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CODE = re.compile(r"^[A-Za-z0-9.-]{1,40}$")


def _may(request: HttpRequest, roles: frozenset[Role]) -> bool:
    return role_of(request.user) in roles


def _sponsor(request: HttpRequest, code: str) -> Sponsor:
    if not _CODE.match(code):
        raise Http404(code)
    return sponsors.sponsor_in_scope(user=request.user, code=code)


def _program(request: HttpRequest, code: str, program_id: int) -> SponsorshipProgram:
    if not 0 < program_id < 2**63:
        raise Http404(str(program_id))
    sponsor = _sponsor(request, code)
    return sponsors.program_in_scope(user=request.user, sponsor=sponsor, program_id=program_id)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("halaman", "1")))
    except ValueError:
        return 1


# ------------------------------------------------------------------------------------------ forms

_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


def _months(n: int) -> str:
    return _("%(n)s bulan") % {"n": n}


#: "N bulan" in the protection-period choices, translated when the form is rendered.
_months_label = lazy(_months, str)


class MonthField(forms.CharField):
    """A contribution month ``YYYY-MM`` (``<input type="month">``) as the first day of the month."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        match = _MONTH.match(text)
        if match is None:
            raise ValidationError(_("Masukkan bulan YYYY-MM, mis. 2026-04."), code="invalid")
        month = date(int(match[1]), int(match[2]), 1)
        if not sponsors.FIRST_MONTH <= month <= sponsors.LAST_MONTH:
            raise ValidationError(_("Bulan harus antara Juli 2015 dan Desember 2099."))
        return month

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, date) else value


class SponsorForm(RegistryForm):
    kind = forms.ChoiceField(label=gettext_lazy("Jenis"), choices=Sponsor.Kind.choices)
    name = forms.CharField(label=gettext_lazy("Nama penyandang dana"), max_length=200)
    regency = RegencyChoiceField(
        label=gettext_lazy("Kabupaten/kota"), queryset=Sponsor.objects.none(), required=True
    )
    code = forms.CharField(
        label=gettext_lazy("Kode (opsional)"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Kosongkan agar dibuat otomatis, mis. APBD-000012."),
    )
    contact_name = forms.CharField(
        label=gettext_lazy("Nama kontak"), max_length=150, required=False
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Telepon kontak"), max_length=20, required=False
    )
    contact_email = forms.EmailField(label=gettext_lazy("Surel kontak"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regency = self.fields["regency"]
        assert isinstance(regency, forms.ModelChoiceField)
        regency.queryset = office_regencies(self.user)


class ProgramForm(RegistryForm):
    name = forms.CharField(label=gettext_lazy("Nama program"), max_length=200)
    start_month = MonthField(label=gettext_lazy("Bulan mulai"))
    end_month = MonthField(label=gettext_lazy("Bulan terakhir"))
    budget_ceiling = RupiahField(label=gettext_lazy("Pagu anggaran (Rp)"))
    declared_income = RupiahField(
        label=gettext_lazy("Penghasilan yang dilaporkan (Rp)"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Kosongkan untuk tingkat penghasilan BPU terendah (Rp1.000.000)."),
    )


class EnrolForm(PersonFieldsForm):
    """One beneficiary: an existing person by NIK (stored data wins) or a new one."""


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas daftar penerima (CSV atau XLSX)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
        error_messages={
            "required": gettext_lazy("Pilih berkas untuk diunggah."),
            "empty": gettext_lazy("Berkas kosong."),
        },
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Uji coba (periksa saja, jangan simpan)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class BudgetForm(RegistryForm):
    workers = forms.IntegerField(
        label=gettext_lazy("Jumlah pekerja"), min_value=0, max_value=10_000_000, initial=100
    )
    months = forms.IntegerField(
        label=gettext_lazy("Jumlah bulan"),
        min_value=1,
        max_value=sponsors.MAX_PROGRAM_MONTHS,
        initial=12,
    )
    start_month = MonthField(label=gettext_lazy("Bulan mulai"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Jenis penyandang dana"),
        choices=Sponsor.Kind.choices,
        initial=Sponsor.Kind.REGENCY,
        help_text=gettext_lazy(
            "Iuran dari APBD (pemerintah provinsi, kabupaten/kota) tidak mendapat diskon PP 50/2025."
        ),
    )


class DonorForm(RegistryForm):
    """The donor's details and a period; neighbour rows are the ``nik_i``, ``name_i``, ``birth_date_i``
    and ``sex_i`` fields (the first row required)."""

    donor_name = forms.CharField(label=gettext_lazy("Nama donatur"), max_length=150)
    contact_phone = forms.CharField(label=gettext_lazy("Telepon"), max_length=20)
    contact_email = forms.EmailField(label=gettext_lazy("Surel"), required=False)
    regency = RegencyChoiceField(
        label=gettext_lazy("Kabupaten/kota tempat tinggal"), queryset=Sponsor.objects.none()
    )
    start_month = MonthField(label=gettext_lazy("Mulai bulan"))
    months = forms.TypedChoiceField(
        label=gettext_lazy("Lama perlindungan"),
        coerce=int,
        choices=[(n, _months_label(n)) for n in (1, 3, 6, 12)],
        initial=12,
    )

    def __init__(self, *args: Any, donor: Sponsor | None = None, **kwargs: Any) -> None:
        """``donor``: the signed-in donor's own sponsor record, which stands for the donor fields."""
        super().__init__(*args, **kwargs)
        self.donor = donor
        if donor is not None:
            for name in ("donor_name", "contact_phone", "contact_email"):
                del self.fields[name]
        regency = self.fields["regency"]
        assert isinstance(regency, forms.ModelChoiceField)
        regency.queryset = office_regencies(self.user)
        for i in range(sponsors.DONOR_MAX_NEIGHBOURS):
            first = i == 0
            self.fields[f"nik_{i}"] = forms.CharField(
                label=_("NIK"),
                max_length=16,
                required=first,
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "maxlength": "16", "class": "form-control"}
                ),
            )
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Nama"),
                max_length=150,
                required=first,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
            self.fields[f"birth_date_{i}"] = forms.DateField(
                label=_("Tanggal lahir"),
                required=first,
                input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                widget=forms.DateInput(
                    attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
                ),
            )
            self.fields[f"sex_{i}"] = forms.ChoiceField(
                label=_("Jenis kelamin"),
                required=first,
                choices=[("", "—"), *Sex.choices],
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def neighbour_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}_{i}"] for name in ("nik", "name", "birth_date", "sex")]
            for i in range(sponsors.DONOR_MAX_NEIGHBOURS)
        ]

    @property
    def visible_main_fields(self) -> list[forms.BoundField]:
        names = ("donor_name", "contact_phone", "contact_email", "regency")
        return [self[name] for name in names if name in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.neighbours: list[PersonFacts] = []
        for i in range(sponsors.DONOR_MAX_NEIGHBOURS):
            values = [data.get(f"{n}_{i}") for n in ("nik", "name", "birth_date", "sex")]
            if not any(values):
                continue
            nik, name, birth, sex = values
            missing = [
                n
                for n, v in zip(("nik", "name", "birth_date", "sex"), values, strict=True)
                if not v
            ]
            for n in missing:
                if f"{n}_{i}" not in self.errors:
                    self.add_error(f"{n}_{i}", _("Wajib diisi."))
            if missing:
                continue
            assert isinstance(birth, date)
            check = check_nik(str(nik).strip(), birth_date=birth, sex=sex)
            if not check.info.valid:
                self.add_error(f"nik_{i}", nik_error_message(check.info.error))
                continue
            if not check.birth_date_matches:
                self.add_error(f"birth_date_{i}", _("Tanggal lahir tidak sesuai dengan NIK."))
                continue
            if not check.sex_matches:
                self.add_error(f"sex_{i}", _("Jenis kelamin tidak sesuai dengan NIK."))
                continue
            self.neighbours.append(
                PersonFacts(nik=str(nik).strip(), name=str(name), birth_date=birth, sex=str(sex))
            )
        return data

    def add_domain_error(self, exc: RegistryError) -> None:
        field = exc.field or ""
        match = re.match(r"^neighbours\.([0-9])\.(\w+)$", field)
        if match:
            name = f"{match[2]}_{match[1]}"
            field = name if name in self.fields else f"nik_{match[1]}"
        self.add_error(field if field in self.fields else None, exc.message)


# ------------------------------------------------------------------------------------------ reads


def _sponsor_list(request: HttpRequest) -> QuerySet[Sponsor]:
    return sponsors.sponsor_list(
        user=request.user,
        kind=request.GET.get("jenis", ""),
        q=request.GET.get("q", "").strip()[:100].replace("\x00", ""),
    )


@roles_required(READ_ROLES)
@require_GET
def sponsor_list(request: HttpRequest) -> HttpResponse:
    qs = _sponsor_list(request)
    rows = list(qs[:200])
    alerts = sponsors.program_alerts(user=request.user, as_of=institution_today())
    return render(
        request,
        "contributions/sponsors/list.html",
        {
            "sponsors": rows,
            "count": len(rows) if len(rows) < 200 else qs.count(),
            "kinds": Sponsor.Kind.choices,
            "kind": request.GET.get("jenis", ""),
            "q": request.GET.get("q", ""),
            "may_create": _may(request, OFFICE_ROLES),
            "alerts": alerts[:ALERTS_LISTED],
            "alerts_hidden": max(0, len(alerts) - ALERTS_LISTED),
        },
    )


@roles_required(READ_ROLES)
@require_GET
def sponsor_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not _CODE.match(code):
        raise Http404(code)
    detail = sponsors.sponsor_detail(user=request.user, code=code)
    alerts = [
        {"alert": a, "names": list(a.losing_cover[:ALERT_NAMES_SHOWN])} for a in detail.alerts
    ]
    if any(a["names"] for a in alerts):
        for a in detail.alerts:
            sponsors.record_beneficiary_view(
                user=request.user, program=a.program, alert=a.last_day.isoformat()
            )
    return render(
        request,
        "contributions/sponsors/detail.html",
        {
            "detail": detail,
            "sponsor": detail.sponsor,
            "alerts": alerts,
            "alert_names_shown": ALERT_NAMES_SHOWN,
            "may_create": _may(request, OFFICE_ROLES),
        },
    )


@roles_required(READ_ROLES)
@require_GET
def program_detail(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    program = _program(request, code, program_id)
    summary = sponsors.program_summary(program)
    beneficiaries = sponsors.beneficiaries_of(user=request.user, program=program)
    total = summary.beneficiaries
    pages = max(1, -(-total // BENEFICIARIES_PER_PAGE))
    page = min(_page_number(request), pages)
    start = (page - 1) * BENEFICIARIES_PER_PAGE
    rows = list(beneficiaries[start : start + BENEFICIARIES_PER_PAGE])
    if rows:
        sponsors.record_beneficiary_view(
            user=request.user, program=program, page=page, shown=[b.pk for b in rows]
        )
    months = sponsors.program_months_counter(program)
    per_worker = sponsors.per_worker_amounts(program)
    return render(
        request,
        "contributions/sponsors/program.html",
        {
            "program": program,
            "sponsor": program.sponsor,
            "summary": summary,
            "beneficiaries": rows,
            "first_row": start + 1,
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "month_rows": [
                {
                    "amount": a,
                    "covered": months.get(a.month, 0),
                    "cost": a.total * months.get(a.month, 0),
                }
                for a in per_worker
            ],
            "may_enrol": _may(request, ENROL_ROLES)
            and program.status == SponsorshipProgram.Status.ACTIVE,
            "may_end": _may(request, OFFICE_ROLES)
            and program.status == SponsorshipProgram.Status.ACTIVE,
            "nik_unmasked": role_of(request.user) in OFFICE_ROLES | {Role.CLAIMS_APPROVER},
        },
    )


# ----------------------------------------------------------------------------------------- writes


def _form_page(
    request: HttpRequest, form: forms.Form, *, title: str, **context: Any
) -> HttpResponse:
    return render(
        request, "contributions/sponsors/form.html", {"form": form, "title": title, **context}
    )


@roles_required(OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def sponsor_create(request: HttpRequest) -> HttpResponse:
    form = SponsorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            sponsor = sponsors.create_sponsor(**form.cleaned_data, actor=request.user)
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Penyandang dana %(name)s terdaftar dengan kode %(code)s.")
                % {"name": sponsor.name, "code": sponsor.code},
            )
            return redirect("contributions:sponsor", code=sponsor.code)
    return _form_page(request, form, title=_("Penyandang dana baru"))


@roles_required(OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest, code: str) -> HttpResponse:
    sponsor = _sponsor(request, code)
    form = ProgramForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            program = sponsors.create_program(
                sponsor=sponsor, **form.cleaned_data, actor=request.user
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Program %(name)s dibuat.") % {"name": program.name})
            return redirect("contributions:program", code=sponsor.code, program_id=program.pk)
    return _form_page(request, form, title=_("Program baru"), sponsor=sponsor)


@roles_required(ENROL_ROLES)
@require_http_methods(["GET", "POST"])
def program_enrol(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    program = _program(request, code, program_id)
    form = EnrolForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            beneficiary = sponsors.enrol_beneficiary(
                program=program, person=form.person_facts(), actor=request.user
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            participant = beneficiary.membership.participant
            messages.success(
                request,
                _("%(name)s terlindungi oleh program ini dengan nomor KPJ %(kpj)s.")
                % {"name": participant.person.name, "kpj": participant.kpj_number},
            )
            return redirect("contributions:program", code=code, program_id=program.pk)
    return _form_page(
        request, form, title=_("Tambah penerima manfaat"), sponsor=program.sponsor, program=program
    )


@roles_required(ENROL_ROLES)
@require_http_methods(["GET", "POST"])
def program_upload(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    program = _program(request, code, program_id)
    posted = request.method == "POST"
    # Bound on every POST, even one without a file: the form then says which field is missing.
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    context: dict[str, Any] = {"program": program, "sponsor": program.sponsor, "form": form}
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("Berkas terlalu besar (maksimal 50 MB)."))
        else:
            try:
                report = sponsors.import_beneficiaries(
                    program=program,
                    content=upload.read(),
                    filename=upload.name or "",
                    dry_run=bool(form.cleaned_data["dry_run"]),
                    actor=request.user,
                )
            except sponsors.ImportFileError as exc:
                form.add_error("file", exc.reason)
            except RegistryError as exc:
                form.add_error(None, exc.message)
            else:
                context.update(
                    report=report,
                    report_id=report_store.save(
                        request,
                        session_key=UPLOAD_REPORTS_KEY,
                        owner={"program": program.pk},
                        rows=[i.as_row() for i in report.issues],
                    )
                    if report.issues
                    else "",
                    issues=report.issues[:REPORT_LINES_SHOWN],
                    issues_hidden=max(0, len(report.issues) - REPORT_LINES_SHOWN),
                    filename=upload.name,
                )
    return render(request, "contributions/sponsors/upload.html", context)


@roles_required(ENROL_ROLES)
@require_GET
def program_upload_report(
    request: HttpRequest, code: str, program_id: int, report_id: uuid.UUID, fmt: str
) -> HttpResponse:
    """The row report (``baris,kolom,kode,pesan``) of an upload of this session, as CSV or XLSX."""
    program = _program(request, code, program_id)
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    rows = report_store.load(
        request, session_key=UPLOAD_REPORTS_KEY, report_id=report_id, owner={"program": program.pk}
    )
    issues = [Issue(*row) for row in rows]
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        obj=program,
        changes={"upload_report": str(report_id), "format": fmt, "lines": len(issues)},
    )
    if fmt == "csv":
        response = HttpResponse(report_csv(issues), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(report_xlsx(issues), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="laporan-unggah-program-{program.pk}.{fmt}"'
    )
    return response


@roles_required(ENROL_ROLES)
@require_GET
def program_template(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    _program(request, code, program_id)
    response = HttpResponse(sponsors.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="templat-penerima-manfaat.csv"'
    return response


@roles_required(OFFICE_ROLES)
@require_POST
def program_end(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    program = _program(request, code, program_id)
    try:
        ended = sponsors.end_program(program=program, actor=request.user)
    except RegistryError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Program diakhiri: %(n)s kepesertaan berakhir.") % {"n": ended},
        )
    return redirect("contributions:program", code=code, program_id=program.pk)


# --------------------------------------------------------------------------- calculator and donor


@login_required
@require_GET
def budget(request: HttpRequest) -> HttpResponse:
    """The budget calculator (rules ``budget.sponsorship``); HTMX swaps in the result."""
    data = request.GET if request.GET else None
    form = BudgetForm(data, initial={"start_month": institution_today().replace(day=1)})
    result = None
    if form.is_bound and form.is_valid():
        kind = Sponsor.Kind(form.cleaned_data["kind"])
        try:
            result = sponsors.calculate_budget(
                workers=form.cleaned_data["workers"],
                months=form.cleaned_data["months"],
                start_month=form.cleaned_data["start_month"],
                government_funded=kind in Sponsor.GOVERNMENT_FUNDED,
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            result["workers"] = form.cleaned_data["workers"]
            result["rows"] = [
                {"amount": a, "total": t}
                for a, t in zip(result["per_worker"], result["per_month"], strict=True)
            ]
            result["government_funded"] = kind in Sponsor.GOVERNMENT_FUNDED
    context = {"form": form, "result": result}
    if request.headers.get("HX-Request"):
        return render(request, "contributions/sponsors/_budget_result.html", context)
    return render(request, "contributions/sponsors/budget.html", context)


@roles_required(DONOR_FORM_ROLES)
@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest) -> HttpResponse:
    """ "Lindungi Pekerja Sekitar Anda": a donor names 1-5 neighbours and a period. An officer fills
    it in on a donor's behalf (a new sponsor each time); a donor signed in as their own sponsor
    user (a person: ``sponsors.DONOR_KINDS``) fills it in for themselves."""
    today = institution_today()
    donor = None
    if role_of(request.user) == Role.SPONSOR_USER:
        donor = sponsors.own_sponsor(request.user)
        if donor is None or donor.kind not in sponsors.DONOR_KINDS:
            raise PermissionDenied(
                _("Formulir donatur hanya untuk donatur perorangan atau Bapak Asuh.")
            )
    form = DonorForm(
        request.POST or None,
        user=request.user,
        donor=donor,
        initial={
            "start_month": today.replace(day=1),
            "months": 12,
            "regency": donor.regency_id if donor is not None else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        if not form.neighbours:
            form.add_error("nik_0", _("Sebutkan sedikitnya satu tetangga."))
        else:
            data = form.cleaned_data
            try:
                donation = sponsors.sponsor_neighbours(
                    donor_name=data.get("donor_name") or "",
                    regency=data["regency"],
                    neighbours=form.neighbours,
                    start_month=data["start_month"],
                    months=data["months"],
                    contact_phone=data.get("contact_phone") or "",
                    contact_email=data.get("contact_email") or "",
                    actor=request.user,
                    sponsor=donor,
                )
            except RegistryError as exc:
                form.add_domain_error(exc)
            else:
                people = len(donation.beneficiaries)
                return render(
                    request,
                    "contributions/sponsors/donate_done.html",
                    {
                        "donation": donation,
                        "people": people,
                        "self_service": donor is not None,
                        "rows": [
                            {"amount": a, "total": a.total * people} for a in donation.per_worker
                        ],
                    },
                )
    example = sponsors.monthly_amount(today.replace(day=1), sponsors.income_minimum(today), False)
    return render(request, "contributions/sponsors/donate.html", {"form": form, "example": example})


urlpatterns: list[URLPattern] = [
    path("penyandang-dana/", sponsor_list, name="sponsors"),
    path("penyandang-dana/baru/", sponsor_create, name="sponsor-create"),
    path("penyandang-dana/anggaran/", budget, name="sponsor-budget"),
    path("lindungi-pekerja/", donate, name="donate"),
    path("penyandang-dana/<str:code>/", sponsor_detail, name="sponsor"),
    path("penyandang-dana/<str:code>/program/baru/", program_create, name="program-create"),
    path("penyandang-dana/<str:code>/program/<int:program_id>/", program_detail, name="program"),
    path(
        "penyandang-dana/<str:code>/program/<int:program_id>/penerima/baru/",
        program_enrol,
        name="program-enrol",
    ),
    path(
        "penyandang-dana/<str:code>/program/<int:program_id>/unggah/",
        program_upload,
        name="program-upload",
    ),
    path(
        "penyandang-dana/<str:code>/program/<int:program_id>/unggah/laporan/<uuid:report_id>.<str:fmt>",
        program_upload_report,
        name="program-upload-report",
    ),
    path(
        "penyandang-dana/<str:code>/program/<int:program_id>/templat.csv",
        program_template,
        name="program-template",
    ),
    path(
        "penyandang-dana/<str:code>/program/<int:program_id>/akhiri/",
        program_end,
        name="program-end",
    ),
]
