"""The MCP integration: end_conversation for any MCP client."""

from ._server import EndResult, bearer_auth, create_server, open_store, serve

__all__ = ["EndResult", "bearer_auth", "create_server", "open_store", "serve"]
