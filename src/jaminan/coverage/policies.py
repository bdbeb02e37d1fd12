"""Scope policies of coverage: snapshots are aggregates (no personal data), reached through the branch
office that serves their regency."""

from jaminan.accounts.scoping import ScopePolicy, register
from jaminan.coverage.models import CoverageSnapshot, ServedRegency, SnapshotMonth

register(CoverageSnapshot, ScopePolicy(personal=False, office_path="regency__branch_office"))
register(SnapshotMonth, ScopePolicy(reference=True, personal=False))
register(ServedRegency, ScopePolicy(personal=False, office_path="branch_office"))
