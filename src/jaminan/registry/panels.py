"""Panels other apps add to the person page, without registry importing them.

``registry`` may not import the apps built on it (contributions, claims). An app that has
something to say on a person's page registers a panel here from its ``AppConfig.ready()``:

    panels.register("contributions.arrears", arrears_panel)

A panel is a callable ``(request, detail) -> HTML | None``: ``detail`` is the page's
:class:`jaminan.registry.selectors.PersonDetail`, already scoped to the user and audited, whose
``memberships`` are the only ones the user may see, so a panel works from them and exposes
nothing new; it records no audit event of its own (the page's VIEW covers it). A panel returns
``None`` when it has nothing to show, and keeps its queries bounded (a few, not one per row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from jaminan.registry.selectors import PersonDetail

PersonPanel = Callable[[HttpRequest, "PersonDetail"], SafeString | None]

_PERSON_PANELS: dict[str, PersonPanel] = {}


def register(name: str, panel: PersonPanel) -> None:
    """Adds (or replaces, for the same name) a panel of the person page; panels show in the order
    they were first registered."""
    _PERSON_PANELS[name] = panel


def unregister(name: str) -> None:
    _PERSON_PANELS.pop(name, None)


def person_panels(request: HttpRequest, detail: PersonDetail) -> list[SafeString]:
    """The HTML of every registered panel that has something to show for this person."""
    shown = (panel(request, detail) for panel in _PERSON_PANELS.values())
    return [html for html in shown if html]
