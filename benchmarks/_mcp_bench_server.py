"""The benchmark's server process: end-conversation's MCP server plus a trivial echo tool."""

from __future__ import annotations

import sys

import uvicorn

from end_conversation import SQLiteStore
from end_conversation.mcp_server import create_server

server = create_server(SQLiteStore(sys.argv[2]))


@server.tool()
def echo(text: str) -> str:
    """Return the text."""
    return text


uvicorn.run(
    server.streamable_http_app(streamable_http_path="/mcp"),
    host="127.0.0.1",
    port=int(sys.argv[1]),
    log_level="error",
)
