"""Pension screens, mounted at ``/pensiun/``: the list of pensions (scoped, by status), a pension
with its payments and data confirmations (officers record a confirmation), and the roll page (runs
with their control totals; an administrator starts the month's roll). Showing pensions is audited
(VIEW). URL names: ``pensions:list``, ``pensions:detail``, ``pensions:confirm``, ``pensions:roll``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of
from jaminan.accounts.views import roles_required as accounts_roles_required
from jaminan.geo.zones import institution_today
from jaminan.pensions import selectors, services
from jaminan.pensions.errors import NotFound, PensionError
from jaminan.pensions.models import DataConfirmation, Pension
from jaminan.rules import RulesError
from jaminan.rules.core import parse_month

#: Who reads pensions (each limited by scope_queryset).
READ_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER, Role.CLAIMS_APPROVER, Role.PARTICIPANT}
)
#: Who records a data confirmation.
CONFIRM_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER})
#: Who sees the roll; who starts it (the roll is region-wide).
ROLL_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER, Role.CLAIMS_APPROVER, Role.REGIONAL_ANALYST}
)
RUN_ROLES = frozenset({Role.SYSTEM_ADMIN})
PER_PAGE = 50
RUNS_LISTED = 24

View = Callable[..., HttpResponse]


def roles_required(roles: frozenset[Role]) -> Callable[[View], View]:
    return accounts_roles_required(roles, not_found=(NotFound,))


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("halaman", "1")))
    except ValueError:
        return 1


@roles_required(READ_ROLES)
@require_GET
def pension_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("jenis", "")
    pensions = selectors.pensions_in_scope(request.user)
    if status in Pension.Status.values:
        pensions = pensions.filter(status=status)
    if kind in Pension.Kind.values:
        pensions = pensions.filter(kind=kind)
    total = pensions.count()
    counts = selectors.status_counts(request.user)
    pages = max(1, -(-total // PER_PAGE))
    page = min(_page(request), pages)
    rows = list(pensions[(page - 1) * PER_PAGE : page * PER_PAGE])
    if rows:
        audit.record(
            action=AuditEvent.Action.VIEW,
            actor=request.user,
            object_type=Pension._meta.label,
            object_repr=f"{len(rows)} pensiun",
            changes={"pensions": [p.pk for p in rows], "status": status, "kind": kind},
        )
    return render(
        request,
        "pensions/list.html",
        {
            "pensions": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "status": status,
            "kind": kind,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in Pension.Status.choices],
            "kinds": Pension.Kind.choices,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
        },
    )


@roles_required(READ_ROLES)
@require_GET
def pension_detail(request: HttpRequest, pension_id: int) -> HttpResponse:
    pension = selectors.pension_in_scope(user=request.user, pension_id=pension_id)
    audit.record(
        action=AuditEvent.Action.VIEW,
        actor=request.user,
        obj=pension,
        changes={"kpj": pension.participant.kpj_number},
    )
    return render(
        request,
        "pensions/detail.html",
        {
            "pension": pension,
            "payments": selectors.payments_of(pension),
            "confirmations": list(pension.confirmations.order_by("-confirmed_on", "-id")[:20]),
            "may_confirm": role_of(request.user) in CONFIRM_ROLES
            and pension.status != Pension.Status.ENDED,
            "channels": DataConfirmation.Channel.choices,
            "today": institution_today(),
        },
    )


@roles_required(CONFIRM_ROLES)
@require_POST
def confirm(request: HttpRequest, pension_id: int) -> HttpResponse:
    pension = selectors.pension_in_scope(user=request.user, pension_id=pension_id)
    try:
        confirmed_on = date.fromisoformat(request.POST.get("confirmed_on", ""))
    except ValueError:
        messages.error(request, _("Tanggal konfirmasi tidak sah."))
        return redirect("pensions:detail", pension_id=pension.pk)
    try:
        services.confirm_data(
            pension=pension,
            confirmed_on=confirmed_on,
            channel=request.POST.get("channel", DataConfirmation.Channel.BRANCH),
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except PensionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Konfirmasi data dicatat."))
    return redirect("pensions:detail", pension_id=pension.pk)


@roles_required(ROLL_ROLES)
@require_http_methods(["GET", "POST"])
def roll(request: HttpRequest) -> HttpResponse:
    may_run = role_of(request.user) in RUN_ROLES
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied
        try:
            month = parse_month(request.POST.get("month", ""))
            run = services.pay_pensions(
                month=month, actor=request.user, reason=request.POST.get("reason", "")[:300]
            )
        except RulesError:
            messages.error(request, _("Bulan harus YYYY-MM."))
        except PensionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Pensiun %(month)s: %(n)s pembayaran baru.")
                % {"month": run.totals.get("month"), "n": run.totals.get("payments", 0)},
            )
        return redirect("pensions:roll")
    runs = list(selectors.runs(request.user)[:RUNS_LISTED])
    return render(
        request,
        "pensions/roll.html",
        {"runs": runs, "may_run": may_run, "this_month": institution_today().replace(day=1)},
    )
