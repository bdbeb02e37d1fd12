"""The only entity of the model: a worker."""

from __future__ import annotations

from openfisca_core.entities import build_entity

Person = build_entity(
    key="person",
    plural="persons",
    label="Worker (peserta penerima upah)",
    is_person=True,
)

entities = [Person]
