"""Scope policies of the accounts models."""

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.scoping import ScopePolicy, register

register(AuditEvent, ScopePolicy(personal=True, office_path="actor__scope__office"))
