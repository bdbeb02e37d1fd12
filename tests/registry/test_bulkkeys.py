"""Foreign keys of the worker-list import checked once per key for the whole file (bulkkeys): the
same keys as the per-row triggers, on PostgreSQL with the privilege; the ordinary checks otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from jaminan.registry import bulkkeys, imports
from jaminan.registry.imports import import_workers
from jaminan.registry.models import Employer, Membership, Participant, ReportedWage
from tests.registry.test_imports import TODAY, counts, good_rows, to_csv

pytestmark = pytest.mark.django_db


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return str(cursor.fetchone()[0])


@pytest.mark.postgres
def test_import_checks_every_key_set_based_and_restores_the_triggers(employer: Employer) -> None:
    seen: list[bulkkeys.Written] = []
    real = bulkkeys.set_based_keys

    @contextmanager
    def spy(**kwargs: Any) -> Iterator[bulkkeys.Written]:
        with real(**kwargs) as written:
            seen.append(written)
            assert _role() == ("replica" if written.set_based else "origin")
            yield written

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bulkkeys, "set_based_keys", spy)
        report = import_workers(
            employer=employer, content=to_csv(good_rows(30)), registered_on=TODAY
        )
    assert report.created_memberships == 30
    (written,) = seen
    assert written.set_based  # the test database's role is a superuser
    assert set(written.checked) == {
        "registry_person.address_regency_id",
        "registry_participant.person_id",
        "registry_participant.registering_office_id",
        "registry_membership.participant_id",
        "registry_membership.employer_id",
        "registry_membership.project_id",
        "registry_membership.office_id",
        "registry_reportedwage.membership_id",
    }
    assert _role() == "origin"
    assert Membership.objects.filter(employer=employer).count() == 30


@pytest.mark.postgres
def test_a_row_pointing_nowhere_is_refused_and_nothing_is_kept(employer: Employer) -> None:
    before = counts()
    refused = pytest.raises(IntegrityError, match=r"registry_reportedwage\.membership_id: 1 baris")
    with refused, transaction.atomic(), bulkkeys.set_based_keys() as written:
        assert written.set_based
        wage_ids = imports._insert_columns(
            ReportedWage,
            1,
            {
                "membership_id": [2**40],
                "effective_month": [date(2026, 1, 1)],
                "amount": [5_000_000],
            },
        )
        written.rows[ReportedWage] = wage_ids
    assert counts() == before
    assert _role() == "origin"


@pytest.mark.postgres
def test_without_the_privilege_the_per_row_triggers_check(
    employer: Employer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulkkeys, "privileged", lambda: False)
    report = import_workers(employer=employer, content=to_csv(good_rows(5)), registered_on=TODAY)
    assert report.created_memberships == 5
    before = counts()
    with pytest.raises(IntegrityError), transaction.atomic(), bulkkeys.set_based_keys() as written:
        assert not written.set_based and _role() == "origin"
        imports._insert_columns(
            Participant,
            1,
            {"person_id": [2**40], "kpj_number": ["99999999999"]},
            {"registered_on": TODAY, "registering_office_id": employer.office_id},
        )
        connection.check_constraints()  # the deferred per-row check, as at COMMIT
    assert counts() == before


def test_sqlite_and_dry_runs_keep_the_ordinary_checks(
    employer: Employer, is_postgres: bool
) -> None:
    with transaction.atomic(), bulkkeys.set_based_keys(enabled=False) as written:
        assert not written.set_based
    if not is_postgres:
        assert not bulkkeys.privileged()
