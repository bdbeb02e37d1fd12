"""JHT screens, mounted at ``/jht/``: the balance statement (web and PDF). A participant sees their
own; officers look a participant up by KPJ number. Every statement shown is audited (VIEW), every
PDF (EXPORT). URL names: ``jht:index``, ``jht:statement``, ``jht:statement_pdf``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of
from jaminan.accounts.views import roles_required as accounts_roles_required
from jaminan.geo.zones import institution_today
from jaminan.jht import selectors
from jaminan.jht.errors import NotFound
from jaminan.web.pdf import render_pdf

#: Who reads statements (each limited by scope_queryset): the office and the participant.
READ_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.BRANCH_OFFICER, Role.CLAIMS_APPROVER, Role.PARTICIPANT}
)

View = Callable[..., HttpResponse]


roles_required = accounts_roles_required(READ_ROLES, not_found=(NotFound,))


def _as_of(request: HttpRequest) -> date:
    today = institution_today()
    try:
        chosen = date.fromisoformat(request.GET.get("per", ""))
    except ValueError:
        return today
    return chosen if date(2015, 7, 1) <= chosen <= date(2100, 12, 31) else today


def _statement(request: HttpRequest, kpj: str, action: str) -> selectors.Statement:
    account = selectors.account_in_scope(user=request.user, kpj=kpj)
    found = selectors.statement(account, as_of=_as_of(request))
    audit.record(
        action=action,
        actor=request.user,
        obj=account.participant.person,
        changes={"kpj": kpj, "jht_statement": found.as_of, "balance": found.balance.balance},
    )
    return found


@roles_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """A participant goes to their own statement; an officer finds one by KPJ number."""
    if role_of(request.user) == Role.PARTICIPANT:
        kpj = getattr(getattr(request.user, "scope", None), "participant_kpj", "")
        if kpj:
            return redirect("jht:statement", kpj=kpj)
        raise Http404
    kpj = (request.GET.get("kpj") or "").strip()
    if kpj.isdigit() and len(kpj) == 11:
        return redirect("jht:statement", kpj=kpj)
    error = _("Nomor KPJ terdiri atas 11 digit.") if kpj else ""
    return render(request, "jht/index.html", {"kpj": kpj, "error": error})


@roles_required
@require_GET
def statement(request: HttpRequest, kpj: str) -> HttpResponse:
    found = _statement(request, kpj, AuditEvent.Action.VIEW)
    context = {"s": found, "person": found.account.participant.person}
    return render(request, "jht/statement.html", context)


@roles_required
@require_GET
def statement_pdf(request: HttpRequest, kpj: str) -> HttpResponse:
    found = _statement(request, kpj, AuditEvent.Action.EXPORT)
    pdf = render_pdf(
        "jht/statement_pdf.html",
        {"s": found, "person": found.account.participant.person, "printed": timezone.localdate()},
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="jht-{kpj}-{found.as_of:%Y%m%d}.pdf"'
    return response
