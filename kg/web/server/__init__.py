"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, the query page's JSON API and the static site.

The parts: :mod:`~kg.web.server.app` (the routes and API handlers, :func:`create_app`),
:mod:`~kg.web.server.negotiation` (Accept and ``format=``), :mod:`~kg.web.server.protocol` (reading
protocol requests), :mod:`~kg.web.server.livesite` (the served site, rebuilt when the store changes),
:mod:`~kg.web.server.pool` (the query worker processes) and :mod:`~kg.web.server.running`
(:func:`running`, :func:`serve`). The routes and statuses are listed in :mod:`kg.web.server.app`.
"""

from __future__ import annotations

from kg.web.server.app import create_app
from kg.web.server.running import running, serve

__all__ = ["create_app", "running", "serve"]
