"""The console's HTTP application: routes, the security checks in front of them,
and the decisions (through `Oversight`, exactly as the command line makes them)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .._cli_oversight import _time
from .._errors import (
    ConfigurationError,
    EndConversationError,
    StoreError,
    UnknownConversationError,
)
from .._guard import Guard
from .._mcp._server import _LOOPBACK, _security
from .._oversight import Oversight
from .._store import ConversationStore, Review
from . import _views as views
from ._auth import LOGIN_COOKIE, SESSION_COOKIE, Access, Principal, cookies
from ._data import ChainStatus, ChainWatch, Trends, children, queue, turns

__all__ = ["create_app"]

_HEADERS = {
    # Nothing runs and nothing loads from elsewhere: the pages are static HTML.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}
PAGE_LIMIT = 50
MAX_LIMIT = 500

Handler = Callable[[Request, Principal], Awaitable[Response]]


def create_app(
    store: ConversationStore,
    *,
    host: str = "127.0.0.1",
    tokens: Sequence[str] = (),
    reviewer_tokens: Sequence[str] = (),
    guard: Guard | None = None,
    chain_max_age: float = 30.0,
    secret: bytes | None = None,
    allowed_hosts: Sequence[str] = (),
) -> Starlette:
    """The console as an ASGI application over `store`.

    Off loopback (`host` not 127.0.0.1, localhost or ::1) at least one token is
    required (ConfigurationError otherwise). `tokens` may look; `reviewer_tokens`
    may also uphold and overturn. Host and Origin headers are checked against
    `host` (DNS-rebinding protection, as for ``serve --http``), and the names in
    `allowed_hosts` (how people reach a console bound to 0.0.0.0 or behind a proxy:
    ``console.example.org``). The chain is verified in full at most every
    `chain_max_age` seconds, in the background (0: before every page).
    """
    access = Access(tokens, reviewer_tokens, secret=secret)
    if host not in _LOOPBACK and not access.required:
        raise ConfigurationError(
            f"the console on {host} (not loopback) needs a token: --token or --reviewer-token"
        )
    checker = _security_checker(host, allowed_hosts)
    oversight = Oversight(store, guard=guard)
    annotator = oversight.guard
    chain = ChainWatch(store, max_age=chain_max_age)
    trends = Trends(store=store)

    def html(body: str, status: int = 200, **extra: str) -> HTMLResponse:
        return HTMLResponse(body, status_code=status, headers={**_HEADERS, **extra})

    def page(
        title: str,
        body: str,
        principal: Principal,
        *,
        active: str = "",
        status: int = 200,
        chain_status: ChainStatus | None = None,
    ) -> HTMLResponse:
        return html(
            views.layout(
                title,
                body,
                principal=principal,
                chain=chain_status,
                active=active,
                csrf=access.csrf(principal),
                tokens_required=access.required,
            ),
            status,
        )

    def login_form(status: int, error: str = "") -> HTMLResponse:
        nonce = access.login_nonce()
        response = html(
            views.layout("Sign in", views.login_page(nonce, error=error), principal=None),
            status,
            **({"www-authenticate": "Bearer"} if status == 401 else {}),
        )
        response.set_cookie(
            LOGIN_COOKIE, nonce, httponly=True, samesite="strict", path="/login", max_age=1800
        )
        return response

    def secured(
        handler: Handler, *, post: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            refused = await checker.validate_request(request)
            if refused is not None:
                return refused  # type: ignore[no-any-return]
            principal = access.authenticate(request.scope.get("headers") or [])
            if principal is None:
                return login_form(401)
            if post:
                form = await request.form()
                if not access.csrf_ok(principal, _field(form, "csrf")):
                    return html(
                        views.layout(
                            "Refused",
                            views.error_page(
                                "This form is missing its security token or it is not yours;"
                                " reload the page and try again."
                            ),
                            principal=principal,
                        ),
                        403,
                    )
            try:
                return await handler(request, principal)
            except UnknownConversationError as exc:
                return page("Not found", views.error_page(str(exc)), principal, status=404)
            except StoreError as exc:
                return page(
                    "Store unavailable",
                    views.error_page(" ".join(str(exc).split())),
                    principal,
                    status=503,
                )

        return endpoint

    # ------------------------------------------------------------ pages
    async def home(request: Request, principal: Principal) -> Response:
        q, status = await run_in_threadpool(lambda: (queue(store), chain.status()))
        return page(
            "Review queue", views.queue_page(q), principal, active="queue", chain_status=status
        )

    def _review_view(review: Review, principal: Principal, **form: str) -> tuple[str, Any]:
        record = store.get(review.conversation_id)
        verdict = review.verdict or record.end_verdict or {}
        shown = turns(store.messages(record.id), verdict.get("evidence", ()), annotator)
        body = views.review_page(
            review,
            record,
            shown,
            store.feedback(record.id),
            principal=principal,
            csrf=access.csrf(principal),
            **form,
        )
        return body, chain.status()

    def _find(review_id: str) -> Review | None:
        found = store.reviews(review_id=review_id)
        return found[0] if found else None

    async def review(request: Request, principal: Principal) -> Response:
        review_id = request.path_params["review_id"]
        item = await run_in_threadpool(_find, review_id)
        if item is None:
            return page(
                "Not found", views.error_page(f"no review {review_id}"), principal, status=404
            )
        body, status = await run_in_threadpool(_review_view, item, principal)
        return page(f"Review: {item.origin}", body, principal, active="queue", chain_status=status)

    async def decide(request: Request, principal: Principal) -> Response:
        review_id = request.path_params["review_id"]
        form = await request.form()
        outcome = _field(form, "outcome")
        note = (_field(form, "note") or "").strip()
        name = " ".join((_field(form, "reviewer") or "").split())
        item = await run_in_threadpool(_find, review_id)
        if item is None:
            return page(
                "Not found", views.error_page(f"no review {review_id}"), principal, status=404
            )
        if not principal.may_decide:
            return page(
                "Refused",
                views.error_page(
                    "A read-only token cannot decide reviews; sign in with a reviewer token."
                ),
                principal,
                status=403,
            )

        async def again(error: str, status: int) -> Response:
            body, chain_status = await run_in_threadpool(
                lambda: _review_view(item, principal, error=error, note=note, reviewer=name)
            )
            return page(
                f"Review: {item.origin}",
                body,
                principal,
                active="queue",
                status=status,
                chain_status=chain_status,
            )

        if outcome not in ("upheld", "overturned"):
            return await again("Choose Uphold or Overturn.", 400)
        if not name:
            return await again("Give your name: it is recorded with the decision.", 400)
        if not note:
            return await again("Write a note saying why: it is recorded with the decision.", 400)
        reviewer = name if principal.identity == "local" else f"{name} ({principal.identity})"
        try:
            done = await run_in_threadpool(
                lambda: oversight.decide(
                    review_id,
                    outcome="upheld" if outcome == "upheld" else "overturned",
                    reviewer=reviewer,
                    note=note,
                )
            )
        except EndConversationError as exc:  # a veto, a stale review: the same rule as the CLI
            return await again(
                "Not decided: " + " ".join(str(exc).split()) + ". The review is still pending.",
                409,
            )
        target = f"/conversations/{quote(done.conversation_id, safe='')}?" + urlencode(
            {"decided": done.id}
        )
        return RedirectResponse(target, status_code=303, headers=_HEADERS)

    async def conversation(request: Request, principal: Principal) -> Response:
        cid = request.path_params["conversation_id"]
        decided = request.query_params.get("decided")

        def read() -> tuple[str, Any]:
            record = store.get(cid)
            reviews = store.reviews(conversation_id=cid)
            evidence = (record.end_verdict or {}).get("evidence", ())
            flash = ""
            for r in reviews:
                if r.id == decided and r.status != "pending":
                    state = "ended" if record.ended else "open"
                    flash = f"Review {r.status}. The conversation is now {state}."
            body = views.conversation_page(
                record,
                turns(store.messages(cid), evidence, annotator),
                store.audit_trail(conversation_id=cid),
                reviews,
                children(store, record),
                flash=flash,
                csrf=access.csrf(principal),
                may_decide=principal.may_decide,
            )
            return body, chain.status()

        body, status = await run_in_threadpool(read)
        return page(f"Conversation {cid[:12]}", body, principal, chain_status=status)

    async def request_review(request: Request, principal: Principal) -> Response:
        cid = request.path_params["conversation_id"]
        if not principal.may_decide:
            return page(
                "Refused",
                views.error_page("A read-only token cannot open reviews."),
                principal,
                status=403,
            )
        form = await request.form()
        reason = " ".join((_field(form, "reason") or "").split())[:200]

        def open_one() -> Review:
            record = store.get(cid)
            if not record.ended:
                raise _NotEnded(cid)
            return oversight.request_review(cid, reason=reason or "requested from the console")

        try:
            opened = await run_in_threadpool(open_one)
        except _NotEnded:
            return page(
                "Refused",
                views.error_page("Only an ended conversation can be put up for review."),
                principal,
                status=409,
            )
        return RedirectResponse(f"/reviews/{opened.id}", status_code=303, headers=_HEADERS)

    async def audit(request: Request, principal: Principal) -> Response:
        params = request.query_params
        filters = {
            k: (params.get(k) or "").strip()
            for k in ("user", "conversation", "kind", "decision", "since", "until")
        }
        error = ""
        try:
            limit = max(1, min(MAX_LIMIT, _number(params.get("limit"), "limit") or PAGE_LIMIT))
            before = _number(params.get("before_seq"), "before_seq")
            after = _number(params.get("after_seq"), "after_seq")
            since = _time(filters["since"] or None, ValueError)
            until = _time(filters["until"] or None, ValueError)
        except ValueError as exc:
            limit, before, after, since, until = PAGE_LIMIT, None, None, None, None
            error = str(exc) or "a filter could not be read"

        def read() -> tuple[list[Any], Any]:
            found = store.audit_trail(
                user_id=filters["user"] or None,
                conversation_id=filters["conversation"] or None,
                kinds=[filters["kind"]] if filters["kind"] else [],
                decision=filters["decision"] or None,
                since=since,
                until=until,
                before_seq=before,
                after_seq=after,
                limit=limit,
            )
            return found[::-1], chain.status()

        records, status = await run_in_threadpool(read)
        older = records[-1].seq if len(records) == limit and records[-1].seq > 1 else None
        body = views.audit_page(records, filters, limit=limit, older=older, error=error)
        return page(
            "Audit trail",
            body,
            principal,
            active="audit",
            chain_status=status,
            status=400 if error else 200,
        )

    async def metrics(request: Request, principal: Principal) -> Response:
        figures, status = await run_in_threadpool(lambda: (trends.refresh(), chain.status()))
        return page(
            "Metrics",
            views.metrics_page(figures, trends),
            principal,
            active="metrics",
            chain_status=status,
        )

    # ------------------------------------------------------------ signing in and out
    async def login(request: Request) -> Response:
        refused = await checker.validate_request(request)
        if refused is not None:
            return refused  # type: ignore[no-any-return]
        if not access.required:
            return RedirectResponse("/", status_code=303, headers=_HEADERS)
        if request.method == "GET":
            return login_form(200)
        form = await request.form()
        nonce = _field(form, "nonce")
        expected = cookies(request.scope.get("headers") or []).get(LOGIN_COOKIE)
        if not nonce or not expected or nonce != expected:
            return login_form(403, "The sign-in form expired; try again.")
        token = (_field(form, "token") or "").strip()
        try:
            principal = access.by_token(token.encode("ascii")) if token else None
        except UnicodeEncodeError:
            principal = None
        if principal is None:
            return login_form(401, "That token is not valid here.")
        response = RedirectResponse("/", status_code=303, headers=_HEADERS)
        response.set_cookie(
            SESSION_COOKIE, access.session(principal), httponly=True, samesite="strict", path="/"
        )
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    async def logout(request: Request, principal: Principal) -> Response:
        session = cookies(request.scope.get("headers") or []).get(SESSION_COOKIE)
        if session:
            access.revoke(session)
        response = RedirectResponse("/login", status_code=303, headers=_HEADERS)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    routes = [
        Route("/", secured(home)),
        Route("/reviews/{review_id}", secured(review)),
        Route("/reviews/{review_id}/decide", secured(decide, post=True), methods=["POST"]),
        # Ids are the application's: they may hold "/", hence the path convertor.
        Route(
            "/conversations/{conversation_id:path}/review",
            secured(request_review, post=True),
            methods=["POST"],
        ),
        Route("/conversations/{conversation_id:path}", secured(conversation)),
        Route("/audit", secured(audit)),
        Route("/metrics", secured(metrics)),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", secured(logout, post=True), methods=["POST"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The long reads (the whole chain, the trail for the metrics) go through a
        # reader of their own: a SQLite store serializes its calls on one connection,
        # and the pages must not queue behind them. They start in the background, so
        # the first pages do not wait for a long trail to be read either.
        reader = _reader(store)
        if reader is not None:
            chain.store = trends.store = reader
        chain.start()
        threading.Thread(target=_quietly(trends.refresh), name="metrics-warm", daemon=True).start()
        try:
            yield
        finally:
            if reader is not None:
                with trends.lock:  # not while the metrics are being read
                    chain.store = trends.store = store
                reader.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.access = access
    app.state.store = store
    return app


def _reader(store: ConversationStore) -> ConversationStore | None:
    """A second, read-only connection to a SQLite store (WAL: reads run alongside the
    pages' own); None for other stores, whose connections are per thread already."""
    from .._store import SQLiteStore

    if not isinstance(store, SQLiteStore):
        return None
    try:
        return SQLiteStore(store.path, read_only=True)
    except EndConversationError:
        return None  # then the one connection serves all


class _NotEnded(Exception):
    """A review was asked for on a conversation that is not ended."""


def _quietly(work: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with contextlib.suppress(EndConversationError):  # the page that needs it says so
            work()

    return run


def _number(value: str | None, name: str) -> int | None:
    """A whole-number query parameter, or a ValueError saying which one is wrong."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value[:40]!r}") from None


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _security_checker(host: str, extra: Sequence[str]) -> Any:
    from mcp.server.transport_security import TransportSecurityMiddleware

    settings = _security(host)
    if extra:
        for name in extra:
            if not name or any(c in name for c in "/ *,"):
                raise ConfigurationError(
                    f"not a host name: {name!r} (give e.g. console.example.org)"
                )
        settings = settings.model_copy(
            update={
                "allowed_hosts": [*settings.allowed_hosts, *extra, *(f"{h}:*" for h in extra)],
                "allowed_origins": [
                    *settings.allowed_origins,
                    *(
                        f"{scheme}://{h}{port}"
                        for h in extra
                        for scheme in ("http", "https")
                        for port in ("", ":*")
                    ),
                ],
            }
        )
    return TransportSecurityMiddleware(settings)
