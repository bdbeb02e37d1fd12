"""Row reports of file uploads kept for download by the session that made them: the registry's
worker import and the sponsors' beneficiary upload. One JSON file per report, named by a random
id, in ``REGISTRY_IMPORT_REPORT_DIR`` (default ``var/import-reports``), kept a day; the session
remembers its last 20 ids, and a report is only given back to its session and its owner (the
employer or program it was made for)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest

KEPT_SECONDS = 24 * 60 * 60
IDS_PER_SESSION = 20


def report_dir() -> Path:
    return Path(
        getattr(settings, "REGISTRY_IMPORT_REPORT_DIR", settings.VAR_DIR / "import-reports")
    )


def save(
    request: HttpRequest, *, session_key: str, owner: dict[str, Any], rows: Sequence[Sequence[Any]]
) -> str:
    """Store ``rows`` for this session under ``owner`` (e.g. ``{"npp": …}``); returns the id.
    Reports older than a day are removed on the way."""
    report_id = str(uuid.uuid4())
    directory = report_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stale = time.time() - KEPT_SECONDS
    for old in directory.glob("*.json"):
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    (directory / f"{report_id}.json").write_text(
        json.dumps({**owner, "issues": [list(row) for row in rows]}, ensure_ascii=False),
        encoding="utf-8",
    )
    ids = request.session.get(session_key, [])
    request.session[session_key] = [*ids[-(IDS_PER_SESSION - 1) :], report_id]
    return report_id


def load(
    request: HttpRequest, *, session_key: str, report_id: uuid.UUID, owner: dict[str, Any]
) -> list[list[Any]]:
    """The rows of a report this session made for ``owner``; Http404 for any other (another
    session's, another owner's, or one removed after a day)."""
    if str(report_id) not in request.session.get(session_key, []):
        raise Http404(str(report_id))
    try:
        stored = json.loads((report_dir() / f"{report_id}.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise Http404(str(report_id)) from exc
    if any(stored.get(key) != value for key, value in owner.items()):
        raise Http404(str(report_id))
    rows: list[list[Any]] = stored["issues"]
    return rows
