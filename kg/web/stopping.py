"""A site build that can be stopped part way: ``kg serve`` stops its background build when it shuts down.

The build (:func:`kg.web.site.build_site`) calls :func:`check` between the rows it reads
(:func:`checked`) and before each file it writes; inside :func:`stop_when` a check that finds its
condition true raises :class:`Stopped`. Outside it (``kg site``) a check costs one context lookup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

#: Rows read between two checks.
EVERY = 2000

_CONDITION: ContextVar[Callable[[], bool] | None] = ContextVar("kg_stop_when", default=None)


class Stopped(Exception):
    """The build was asked to stop (the server is shutting down); what it wrote is to be thrown away."""


@contextlib.contextmanager
def stop_when(condition: Callable[[], bool]) -> Iterator[None]:
    """Within the block (in this thread), :func:`check` raises :class:`Stopped` once ``condition()`` is true."""
    token = _CONDITION.set(condition)
    try:
        yield
    finally:
        _CONDITION.reset(token)


def check() -> None:
    """Raise :class:`Stopped` if the build in this thread is to stop."""
    condition = _CONDITION.get()
    if condition is not None and condition():
        raise Stopped("the site build was stopped")


def checked(items: Iterable[T], every: int = EVERY) -> Iterator[T]:
    """``items``, with a :func:`check` before the first and after each ``every`` of them."""
    check()
    for number, item in enumerate(items, 1):
        yield item
        if number % every == 0:
            check()
