"""``kg serve --review``: the review of claims in the browser, guarded against cross-site requests.

Only present when the server is started with ``--review`` (:func:`review_routes`); without it the
paths are not routed at all (404). Decisions are the same as ``kg review``'s
(:class:`kg.ingest.review.Reviewer`): written to the decisions file, then the documents they
concern are re-extracted, and the served site follows on the next page request.

A decision is a POST to ``/review/decide`` and is refused (403) unless all of these hold:

* ``Sec-Fetch-Site``, when the browser sends it, is ``same-origin`` (or ``none``, typed by the user);
* ``Origin`` (or, without it, ``Referer``), when sent, is this server's own origin;
* the ``Host`` is a loopback name or address (against DNS rebinding), unless ``--review-any-host``;
* the form's ``csrf`` token matches the one derived from the ``kg_review`` cookie
  (``SameSite=Strict``, ``HttpOnly``), which a cross-site request does not carry. A token read by a
  cross-site script is worthless without that cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs, urlsplit

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kg.errors import KGError

COOKIE = "kg_review"
SAFE_SITES = {"same-origin", "none"}
MAX_FORM = 64 * 1024
#: Host names the review answers to (a page of another site that has rebound its name to 127.0.0.1 is refused).
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}


class Guard:
    """The CSRF secret of one server run, and the checks every POST passes."""

    def __init__(self, any_host: bool = False) -> None:
        self.secret = secrets.token_bytes(32)
        self.any_host = any_host

    def token(self, session: str) -> str:
        return hmac.new(self.secret, session.encode("utf-8"), hashlib.sha256).hexdigest()

    @staticmethod
    def origin_of(request: Request) -> str:
        return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"

    def refusal(self, request: Request, form: dict[str, str]) -> str | None:
        """Why this POST is refused, or None when it comes from our own review page."""
        host = urlsplit("//" + request.headers.get("host", "")).hostname or ""
        if not self.any_host and host not in LOOPBACK_NAMES:
            return f"refused: the review answers only on loopback addresses, not {host or 'an unnamed host'}"
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in SAFE_SITES:
            return f"refused: the request came from another site (Sec-Fetch-Site: {site})"
        claimed = request.headers.get("origin") or request.headers.get("referer")
        if claimed is not None:
            parts = urlsplit(claimed)
            if claimed == "null" or f"{parts.scheme}://{parts.netloc}" != self.origin_of(request):
                return f"refused: the request came from {claimed}, not from this server's review page"
        session = request.cookies.get(COOKIE, "")
        given = str(form.get("csrf", ""))
        if not session or not given or not hmac.compare_digest(given, self.token(session)):
            return "refused: the form's token is missing or out of date; reload the review page and try again"
        return None


def review_routes(location: str, limit: int = 200, any_host: bool = False) -> list[Route]:
    """The routes of the review: GET /review (the page) and POST /review/decide."""
    from kg.graph.store import open_store
    from kg.ingest.review import Reviewer, apply_decision, librarian
    from kg.web.site import environment

    guard = Guard(any_host)

    def render(message: str, problem: str, session: str) -> str:
        with open_store(location, read_only=True) as store:
            rows = Reviewer(store).rows()
        template = environment().get_template("review.html")
        return template.render(
            rows=rows[:limit],
            total=len(rows),
            token=guard.token(session),
            message=message,
            problem=problem,
            who=librarian(),
            root="/",
            server=True,
            nav=None,
        )

    async def page(request: Request) -> Response:
        session = request.cookies.get(COOKIE) or secrets.token_urlsafe(24)
        message = request.query_params.get("done", "")[:300]
        problem = request.query_params.get("problem", "")[:300]
        try:
            html = await anyio.to_thread.run_sync(render, message, problem, session)
        except KGError as exc:
            return PlainTextResponse(str(exc) + "\n", status_code=503)
        response = HTMLResponse(
            html, headers={"Cache-Control": "no-store", "Cross-Origin-Resource-Policy": "same-origin"}
        )
        response.set_cookie(COOKIE, session, httponly=True, samesite="strict", path="/review")
        return response

    def take(form: dict[str, str]) -> str:
        decision = form.get("decision", "")
        if decision not in ("confirm", "reject", "add"):
            raise KGError(f"'{decision}' is not a decision: confirm, reject or add")
        with open_store(location, create=False) as store:
            reviewer = Reviewer(store)
            if form.get("key"):
                parts = [form["key"]]
            else:
                parts = [form.get("subject", ""), form.get("predicate", ""), form.get("object", "")]
            taken = reviewer.decide(
                decision, parts, form.get("document") or None, form.get("sentence", ""), form.get("who") or None
            )
            apply_decision(store, taken)
        return f"{taken.verdict} by {taken.who} (line {taken.line} of the decisions file)"

    async def decide(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_FORM:
            return PlainTextResponse(f"refused: the form is over {MAX_FORM // 1024} KB\n", status_code=413)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            return PlainTextResponse(
                "refused: send the review page's form (application/x-www-form-urlencoded)\n", status_code=415
            )
        values = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items()}
        refusal = guard.refusal(request, values)
        if refusal:
            return PlainTextResponse(refusal + "\n", status_code=403)
        try:
            done = await anyio.to_thread.run_sync(take, values)
        except KGError as exc:
            return RedirectResponse(f"/review?problem={_quote(str(exc))}", status_code=303)
        return RedirectResponse(f"/review?done={_quote(done)}", status_code=303)

    return [Route("/review", page, methods=["GET"]), Route("/review/decide", decide, methods=["POST"])]


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:300], safe="")
