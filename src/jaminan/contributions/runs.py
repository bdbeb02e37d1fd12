"""Starting a billing run from the web page or the API: a detached ``jaminan billing run`` process.

The request returns at once; the run records itself (``BillingRun``, its month lock and progress
per office) and the runs page polls it. The process's output goes to
``var/billing-runs/<month>-<time>.log``. A month whose lock is held (and not stale) is refused
before anything is started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext as _

from jaminan.accounts import audit
from jaminan.contributions.bills import BillsError, before_rules_message, first_billable_month
from jaminan.contributions.models import BillingLock, BillingRun
from jaminan.geo.models import Office
from jaminan.geo.zones import institution_today
from jaminan.rules.core import add_months, month_start

#: Latest month that may be billed: the month after the current one.
MONTHS_AHEAD = 1
MAX_REASON = 300


class RunRefused(BillsError):
    """A run that cannot be started (bad month or reason, month locked)."""

    code = "run_refused"


class MonthLocked(RunRefused):
    code = "billing_locked"
    status = 409


@dataclass
class StartedRun:
    month: date
    office: Office | None
    reason: str
    pid: int
    command: list[str]
    log_path: Path
    run: BillingRun | None = None


#: Commands not started because Django's test environment is active (like ``mail.outbox``).
outbox: list[list[str]] = []


def _spawn(command: list[str], log_path: Path, username: str = "") -> int:
    """Start ``command`` detached (own session, no stdin, output to ``log_path``); a thread reaps
    it so no zombie is left behind. ``username`` (the user who asked) becomes the child's
    ``USER``, which the run shows as its holder (``petugas@host pid N``). Returns the pid.

    In Django's test environment (``setup_test_environment`` made ``mail.outbox``) nothing is
    started: the command is appended to :data:`outbox` and the pid is 0. A child process would
    bill the configured database, not the test database (the API fuzz test posts runs too)."""
    if getattr(mail, "outbox", None) is not None:
        outbox.append(command)
        return 0
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **({"USER": username} if username else {}),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "jaminan.settings"),
    }
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env=env,
        )
    threading.Thread(target=process.wait, daemon=True, name=f"reap-{process.pid}").start()
    return process.pid


#: How a run process is started: ``launcher(command, log_path, username) -> pid``.
launcher: Callable[[list[str], Path, str], int] = _spawn


def billing_command(*, month: date, office: Office | None, reason: str) -> list[str]:
    command = [sys.executable, "-m", "jaminan", "billing", "run", "--month", f"{month:%Y-%m}"]
    if office is not None:
        command += ["--office", office.code]
    # --quiet: no terminal progress bar in the log; the progress is on the run's row.
    return [*command, "--reason", reason, "--quiet"]


def latest_billable_month(today: date | None = None) -> date:
    """The latest month a run may bill: :data:`MONTHS_AHEAD` after the current one."""
    return add_months(month_start(today or institution_today()), MONTHS_AHEAD)


def check_billable_month(month: date) -> date:
    """``month`` (its first day) when a run may bill it: from the rules' first month
    (``month_before_rules``) to :func:`latest_billable_month` (``month_in_future``); RunRefused
    otherwise. The page, the API and ``jaminan billing run`` all check here."""
    month = month.replace(day=1)
    if month < first_billable_month():
        raise RunRefused(before_rules_message(), field="month", code="month_before_rules")
    if month > latest_billable_month():
        raise RunRefused(
            _("Bulan %(month)s belum dapat ditagih.") % {"month": f"{month:%Y-%m}"},
            field="month",
            code="month_in_future",
        )
    return month


def _month_lock(month: date) -> BillingLock | None:
    from jaminan.contributions.billing import lock_is_stale

    lock = BillingLock.objects.filter(month=month).first()
    if lock is None or lock_is_stale(lock):
        return None
    return lock


def start_billing_run(
    *,
    month: date,
    office: Office | None,
    reason: str,
    actor: Any,
    wait_seconds: float = 0.0,
) -> StartedRun:
    """Start ``jaminan billing run`` for ``month`` (first day) and optionally one office, detached.
    Refused: a month before the rules or later than the next one (:func:`check_billable_month`),
    an empty reason (``reason_required``), a month whose lock is held (``billing_locked``, 409).
    Audited. With ``wait_seconds`` the new ``BillingRun`` row is looked for that long (the API
    returns it)."""
    month = check_billable_month(month)
    reason = " ".join((reason or "").split())
    if not reason:
        raise RunRefused(
            _("Alasan menjalankan penagihan wajib diisi."), field="reason", code="reason_required"
        )
    if len(reason) > MAX_REASON:
        raise RunRefused(
            _("Alasan paling panjang %(n)s karakter.") % {"n": MAX_REASON},
            field="reason",
            code="reason_too_long",
        )
    lock = _month_lock(month)
    if lock is not None:
        raise MonthLocked(
            _("Penagihan bulan %(month)s sedang dijalankan oleh %(holder)s (%(reason)s).")
            % {"month": f"{month:%Y-%m}", "holder": lock.holder, "reason": lock.reason},
            field="month",
        )
    command = billing_command(month=month, office=office, reason=reason)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    log_path = Path(settings.VAR_DIR) / "billing-runs" / f"{month:%Y-%m}-{stamp}-{os.getpid()}.log"
    started_at = timezone.now()
    username = actor.get_username() if getattr(actor, "is_authenticated", False) else ""
    pid = launcher(command, log_path, username)
    audit.record(
        action="create",
        actor=actor,
        object_type=BillingRun._meta.label,
        object_repr=f"mulai penagihan {month:%Y-%m}",
        changes={
            "month": f"{month:%Y-%m}",
            "office": office.code if office else "",
            "reason": reason,
            "pid": pid,
            "log": str(log_path),
        },
    )
    started = StartedRun(
        month=month, office=office, reason=reason, pid=pid, command=command, log_path=log_path
    )
    deadline = time.monotonic() + (wait_seconds if pid else 0.0)
    while True:
        started.run = (
            BillingRun.objects.filter(month=month, started_at__gte=started_at, office=office)
            .order_by("-id")
            .first()
        )
        if started.run is not None or time.monotonic() >= deadline:
            return started
        time.sleep(0.2)
