"""The MCP integration: end_conversation for any MCP client."""

from .._store import open_store
from ._server import EndResult, bearer_auth, create_server, serve

__all__ = ["EndResult", "bearer_auth", "create_server", "open_store", "serve"]
