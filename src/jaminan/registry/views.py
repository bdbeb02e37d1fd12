"""Registry screens: thin views over :mod:`selectors` (reads, scoped and audited) and :mod:`services`
(writes). A :class:`~jaminan.registry.errors.NotFound` from a selector is a 404, whatever the reason
(absent or outside the user's scope)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import PERSONAL_DATA_ROLES, STAFF_ROLES, Role
from jaminan.accounts.scoping import role_of
from jaminan.accounts.views import roles_required as accounts_roles_required
from jaminan.registry import imports, panels, report_store, selectors, services
from jaminan.registry.errors import NotFound, RegistryError
from jaminan.registry.forms import (
    FORMS,
    BpuWorkerForm,
    DependantForm,
    EmployerForm,
    EndMembershipForm,
    ImportForm,
    MembershipForm,
    PmiWorkerForm,
    ProjectForm,
    PuWorkerForm,
    RegistryForm,
    SearchForm,
    WageForm,
)
from jaminan.registry.models import Employer, Membership, Participant, Sex
from jaminan.registry.nik import parse_nik
from jaminan.web import formatting

#: Who may read the registry screens (each still limited by scope_queryset).
READ_ROLES = STAFF_ROLES | {Role.EMPLOYER_USER}
#: Who registers employers and BPU participants: the branch office (and administrators).
OFFICE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
#: Who registers workers and projects on an employer they can see: the office, and the employer itself.
EMPLOYER_ROLES = OFFICE_ROLES | {Role.EMPLOYER_USER}
#: Persons and employers listed per search.
SEARCH_LIMIT = 20
#: Workers listed per page on the employer page.
WORKERS_PER_PAGE = 50
#: Report lines shown on the import page (the download holds them all).
REPORT_LINES_SHOWN = 500
#: Largest worker list accepted through the browser (the command line has no limit).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

View = Callable[..., HttpResponse]


def roles_required(roles: frozenset[Role]) -> Callable[[View], View]:
    return accounts_roles_required(roles, not_found=(NotFound,))


def _may(request: HttpRequest, roles: frozenset[Role]) -> bool:
    return role_of(request.user) in roles


# ------------------------------------------------------------------------------------------------ reads


@roles_required(READ_ROLES | PERSONAL_DATA_ROLES)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    result = selectors.search(user=request.user, q=q, limit=SEARCH_LIMIT) if q else None
    context = {
        "form": form,
        "q": q,
        "limit": SEARCH_LIMIT,
        "result": result,
        "may_register_employer": _may(request, OFFICE_ROLES),
        "may_register_bpu": _may(request, OFFICE_ROLES),
        "may_register_pmi": _may(request, OFFICE_ROLES),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "search-results":
        return render(request, "registry/_search_results.html", context)
    return render(request, "registry/search.html", context)


@roles_required(READ_ROLES | PERSONAL_DATA_ROLES)
@require_GET
def person(request: HttpRequest, kpj: str) -> HttpResponse:
    detail = selectors.person_detail(user=request.user, kpj=kpj)
    return render(
        request,
        "registry/person.html",
        {
            "detail": detail,
            "may_change": _may(request, EMPLOYER_ROLES),
            "panels": panels.person_panels(request, detail),
        },
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("halaman", "1")))
    except ValueError:
        return 1


@roles_required(READ_ROLES)
@require_GET
def employer(request: HttpRequest, npp: str) -> HttpResponse:
    detail = selectors.employer_detail(user=request.user, npp=npp)
    page = _page_number(request)
    pages = max(1, -(-detail.active_workers // WORKERS_PER_PAGE))
    page = min(page, pages)
    start = (page - 1) * WORKERS_PER_PAGE
    workers = list(detail.workers[start : start + WORKERS_PER_PAGE])
    return render(
        request,
        "registry/employer.html",
        {
            "detail": detail,
            "employer": detail.employer,
            "workers": workers,
            "page": page,
            "pages": pages,
            "first_row": start + 1,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "may_register": _may(request, EMPLOYER_ROLES),
        },
    )


# ----------------------------------------------------------------------------------------------- writes


def _form_page(
    request: HttpRequest, form: RegistryForm, *, title: str, employer: Employer | None = None
) -> HttpResponse:
    return render(
        request, "registry/form.html", {"form": form, "title": title, "employer": employer}
    )


@roles_required(OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def employer_create(request: HttpRequest) -> HttpResponse:
    form = EmployerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.register_employer(**form.cleaned_data, actor=request.user)
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Pemberi kerja %(name)s terdaftar dengan NPP %(npp)s.")
                % {"name": created.name, "npp": created.npp},
            )
            return redirect("registry:employer", npp=created.npp)
    return _form_page(request, form, title=_("Pendaftaran pemberi kerja"))


@roles_required(EMPLOYER_ROLES)
@require_http_methods(["GET", "POST"])
def pu_worker_create(request: HttpRequest, npp: str) -> HttpResponse:
    the_employer = selectors.employer_in_scope(user=request.user, npp=npp)
    form = PuWorkerForm(request.POST or None, user=request.user, employer=the_employer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.register_pu_worker(
                employer=the_employer,
                person=form.person_facts(),
                wage=data["wage"],
                start_date=data["start_date"],
                programs=data["programs"] or None,
                actor=request.user,
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            participant = membership.participant
            messages.success(
                request,
                _("%(name)s terdaftar sebagai pekerja %(employer)s dengan nomor KPJ %(kpj)s.")
                % {
                    "name": participant.person.name,
                    "employer": the_employer.name,
                    "kpj": participant.kpj_number,
                },
            )
            return redirect("registry:employer", npp=the_employer.npp)
    return _form_page(
        request, form, title=_("Pendaftaran pekerja penerima upah (PU)"), employer=the_employer
    )


def _registered(request: HttpRequest, membership: Membership, message: str) -> HttpResponse:
    """After a registration: ``message`` (with ``%(name)s`` and ``%(kpj)s``) on the person page."""
    participant = membership.participant
    messages.success(
        request, message % {"name": participant.person.name, "kpj": participant.kpj_number}
    )
    return redirect("registry:person", kpj=participant.kpj_number)


@roles_required(OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def bpu_worker_create(request: HttpRequest) -> HttpResponse:
    form = BpuWorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.register_bpu_worker(
                person=form.person_facts(),
                declared_income=data["declared_income"],
                programs=form.programs(),
                payer=data["payer"],
                start_date=data.get("start_date"),
                actor=request.user,
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            return _registered(
                request,
                membership,
                _(
                    "%(name)s terdaftar sebagai peserta bukan penerima upah (BPU) dengan nomor KPJ %(kpj)s."
                ),
            )
    return _form_page(request, form, title=_("Pendaftaran peserta bukan penerima upah (BPU)"))


@roles_required(OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def pmi_worker_create(request: HttpRequest) -> HttpResponse:
    form = PmiWorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.register_pmi_worker(
                person=form.person_facts(),
                destination=data["destination"],
                contract_months=data["contract_months"],
                start_date=data["start_date"],
                programs=form.programs(),
                jht_monthly=data.get("jht_monthly"),
                actor=request.user,
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            return _registered(
                request,
                membership,
                _(
                    "%(name)s terdaftar sebagai Pekerja Migran Indonesia (PMI) dengan nomor KPJ %(kpj)s."
                ),
            )
    return _form_page(request, form, title=_("Pendaftaran Pekerja Migran Indonesia (PMI)"))


@roles_required(EMPLOYER_ROLES)
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest, npp: str) -> HttpResponse:
    contractor = selectors.employer_in_scope(user=request.user, npp=npp)
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.register_project(
                contractor=contractor, **form.cleaned_data, actor=request.user
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Proyek %(name)s terdaftar.") % {"name": project.name})
            return redirect("registry:employer", npp=contractor.npp)
    return _form_page(
        request, form, title=_("Pendaftaran proyek jasa konstruksi"), employer=contractor
    )


# ------------------------------------------------------------------ a participant's memberships and family

#: ``?kembali=pemberi-kerja``: after the change go back to the membership's employer page.
BACK_TO_EMPLOYER = "pemberi-kerja"


def _participant_form_page(
    request: HttpRequest,
    form: RegistryForm,
    *,
    title: str,
    participant: Participant,
    membership: Membership | None = None,
    submit: str,
    back: str,
) -> HttpResponse:
    """Render a form about one participant; showing the person's name and membership is a read of
    personal data, audited (VIEW) like the person page."""
    selectors.record_person_list_view(
        user=request.user,
        persons=[participant.person],
        context={"kpj": participant.kpj_number, "form": form.form_name},
    )
    return render(
        request,
        "registry/participant_form.html",
        {
            "form": form,
            "title": title,
            "participant": participant,
            "membership": membership,
            "submit": submit,
            "back": back,
        },
    )


def _back_url(request: HttpRequest, membership: Membership) -> str:
    if request.GET.get("kembali") == BACK_TO_EMPLOYER and membership.employer is not None:
        return reverse("registry:employer", args=[membership.employer.npp])
    return reverse("registry:person", args=[membership.participant.kpj_number])


@roles_required(EMPLOYER_ROLES)
@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, kpj: str, membership_id: int) -> HttpResponse:
    """End an active membership (date and reason); back to the person or the employer page."""
    membership = selectors.membership_of_participant(
        user=request.user, kpj=kpj, membership_id=membership_id
    )
    form = EndMembershipForm(request.POST or None, user=request.user, membership=membership)
    back = _back_url(request, membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.end_membership(
                membership=membership,
                end_date=data["end_date"],
                reason=data["reason"],
                actor=request.user,
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Kepesertaan %(segment)s %(name)s berakhir pada %(date)s (%(reason)s).")
                % {
                    "segment": membership.segment,
                    "name": membership.participant.person.name,
                    "date": formatting.long_date(data["end_date"]),
                    "reason": Membership.EndReason(data["reason"]).label,
                },
            )
            return redirect(back)
    return _participant_form_page(
        request,
        form,
        title=_("Akhiri kepesertaan"),
        participant=membership.participant,
        membership=membership,
        submit=_("Akhiri kepesertaan"),
        back=back,
    )


@roles_required(EMPLOYER_ROLES)
@require_http_methods(["GET", "POST"])
def wage_report(request: HttpRequest, kpj: str, membership_id: int) -> HttpResponse:
    """Report a new monthly wage (PU) or declared income (BPU) in force from a month."""
    membership = selectors.membership_of_participant(
        user=request.user, kpj=kpj, membership_id=membership_id
    )
    if membership.segment not in (Membership.Segment.PU, Membership.Segment.BPU):
        raise Http404(_("Upah hanya dilaporkan untuk kepesertaan PU atau BPU."))
    form = WageForm(request.POST or None, user=request.user, membership=membership)
    back = _back_url(request, membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wage = services.report_wage(
                membership=membership,
                month=data["month"],
                amount=data["amount"],
                actor=request.user,
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Upah %(amount)s berlaku mulai %(month)s dicatat untuk %(name)s.")
                % {
                    "amount": formatting.rupiah(wage.amount),
                    "month": formatting.long_date(wage.effective_month),
                    "name": membership.participant.person.name,
                },
            )
            return redirect(back)
    return _participant_form_page(
        request,
        form,
        title=_("Laporkan upah"),
        participant=membership.participant,
        membership=membership,
        submit=_("Simpan upah"),
        back=back,
    )


@roles_required(EMPLOYER_ROLES)
@require_http_methods(["GET", "POST"])
def dependant_create(request: HttpRequest, kpj: str) -> HttpResponse:
    """Add a spouse, child or parent to a participant."""
    participant = selectors.participant_in_scope(user=request.user, kpj=kpj)
    form = DependantForm(request.POST or None, user=request.user)
    back = reverse("registry:person", args=[participant.kpj_number])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dependant = services.add_dependant(
                participant=participant,
                name=data["name"],
                relation=data["relation"],
                birth_date=data["birth_date"],
                nik=data["nik"],
                school_level=data["school_level"] or "",
                actor=request.user,
            )
        except RegistryError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("%(name)s ditambahkan sebagai tanggungan (%(relation)s).")
                % {"name": dependant.name, "relation": dependant.get_relation_display()},
            )
            return redirect(back)
    return _participant_form_page(
        request,
        form,
        title=_("Tambah tanggungan"),
        participant=participant,
        submit=_("Tambahkan"),
        back=back,
    )


FORM_ROLES = {
    "employer": OFFICE_ROLES,
    "bpu": OFFICE_ROLES,
    "pmi": OFFICE_ROLES,
    "pu": EMPLOYER_ROLES,
    "project": EMPLOYER_ROLES,
    "end": EMPLOYER_ROLES,
    "wage": EMPLOYER_ROLES,
    "dependant": EMPLOYER_ROLES,
}


@login_required
@require_POST
def validate(
    request: HttpRequest,
    form_name: str,
    npp: str | None = None,
    membership_id: int | None = None,
) -> HttpResponse:
    """Inline (HTMX) check of one field: the whole form is posted, the field's errors come back."""
    form_class = FORMS.get(form_name)
    if form_class is None:
        raise Http404(form_name)
    if role_of(request.user) not in FORM_ROLES[form_name]:
        raise PermissionDenied
    kwargs: dict[str, Any] = {"user": request.user}
    try:
        if form_class is PuWorkerForm and npp is not None:
            kwargs["employer"] = selectors.employer_in_scope(user=request.user, npp=npp)
        if issubclass(form_class, MembershipForm) and membership_id is not None:
            kwargs["membership"] = selectors.membership_in_scope(
                user=request.user, membership_id=membership_id
            )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = form_class(request.POST, **kwargs)
    name = request.POST.get("_field", "")
    if name not in form.fields:
        raise Http404(name)
    errors = form.field_errors(name)
    hint = ""
    if name == "nik" and not errors:
        info = parse_nik(form.cleaned_data["nik"])
        if info.birth_date is not None:
            hint = _("NIK sah: %(sex)s, lahir %(date)s.") % {
                "sex": Sex(info.sex).label,
                "date": formatting.long_date(info.birth_date),
            }
    return render(
        request,
        "registry/_field_error.html",
        {"field": form[name], "errors": errors, "checked": True, "hint": hint},
    )


# ----------------------------------------------------------------------------------------------- import


IMPORT_REPORTS_KEY = "registry_import_reports"


@roles_required(EMPLOYER_ROLES)
@require_http_methods(["GET", "POST"])
def import_workers(request: HttpRequest, npp: str) -> HttpResponse:
    the_employer = selectors.employer_in_scope(user=request.user, npp=npp)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"employer": the_employer, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = bool(form.cleaned_data["dry_run"])
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("Berkas terlalu besar (maksimal 50 MB)."))
        else:
            try:
                report = imports.import_workers(
                    employer=the_employer,
                    content=upload.read(),
                    filename=upload.name or "",
                    dry_run=dry_run,
                    actor=request.user,
                )
            except imports.ImportFileError as exc:
                form.add_error("file", exc.reason)
            else:
                context.update(
                    report=report,
                    report_id=report_store.save(
                        request,
                        session_key=IMPORT_REPORTS_KEY,
                        owner={"npp": report.employer_npp},
                        rows=[i.as_row() for i in report.issues],
                    ),
                    issues=report.issues[:REPORT_LINES_SHOWN],
                    issues_hidden=max(0, len(report.issues) - REPORT_LINES_SHOWN),
                    filename=upload.name,
                )
    return render(request, "registry/import.html", context)


def _download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@roles_required(EMPLOYER_ROLES)
@require_GET
def import_template(request: HttpRequest, npp: str, fmt: str) -> HttpResponse:
    selectors.employer_in_scope(user=request.user, npp=npp)
    if fmt == "csv":
        return _download(imports.template_csv(), fmt, "templat-pekerja")
    if fmt == "xlsx":
        return _download(imports.template_xlsx(), fmt, "templat-pekerja")
    raise Http404(fmt)


@roles_required(EMPLOYER_ROLES)
@require_GET
def import_report(request: HttpRequest, npp: str, report_id: uuid.UUID, fmt: str) -> HttpResponse:
    the_employer = selectors.employer_in_scope(user=request.user, npp=npp)
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    rows = report_store.load(
        request,
        session_key=IMPORT_REPORTS_KEY,
        report_id=report_id,
        owner={"npp": the_employer.npp},
    )
    issues = [imports.Issue(*row) for row in rows]
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        obj=the_employer,
        changes={"import_report": str(report_id), "format": fmt, "lines": len(issues)},
    )
    content = imports.report_csv(issues) if fmt == "csv" else imports.report_xlsx(issues)
    return _download(content, fmt, f"laporan-impor-{the_employer.npp}")
