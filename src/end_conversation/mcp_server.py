"""The MCP server: ``end-conversation serve``, or build your own from these.

from end_conversation.mcp_server import create_server
server = create_server(SQLiteStore("conversations.sqlite3"))
server.run()  # stdio
"""

from ._mcp import EndResult, bearer_auth, create_server, open_store, serve

__all__ = ["EndResult", "bearer_auth", "create_server", "open_store", "serve"]
