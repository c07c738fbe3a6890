"""Who is asking, and may they: bearer tokens or a login cookie, two roles, and
signed CSRF tokens for every form. Pure apart from the secret it is given."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from .._errors import ConfigurationError
from .._mcp._server import _check_token

__all__ = ["LOGIN_COOKIE", "SESSION_COOKIE", "Access", "Principal", "Role", "cookies"]

Role = Literal["viewer", "reviewer"]
SESSION_COOKIE = "ec_console"
LOGIN_COOKIE = "ec_login"
SESSION_SECONDS = 12 * 3600.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Principal:
    """The person or client behind a request."""

    identity: str
    """``token:<hash>`` for a token (never the token itself), ``local`` without tokens."""
    role: Role
    """viewer: may look; reviewer: may also uphold and overturn."""

    @property
    def may_decide(self) -> bool:
        """Whether this principal may uphold or overturn reviews."""
        return self.role == "reviewer"


def _identity(token: str) -> str:
    return "token:" + hashlib.sha256(f"Bearer {token}".encode()).hexdigest()[:16]


class Access:
    """The console's access rules.

    Without any token (loopback only) every request is the one local reviewer, as
    for the command line. With tokens, a request names one in ``Authorization:
    Bearer`` or carries the session cookie the login form set; read-only tokens may
    look, reviewer tokens may also decide. Every form post carries a CSRF token
    bound to the principal, signed with a per-process secret.
    """

    def __init__(
        self,
        tokens: Sequence[str] = (),
        reviewer_tokens: Sequence[str] = (),
        *,
        secret: bytes | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._allowed: list[tuple[bytes, Principal]] = [
            (_check_token(t).encode("ascii"), Principal(identity=_identity(t), role="viewer"))
            for t in tokens
        ] + [
            (_check_token(t).encode("ascii"), Principal(identity=_identity(t), role="reviewer"))
            for t in reviewer_tokens
        ]
        if set(tokens) & set(reviewer_tokens):
            raise ConfigurationError("a token cannot be both read-only and a reviewer's")
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock
        self._revoked: set[str] = set()
        """Signatures of sessions signed out of (kept for this process's life; a
        session outlives no restart anyway, the secret being per process)."""

    @property
    def required(self) -> bool:
        """Whether requests must authenticate (any token was configured)."""
        return bool(self._allowed)

    @property
    def any_reviewer(self) -> bool:
        """Whether anyone may decide reviews (no tokens, or a reviewer token)."""
        return not self._allowed or any(p.may_decide for _, p in self._allowed)

    # ------------------------------------------------------------ authentication
    def by_token(self, token: bytes) -> Principal | None:
        """The principal a token names, compared in constant time, or None."""
        found = None
        for secret, principal in self._allowed:  # no early exit: the time says nothing
            if hmac.compare_digest(token, secret):
                found = principal
        return found

    def authenticate(self, headers: Sequence[tuple[bytes, bytes]]) -> Principal | None:
        """The principal of a request (its raw ASGI headers), or None (refuse it).

        ``Authorization: Bearer`` wins when present: exactly one such header, or
        the request is refused (as ``serve --http`` does). Otherwise the session
        cookie, if its signature and age are good.
        """
        if not self.required:
            return Principal(identity="local", role="reviewer")
        given = [v for k, v in headers if k.lower() == b"authorization"]
        if given:
            if len(given) != 1:
                return None
            scheme, space, token = given[0].partition(b" ")
            if not space or scheme.lower() != b"bearer" or not token:
                return None
            return self.by_token(token)
        cookie = cookies(headers).get(SESSION_COOKIE)
        return self.from_session(cookie) if cookie else None

    # ------------------------------------------------------------ sessions
    def _sign(self, *parts: str) -> str:
        return hmac.new(self._secret, "|".join(parts).encode(), hashlib.sha256).hexdigest()

    def session(self, principal: Principal) -> str:
        """The session cookie's value for a principal who logged in with a token."""
        issued = str(int(self._clock()))
        body = f"{principal.role}|{principal.identity}|{issued}"
        return f"{body}|{self._sign('session', body)}"

    def from_session(self, value: str) -> Principal | None:
        """The principal a session cookie names, if it is ours and not too old."""
        parts = value.split("|")
        if len(parts) != 4:
            return None
        role, identity, issued, mac = parts
        if not hmac.compare_digest(mac, self._sign("session", f"{role}|{identity}|{issued}")):
            return None
        if role not in ("viewer", "reviewer") or not issued.isdigit():
            return None
        if self._clock() - int(issued) > SESSION_SECONDS or mac in self._revoked:
            return None
        # A token removed from the configuration ends its sessions at the next restart
        # (the secret is per process); within a run, the role is the one signed.
        return Principal(identity=identity, role="reviewer" if role == "reviewer" else "viewer")

    def revoke(self, value: str) -> None:
        """Sign a session out: its cookie is refused from now on, even if replayed."""
        if self.from_session(value) is not None:
            self._revoked.add(value.rsplit("|", 1)[-1])

    # ------------------------------------------------------------ CSRF
    def csrf(self, principal: Principal) -> str:
        """The CSRF token every form of this principal carries."""
        return self._sign("csrf", principal.identity, principal.role)

    def csrf_ok(self, principal: Principal, given: str | None) -> bool:
        """Whether a posted CSRF token is this principal's."""
        return bool(given) and hmac.compare_digest(str(given), self.csrf(principal))

    def login_nonce(self) -> str:
        """A fresh value for the login form (double-submitted: cookie and field)."""
        return secrets.token_urlsafe(24)


def cookies(headers: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """The request's cookies (first value of each name)."""
    out: dict[str, str] = {}
    for key, value in headers:
        if key.lower() != b"cookie":
            continue
        for item in value.decode("latin-1").split(";"):
            name, eq, val = item.strip().partition("=")
            if eq and name not in out:
                out[name] = val
    return out
