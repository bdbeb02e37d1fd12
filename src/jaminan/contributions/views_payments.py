"""Contributions screens: payments (see contributions/urls.py).

Thin views over :mod:`jaminan.contributions.payments` (reads scoped and audited; writes) and
:mod:`jaminan.contributions.bankfile`. URL names: ``contributions:payments`` (list),
``payment_create`` (entry form), ``bank_file`` (upload with a result per line),
``bank_file_result`` (the result as CSV), ``bank_file_template``, ``payer`` (a payer's page by
virtual account) and ``advance`` (BPU payment in advance, from the payer's page). A payer outside
the user's scope is a 404.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import PERSONAL_DATA_ROLES, Role
from jaminan.accounts.scoping import role_of
from jaminan.accounts.views import roles_required as accounts_roles_required
from jaminan.contributions import bankfile, payments, reversals
from jaminan.contributions.models import Payment
from jaminan.geo.zones import institution_today
from jaminan.registry.forms import RegistryForm, RupiahField, date_field
from jaminan.web import formatting

#: Who reads payers and payments (each limited by scope_queryset).
READ_ROLES = PERSONAL_DATA_ROLES
#: Who records payments, imports bank files and takes payments in advance.
WRITE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
PAYMENTS_PER_PAGE = 50
#: Result lines shown on the bank-file page (the download holds them all).
RESULT_LINES_SHOWN = 500
RESULT_KEPT_SECONDS = 24 * 60 * 60
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

View = Callable[..., HttpResponse]


def roles_required(roles: frozenset[Role]) -> Callable[[View], View]:
    return accounts_roles_required(roles, not_found=(payments.PayerNotFound,))


def _may_write(request: HttpRequest) -> bool:
    return role_of(request.user) in WRITE_ROLES


# ------------------------------------------------------------------------------------------------ forms


class PaymentFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Cari"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "placeholder": gettext_lazy("Referensi, VA, NPP atau KPJ"),
            }
        ),
    )
    dari = forms.DateField(
        label=gettext_lazy("Dari"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    sampai = forms.DateField(
        label=gettext_lazy("Sampai"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").replace("\x00", "").strip()


class _PaymentServiceForm(RegistryForm):
    def add_payment_error(self, exc: payments.PaymentError) -> None:
        """Put a payment service's refusal on the field it names (else on the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class PaymentForm(_PaymentServiceForm):
    """Manual entry of a payment by a branch officer."""

    payer = forms.CharField(
        label=gettext_lazy("Pembayar"),
        max_length=40,
        help_text=gettext_lazy("Nomor virtual account, NPP pemberi kerja atau nomor KPJ peserta."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    amount = RupiahField(label=gettext_lazy("Jumlah (Rp)"), min_value=1)
    paid_on = date_field(gettext_lazy("Tanggal bayar"))
    reference = forms.CharField(
        label=gettext_lazy("Referensi"),
        max_length=payments.REFERENCE_MAX,
        help_text=gettext_lazy(
            "Referensi unik dari bank; referensi yang sama tidak dicatat dua kali."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Catatan"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReversalForm(forms.Form):
    """Cancel a payment (no target) or move it to another payer, from the payer's page."""

    reason = forms.CharField(
        label=gettext_lazy("Alasan"),
        max_length=reversals.REASON_MAX,
        required=False,  # the service says so, on this field
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    move_to = forms.CharField(
        label=gettext_lazy("Pindahkan ke (VA, NPP atau KPJ; kosong = batalkan)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Saya yakin: semua alokasi pembayaran ini dibatalkan."),
        required=True,
        error_messages={"required": gettext_lazy("Centang konfirmasi untuk melanjutkan.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class BankFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas rekening koran (CSV atau XLSX)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Uji coba (periksa saja, tidak mencatat)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class AdvanceForm(_PaymentServiceForm):
    months = forms.TypedChoiceField(
        label=gettext_lazy("Jumlah bulan"),
        choices=[(m, m) for m in payments.ADVANCE_MONTHS],
        coerce=int,
    )
    paid_on = date_field(gettext_lazy("Tanggal bayar"))
    reference = forms.CharField(label=gettext_lazy("Referensi"), max_length=payments.REFERENCE_MAX)


# ------------------------------------------------------------------------------------------------ reads


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("halaman", "1")), 10_000_000))
    except ValueError:
        return 1


@roles_required(READ_ROLES)
@require_GET
def payment_list(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    filters: dict[str, Any] = {"q": "", "date_from": None, "date_to": None}
    if form.is_valid():
        filters = {
            "q": form.cleaned_data["q"],
            "date_from": form.cleaned_data["dari"],
            "date_to": form.cleaned_data["sampai"],
        }
    qs = payments.payments_in_scope(user=request.user, **filters)
    total = qs.count()
    pages = max(1, -(-total // PAYMENTS_PER_PAGE))
    page = min(_page_number(request), pages)
    start = (page - 1) * PAYMENTS_PER_PAGE
    rows = list(qs.select_related("payer")[start : start + PAYMENTS_PER_PAGE])
    payments.record_payment_list_view(
        user=request.user, context={**filters, "page": page, "shown": [p.pk for p in rows]}
    )
    query = request.GET.copy()
    query.pop("halaman", None)
    return render(
        request,
        "contributions/payments/list.html",
        {
            "form": form,
            "payments": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "query": query.urlencode(),
            "may_write": _may_write(request),
        },
    )


@roles_required(READ_ROLES)
@require_GET
def payer_view(request: HttpRequest, va: str) -> HttpResponse:
    return _payer_page(request, va)


def _payer_page(
    request: HttpRequest, va: str, advance_form: AdvanceForm | None = None
) -> HttpResponse:
    """A payer's page; ``advance_form`` a bound payment in advance form to show with its errors."""
    detail = payments.payer_detail(user=request.user, virtual_account=va)
    membership = payments.advance_membership(detail.payer) if _may_write(request) else None
    if membership is None:
        advance_form = None
    elif advance_form is None:
        advance_form = AdvanceForm(initial={"paid_on": institution_today(), "months": 3})
    return render(
        request,
        "contributions/payments/payer.html",
        {
            "detail": detail,
            "payer": detail.payer,
            "advance_membership": membership,
            "advance_form": advance_form,
            "may_write": _may_write(request),
            "reversal_form": ReversalForm() if _may_write(request) else None,
        },
    )


# ----------------------------------------------------------------------------------------------- writes


@roles_required(WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest) -> HttpResponse:
    initial = {"paid_on": institution_today(), "payer": request.GET.get("pembayar", "")[:40]}
    form = PaymentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payer = payments.find_payer(user=request.user, identifier=data["payer"])
            payment, created = payments.record_payment(
                payer=payer,
                reference=data["reference"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                channel=Payment.Channel.MANUAL,
                actor=request.user,
                note=data["note"],
            )
        except payments.PaymentError as exc:
            form.add_payment_error(exc)
        else:
            if created:
                messages.success(
                    request,
                    _("Pembayaran %(ref)s sebesar %(amount)s tercatat dan dialokasikan.")
                    % {"ref": payment.reference, "amount": formatting.rupiah(payment.amount)},
                )
            else:
                messages.info(
                    request,
                    _("Referensi %(ref)s sudah tercatat sebelumnya; tidak dicatat lagi.")
                    % {"ref": payment.reference},
                )
            return redirect("contributions:payer", va=payer.virtual_account)
    return render(request, "contributions/payments/form.html", {"form": form})


@roles_required(WRITE_ROLES)
@require_POST
def advance(request: HttpRequest, va: str) -> HttpResponse:
    payer = payments.payer_in_scope(user=request.user, virtual_account=va)
    membership = payments.advance_membership(payer)
    if membership is None:
        raise Http404(va)
    form = AdvanceForm(request.POST, user=request.user)
    if not form.is_valid():
        return _payer_page(request, payer.virtual_account, advance_form=form)
    data = form.cleaned_data
    try:
        done = payments.record_advance(
            membership=membership,
            months=data["months"],
            reference=data["reference"],
            paid_on=data["paid_on"],
            actor=request.user,
        )
    except payments.PaymentError as exc:
        form.add_payment_error(exc)
        return _payer_page(request, payer.virtual_account, advance_form=form)
    if done.created:
        bills = done.bills
        messages.success(
            request,
            _("Bayar di muka %(n)s bulan (%(first)s – %(last)s): %(amount)s tercatat.")
            % {
                "n": len(bills),
                "first": f"{bills[0].month:%m/%Y}" if bills else "",
                "last": f"{bills[-1].month:%m/%Y}" if bills else "",
                "amount": formatting.rupiah(done.payment.amount),
            },
        )
    else:
        messages.info(
            request,
            _(
                "Pembayaran dengan referensi %(ref)s sudah tercatat sebelumnya (%(amount)s, "
                "%(date)s); tidak dicatat lagi."
            )
            % {
                "ref": done.payment.reference,
                "amount": formatting.rupiah(done.payment.amount),
                "date": f"{done.payment.paid_on:%d/%m/%Y}",
            },
        )
    return redirect("contributions:payer", va=payer.virtual_account)


@roles_required(WRITE_ROLES)
@require_POST
def payment_reversal(request: HttpRequest, va: str, payment_id: int) -> HttpResponse:
    """Cancel or move one of the payer's payments (POST from the payer's page)."""
    payer = payments.payer_in_scope(user=request.user, virtual_account=va)
    payment = Payment.objects.filter(pk=payment_id, payer=payer).first()
    if payment is None:
        raise Http404(str(payment_id))
    form = ReversalForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{payment.reference}: {error}")
        return redirect("contributions:payer", va=payer.virtual_account)
    data = form.cleaned_data
    try:
        move_to = None
        if data["move_to"].strip():
            try:
                move_to = payments.find_payer(user=request.user, identifier=data["move_to"])
            except payments.PayerNotFound as exc:
                raise payments.PaymentError(exc.message, field="move_to") from exc
        reversal = reversals.reverse_payment(
            payment=payment, reason=data["reason"], actor=request.user, move_to=move_to
        )
    except payments.PaymentError as exc:
        messages.error(request, f"{payment.reference}: {exc.message}")
        return redirect("contributions:payer", va=payer.virtual_account)
    except PermissionError as exc:
        raise PermissionDenied from exc
    if reversal.moved_to is not None:
        messages.success(
            request,
            _("Pembayaran %(ref)s (%(amount)s) dipindahkan ke %(va)s dan dialokasikan di sana.")
            % {
                "ref": payment.reference,
                "amount": formatting.rupiah(payment.amount),
                "va": reversal.moved_to.virtual_account,
            },
        )
    else:
        messages.success(
            request,
            _("Pembayaran %(ref)s (%(amount)s) dibatalkan; tagihannya dibuka kembali.")
            % {"ref": payment.reference, "amount": formatting.rupiah(payment.amount)},
        )
    return redirect("contributions:payer", va=payer.virtual_account)


# -------------------------------------------------------------------------------------------- bank file


def _result_dir() -> Path:
    return Path(getattr(settings, "BANK_FILE_RESULT_DIR", settings.VAR_DIR / "bank-file-results"))


def _save_result(request: HttpRequest, report: bankfile.BankFileReport) -> str:
    result_id = str(uuid.uuid4())
    directory = _result_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stale = time.time() - RESULT_KEPT_SECONDS
    for old in directory.glob("*.json"):
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    (directory / f"{result_id}.json").write_text(
        json.dumps([list(line.as_row()) for line in report.lines], ensure_ascii=False),
        encoding="utf-8",
    )
    ids = request.session.get("bank_file_results", [])
    request.session["bank_file_results"] = [*ids[-19:], result_id]
    return result_id


@roles_required(WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def bank_file(request: HttpRequest) -> HttpResponse:
    form = BankFileForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("Berkas terlalu besar (maksimal 20 MB)."))
        else:
            try:
                report = bankfile.import_bank_file(
                    content=upload.read(),
                    filename=upload.name or "",
                    dry_run=bool(form.cleaned_data["dry_run"]),
                    actor=request.user,
                )
            except bankfile.BankFileError as exc:
                form.add_error("file", exc.reason)
            else:
                context.update(
                    report=report,
                    result_id=_save_result(request, report),
                    lines=report.lines[:RESULT_LINES_SHOWN],
                    lines_hidden=max(0, len(report.lines) - RESULT_LINES_SHOWN),
                    filename=upload.name,
                )
    return render(request, "contributions/payments/bank_file.html", context)


@roles_required(WRITE_ROLES)
@require_GET
def bank_file_result(request: HttpRequest, result_id: uuid.UUID) -> HttpResponse:
    if str(result_id) not in request.session.get("bank_file_results", []):
        raise Http404(str(result_id))
    try:
        rows = json.loads((_result_dir() / f"{result_id}.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise Http404(str(result_id)) from exc
    lines = [bankfile.LineResult(*row) for row in rows]
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        object_type=Payment._meta.label,
        object_repr="hasil impor rekening koran",
        changes={"bank_file_result": str(result_id), "lines": len(lines)},
    )
    response = HttpResponse(bankfile.result_csv(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hasil-rekening-koran-{result_id}.csv"'
    return response


@roles_required(WRITE_ROLES)
@require_GET
def bank_file_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(bankfile.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="templat-rekening-koran.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("pembayaran/", payment_list, name="payments"),
    path("pembayaran/baru/", payment_create, name="payment_create"),
    path("pembayaran/rekening-koran/", bank_file, name="bank_file"),
    path("pembayaran/rekening-koran/templat.csv", bank_file_template, name="bank_file_template"),
    path(
        "pembayaran/rekening-koran/hasil/<uuid:result_id>.csv",
        bank_file_result,
        name="bank_file_result",
    ),
    re_path(r"^pembayar/(?P<va>[0-9]{16})/$", payer_view, name="payer"),
    re_path(r"^pembayar/(?P<va>[0-9]{16})/bayar-di-muka/$", advance, name="advance"),
    re_path(
        r"^pembayar/(?P<va>[0-9]{16})/pembayaran/(?P<payment_id>[0-9]{1,18})/batalkan/$",
        payment_reversal,
        name="payment_reversal",
    ),
]
