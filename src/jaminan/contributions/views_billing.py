"""Contributions screens: bills (list, detail, PDF), arrears per office, billing runs.

Thin views over :mod:`jaminan.contributions.bills` and :mod:`~jaminan.contributions.arrears`
(reads, scoped and audited) and :mod:`~jaminan.contributions.runs` (starting a run). A bill
outside the user's scope is a 404. URL names: ``contributions:bills``, ``bill``, ``bill_pdf``,
``arrears``, ``arrears_export``, ``runs``, ``runs_table``, ``runs_totals``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import PERSONAL_DATA_ROLES, STAFF_ROLES, Role
from jaminan.accounts.scoping import role_of
from jaminan.accounts.views import roles_required as accounts_roles_required
from jaminan.contributions import arrears, bills, runs
from jaminan.contributions.billing import lock_is_stale
from jaminan.contributions.models import Bill, PayerAccount
from jaminan.geo.models import Office
from jaminan.geo.zones import institution_today
from jaminan.registry.models import Membership
from jaminan.web.pdf import render_pdf

#: Who reads bills (each limited by scope_queryset): everyone with personal-data rights.
BILL_ROLES = PERSONAL_DATA_ROLES
#: Who reads arrears and billing runs: the back office.
STAFF = STAFF_ROLES
#: Who starts a billing run.
RUN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
BILLS_PER_PAGE = 50
MEMBERS_PER_PAGE = 50
#: Membership rows printed on a PDF bill (the rest is counted).
PDF_MEMBER_ROWS = 40
#: Memberships listed on the arrears page (the export holds them all).
ARREARS_LISTED = 200
RUNS_LISTED = 30
#: After a start, the runs table is polled this long even before the run's row appears.
PENDING_SECONDS = 30

View = Callable[..., HttpResponse]


def roles_required(roles: frozenset[Role]) -> Callable[[View], View]:
    return accounts_roles_required(roles, not_found=(bills.NotFound,))


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("halaman", "1")), 10_000_000))
    except ValueError:
        return 1


def _names_a_filter(request: HttpRequest) -> bool:
    """Whether the query names a filter (the page number alone does not)."""
    return any(key != "halaman" for key in request.GET)


# ------------------------------------------------------------------------------------------- forms


class MonthField(forms.CharField):
    """``YYYY-MM`` (an ``<input type=month>``) → the first day of the month (not before the rules'
    first month: ``bills.parse_month``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "month", "class": "form-control"})
        )
        super().__init__(max_length=7, **kwargs)

    def clean(self, value: Any) -> date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return bills.parse_month(text)
        except bills.InvalidFilter as exc:
            raise forms.ValidationError(exc.message, code="invalid_month") from exc


def _office_choices(user: Any, blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(o.code, o.name) for o in bills.offices_for_filter(user)]


class BillFilterForm(forms.Form):
    month = MonthField(label=gettext_lazy("Bulan"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("semua")), *list(Bill.Status.choices)],
    )
    segment = forms.ChoiceField(
        label=gettext_lazy("Segmen"),
        required=False,
        choices=[("", gettext_lazy("semua")), *list(Membership.Segment.choices)],
    )
    office = forms.ChoiceField(
        label=gettext_lazy("Kantor cabang"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Kode kantor tidak dikenal: %(value)s")},
    )
    payer = forms.CharField(
        label=gettext_lazy("Pembayar (VA, NPP, KPJ, kode)"), required=False, max_length=40
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.attrs["min"] = f"{bills.first_billable_month():%Y-%m}"
        cast(forms.ChoiceField, self.fields["office"]).choices = _office_choices(user, _("semua"))
        for name in ("status", "segment", "office"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["payer"].widget.attrs["class"] = "form-control"

    def filters(self) -> bills.BillFilters:
        """The valid filters (an invalid one, e.g. a bad month, is left out and shown as an error)."""
        self.is_valid()
        data = self.cleaned_data
        return bills.BillFilters(
            month=data.get("month"),
            status=data.get("status") or "",
            segment=data.get("segment") or "",
            office=data.get("office") or "",
            payer=(data.get("payer") or "").strip(),
        )

    @staticmethod
    def query(filters: bills.BillFilters) -> str:
        """The filters in effect as a query string, for the pagination links: a defaulted month is
        kept, and an empty month (every month) is given explicitly."""
        params = {
            "month": f"{filters.month:%Y-%m}" if filters.month else "",
            "status": filters.status,
            "segment": filters.segment,
            "office": filters.office,
            "payer": filters.payer,
        }
        return urlencode({k: v for k, v in params.items() if v or k == "month"})


class RunForm(forms.Form):
    month = MonthField(label=gettext_lazy("Bulan iuran"), required=True)
    office = forms.ChoiceField(label=gettext_lazy("Kantor cabang"), required=False)
    reason = forms.CharField(
        label=gettext_lazy("Alasan"),
        max_length=runs.MAX_REASON,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.attrs.update(
            min=f"{bills.first_billable_month():%Y-%m}",
            max=f"{runs.latest_billable_month():%Y-%m}",
        )
        choices = _office_choices(user, _("semua kantor"))
        scope = getattr(user, "scope", None)
        own = getattr(scope, "office", None) if scope is not None else None
        if own is not None and own.kind != "regional":
            choices = choices[1:]  # a branch officer runs its own office only
            self.fields["office"].required = True
        cast(forms.ChoiceField, self.fields["office"]).choices = choices
        self.fields["office"].widget.attrs["class"] = "form-select"


class ArrearsForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("Per tanggal"),
        required=False,
        widget=forms.DateInput(
            attrs={
                "type": "date",
                "class": "form-control",
                "min": "2000-01-01",
                "max": "2100-12-31",
            }
        ),
    )
    office = forms.ChoiceField(label=gettext_lazy("Kantor cabang"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["office"]).choices = _office_choices(user, _("semua"))
        self.fields["office"].widget.attrs["class"] = "form-select"

    def clean_as_of(self) -> date | None:
        value: date | None = self.cleaned_data.get("as_of")
        if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise forms.ValidationError(
                _("Tanggal harus antara 2000 dan 2100."), code="as_of_out_of_range"
            )
        return value

    def values(self) -> tuple[date, Office | None]:
        today = institution_today()
        # An unbound form (the page opened without a query) has no cleaned data: defaults.
        cleaned = self.cleaned_data if self.is_bound and self.is_valid() else {}
        code = cleaned.get("office") or ""
        office = Office.objects.filter(code=code).first() if code else None
        return cleaned.get("as_of") or today, office


# ------------------------------------------------------------------------------------------- bills


@roles_required(BILL_ROLES)
@require_GET
def bill_list(request: HttpRequest) -> HttpResponse:
    default_month = None
    filtered = _names_a_filter(request)
    if not filtered and role_of(request.user) in STAFF_ROLES:
        # Opened without a filter: staff see the latest billed month (the month field emptied and
        # submitted lists every month).
        default_month = bills.latest_billed_month(request.user)
    form = BillFilterForm(
        request.GET if filtered else None,
        user=request.user,
        initial={"month": f"{default_month:%Y-%m}"} if default_month else None,
    )
    filters = form.filters() if filtered else bills.BillFilters(month=default_month)
    qs = bills.bills_in_scope(user=request.user, filters=filters)
    count = qs.count()
    pages = max(1, -(-count // BILLS_PER_PAGE))
    page = min(_page_number(request), pages)
    start = (page - 1) * BILLS_PER_PAGE
    shown = list(qs[start : start + BILLS_PER_PAGE])
    bills.record_bill_list_view(user=request.user, filters=filters, shown=shown)
    return render(
        request,
        "contributions/billing/bills.html",
        {
            "form": form,
            "bills": shown,
            "count": count,
            "default_month": default_month,
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "query": form.query(filters),
        },
    )


@roles_required(BILL_ROLES)
@require_GET
def bill_view(request: HttpRequest, bill_id: int) -> HttpResponse:
    detail = bills.bill_detail(
        user=request.user,
        bill_id=bill_id,
        offset=(_page_number(request) - 1) * MEMBERS_PER_PAGE,
        limit=MEMBERS_PER_PAGE,
        clamp=True,  # a page past the last shows the last, as the bill list does
    )
    page = detail.member_offset // MEMBERS_PER_PAGE + 1
    pages = max(1, -(-detail.members // MEMBERS_PER_PAGE))
    return render(
        request,
        "contributions/billing/bill.html",
        {
            "detail": detail,
            "bill": detail.bill,
            "page": page,
            "pages": pages,
            "first_row": detail.member_offset + 1,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
        },
    )


def bill_pdf_bytes(detail: bills.BillDetail, request: HttpRequest | None = None) -> bytes:
    """The payer's PDF bill, in Indonesian whatever the screen language (``Rp1.786.176.000``)."""
    with translation.override("id"):
        return render_pdf(
            "contributions/billing/bill_pdf.html",
            {"detail": detail, "bill": detail.bill, "printed_on": timezone.localdate()},
            request=request,
        )


@roles_required(BILL_ROLES)
@require_GET
def bill_pdf(request: HttpRequest, bill_id: int) -> HttpResponse:
    detail = bills.bill_detail(
        user=request.user,
        bill_id=bill_id,
        limit=PDF_MEMBER_ROWS,
        audit_action=AuditEvent.Action.EXPORT,
    )
    response = HttpResponse(bill_pdf_bytes(detail, request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tagihan-{detail.bill.number}.pdf"'
    return response


# ----------------------------------------------------------------------------------------- arrears


@roles_required(STAFF)
@require_GET
def arrears_view(request: HttpRequest) -> HttpResponse:
    form = ArrearsForm(request.GET or None, user=request.user)
    as_of, office = form.values()
    result = arrears.aging(user=request.user, as_of=as_of, office=office)
    rows = list(
        arrears.memberships_in_arrears(user=request.user, as_of=as_of, office=office)[
            : ARREARS_LISTED + 1
        ]
    )
    members = arrears.with_memberships(rows[:ARREARS_LISTED])
    payer_rows = list(
        arrears.payers_in_arrears(user=request.user, as_of=as_of, office=office)[
            : ARREARS_LISTED + 1
        ]
    )
    payers = arrears.with_payers(payer_rows[:ARREARS_LISTED])
    if payers:
        audit.record(
            action=AuditEvent.Action.VIEW,
            actor=request.user,
            object_type=PayerAccount._meta.label,
            object_repr=f"{len(payers)} pembayar menunggak",
            changes={
                "as_of": as_of.isoformat(),
                "office": office.code if office else "",
                "payers": [p.payer.virtual_account for p in payers],
            },
        )
    if members:
        audit.record(
            action=AuditEvent.Action.VIEW,
            actor=request.user,
            object_type=Membership._meta.label,
            object_repr=f"{len(members)} kepesertaan menunggak",
            changes={
                "as_of": as_of.isoformat(),
                "office": office.code if office else "",
                "memberships": [m.membership.pk for m in members],
            },
        )
    return render(
        request,
        "contributions/billing/arrears.html",
        {
            "form": form,
            "aging": result,
            "buckets": [arrears.BUCKET_LABELS[b] for b in arrears.BUCKETS],
            "members": members,
            "more_members": len(rows) > ARREARS_LISTED,
            "payers": payers,
            "more_payers": len(payer_rows) > ARREARS_LISTED,
            "over": arrears.ARREARS_CONSEQUENCE_MONTHS,
            "as_of": as_of,
            "office": office,
            "query": request.GET.urlencode(),
        },
    )


@roles_required(STAFF)
@require_GET
def arrears_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    form = ArrearsForm(request.GET or None, user=request.user)
    as_of, office = form.values()
    result = arrears.aging(user=request.user, as_of=as_of, office=office)
    members = arrears.with_memberships(
        list(arrears.memberships_in_arrears(user=request.user, as_of=as_of, office=office))
    )
    payers = arrears.with_payers(
        list(arrears.payers_in_arrears(user=request.user, as_of=as_of, office=office))
    )
    tables = {
        "umur_tunggakan": arrears.aging_table(result),
        "menunggak_lebih_3_bulan": arrears.members_table(members),
        "pembayar_menunggak_lebih_3_bln": arrears.payers_table(payers),
    }
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        object_type=Bill._meta.label,
        object_repr=f"tunggakan per {as_of.isoformat()}",
        changes={
            "as_of": as_of.isoformat(),
            "office": office.code if office else "",
            "format": fmt,
            "payers": len(payers),
            "memberships": len(members),
        },
    )
    if fmt == "csv":
        content, content_type = arrears.to_csv(tables), "text/csv; charset=utf-8"
    else:
        content = arrears.to_xlsx(tables)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="tunggakan-{as_of.isoformat()}.{fmt}"'
    return response


# -------------------------------------------------------------------------------------------- runs


def _runs_context(request: HttpRequest) -> dict[str, Any]:
    held = bills.held_locks()
    # A run killed outright is shown interrupted, with the totals of the offices it committed.
    listed = bills.runs_as_they_stand(
        bills.runs_in_scope(user=request.user)[:RUNS_LISTED], locks=held
    )
    locks = [(lock, lock_is_stale(lock)) for lock in held]
    started = float(request.session.get("billing_run_started", 0))
    # Just started: the run's row may not exist yet; keep polling a little while.
    pending = time.time() - started < PENDING_SECONDS
    return {
        "runs": listed,
        "locks": locks,
        "pending": pending,
        # The table is polled only while a run was just started or is really going: a lock that
        # is not stale (the run may be outside the user's scope). A killed run's stale lock is not.
        "polling": pending or any(not stale for _lock, stale in locks),
    }


@roles_required(STAFF)
@require_http_methods(["GET", "POST"])
def runs_view(request: HttpRequest) -> HttpResponse:
    may_start = role_of(request.user) in RUN_ROLES
    form = RunForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"month": f"{institution_today():%Y-%m}"},
    )
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied
        if form.is_valid():
            code = form.cleaned_data.get("office") or ""
            office = Office.objects.filter(code=code).first() if code else None
            try:
                started = runs.start_billing_run(
                    month=form.cleaned_data["month"],
                    office=office,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except runs.RunRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                request.session["billing_run_started"] = time.time()
                messages.success(
                    request,
                    _("Penagihan bulan %(month)s dimulai (proses %(pid)s).")
                    % {"month": f"{started.month:%Y-%m}", "pid": started.pid},
                )
                return redirect("contributions:runs")
    return render(
        request,
        "contributions/billing/runs.html",
        {"form": form, "may_start": may_start, **_runs_context(request)},
    )


@roles_required(STAFF)
@require_GET
def runs_table(request: HttpRequest) -> HttpResponse:
    """The runs table alone, polled by the runs page (HTMX) while a run is going."""
    return render(request, "contributions/billing/_runs_table.html", _runs_context(request))


@roles_required(STAFF)
@require_GET
def runs_totals(request: HttpRequest) -> HttpResponse:
    """The control totals (bills, lines, amount) of the months of the listed runs, as
    ``jaminan billing totals`` gives them; loaded once by the runs page, not polled (a month's
    totals count its lines). Three queries a month, :data:`bills.TOTALS_MONTHS` months at most."""
    months = bills.months_of_runs(bills.runs_in_scope(user=request.user)[:RUNS_LISTED])
    return render(
        request,
        "contributions/billing/_runs_totals.html",
        {"totals": bills.month_totals(months), "months_limit": bills.TOTALS_MONTHS},
    )


urlpatterns = [
    path("tagihan/", bill_list, name="bills"),
    path("tagihan/<int:bill_id>/", bill_view, name="bill"),
    path("tagihan/<int:bill_id>/pdf/", bill_pdf, name="bill_pdf"),
    path("tunggakan/", arrears_view, name="arrears"),
    path("tunggakan/ekspor.<str:fmt>", arrears_export, name="arrears_export"),
    path("penagihan/", runs_view, name="runs"),
    path("penagihan/tabel/", runs_table, name="runs_table"),
    path("penagihan/total/", runs_totals, name="runs_totals"),
]
