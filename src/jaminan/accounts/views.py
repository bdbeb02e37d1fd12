"""Access to web views by role: the one decorator every app's views use."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of

View = Callable[..., HttpResponse]


def roles_required(
    roles: Collection[Role], *, not_found: tuple[type[Exception], ...] = ()
) -> Callable[[View], View]:
    """Only signed-in users with one of ``roles`` (others get 403, anonymous users the login page).
    An exception of ``not_found`` raised by the view (an app's "not found or not yours" error,
    whose ``message`` is in the user's language) answers 404 with that message."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role_of(request.user) not in roles:
                raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except not_found as exc:
                raise Http404(getattr(exc, "message", str(exc))) from exc

        return login_required(wrapper)

    return decorator
