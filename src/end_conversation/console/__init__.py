"""``end-conversation console``: the review queue, conversations, the audit trail and
the metrics as a small server-rendered web app for reviewers and operators.

Pages are plain HTML with inline SVG charts (no scripts, nothing loaded from
elsewhere). The security stance is that of ``serve --http``: loopback by default,
tokens required elsewhere, Host/Origin checks, and on top of it CSRF-protected
forms and a reviewer role distinct from a read-only one.
"""

from __future__ import annotations

from ._app import create_app
from ._serve import run_console

__all__ = ["create_app", "run_console"]
