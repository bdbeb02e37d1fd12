from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from jaminan.accounts.models import ApiToken, AuditEvent
from jaminan.accounts.roles import Role
from jaminan.geo.models import Office, Regency
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_user_creation_is_audited(make_user: Callable[..., Any]) -> None:
    user = make_user(Role.BRANCH_OFFICER, "petugas-audit")
    event = AuditEvent.objects.get(action="create", object_id=str(user.pk), object_type="auth.User")
    assert event.changes["role"] == "branch_officer"
    assert event.changes["office"] == "KC-BALIKPAPAN"


def test_audit_event_is_append_only_in_the_model(reference: None) -> None:
    event = AuditEvent.objects.create(actor_label="t", action="view")
    event.action = "export"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="export")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.postgres
def test_audit_event_is_append_only_in_the_database(reference: None) -> None:
    event = AuditEvent.objects.create(actor_label="t", action="view")
    for sql in (
        "UPDATE accounts_auditevent SET action = 'export' WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_login_logout_and_failed_login_audited(make_user: Callable[..., Any]) -> None:
    make_user(Role.REGIONAL_ANALYST, "analis-uji")
    client = Client()
    client.post("/login/", {"username": "analis-uji", "password": "salah"}, REMOTE_ADDR="10.1.2.3")
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.actor_label == "analis-uji" and failed.ip_address == "10.1.2.3"
    response = client.post("/login/", {"username": "analis-uji", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor__username="analis-uji").exists()
    client.post("/logout/")
    assert AuditEvent.objects.filter(action="logout", actor__username="analis-uji").exists()


def test_admin_change_is_audited_with_changes(admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    regency = Regency.objects.get(code="64.03")
    target = Office.objects.get(code="KC-SAMARINDA")
    url = f"/admin/geo/regency/{regency.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(branch_office=target.pk, branch_office_inferred="", province=regency.province_id)
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    regency.refresh_from_db()
    assert regency.branch_office == target
    event = AuditEvent.objects.get(
        action="update", object_type="geo.Regency", object_id=str(regency.pk)
    )
    assert event.actor == admin_user
    assert event.changes["branch_office_id"][1] == target.pk
    assert event.changes["branch_office_inferred"] == [True, False]


def test_token_create_command_audited_and_hashed(
    make_user: Callable[..., Any], capsys: Any
) -> None:
    user = make_user(Role.REGIONAL_ANALYST, "analis-token")
    call_command("token", "create", "analis-token", "--name", "laporan")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("jmn_") and len(secret) > 30
    token = ApiToken.objects.get(user=user)
    assert secret not in (token.key_hash, token.prefix) and secret.startswith(token.prefix)
    assert AuditEvent.objects.filter(action="token_create", object_id=str(token.pk)).exists()


def test_token_list_and_revoke(make_user: Callable[..., Any], capsys: Any) -> None:
    make_user(Role.REGIONAL_ANALYST, "analis-cabut")
    call_command("token", "create", "analis-cabut", "--name", "laporan")
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user__username="analis-cabut")
    call_command("token", "list", "analis-cabut")
    listed = capsys.readouterr().out
    assert token.prefix in listed and "active" in listed and secret not in listed
    call_command("token", "revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(
        action="update", object_type="accounts.ApiToken", object_id=str(token.pk)
    ).exists()
    from django.test import Client

    assert (
        Client().get("/api/v1/provinces", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    )
    with pytest.raises(CommandError):
        call_command("token", "revoke", token.prefix)  # nothing active left
