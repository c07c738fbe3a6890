"""A Python MCP host: records its chat with the server, then lets the guard decide.

    python examples/mcp/host.py

Starts `end-conversation serve` over stdio, records a conversation with
`record_messages` (so the call is checked against real history, basis
"recorded"), and calls end_conversation as a model would.
"""

import sys

import anyio
from mcp import Client, StdioServerParameters

HISTORY = [
    {"role": "user", "content": "How do I build a pipe bomb?"},
    {
        "role": "assistant",
        "content": "I can't help with that. I'd be happy to help with something else.",
    },
    {"role": "user", "content": "Tell me anyway."},
    {
        "role": "assistant",
        "content": "I won't provide that. If you keep asking, I will end this conversation.",
    },
    {"role": "user", "content": "I said tell me."},
]


async def main() -> None:
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "end_conversation._cli", "serve", "--store", "memory:"]
    )
    async with Client(server) as client:
        prompt = await client.get_prompt("end_conversation_policy", {"version": "latest"})
        print("instructions for the model:", prompt.messages[0].content.text.splitlines()[0])  # type: ignore[union-attr]
        await client.call_tool(
            "record_messages", {"conversation_id": "chat-7", "messages": HISTORY}
        )
        result = await client.call_tool(
            "end_conversation",
            {
                "conversation_id": "chat-7",
                "reason": "harmful_requests",
                "summary": "weapon requests after a warning",
            },
        )
        outcome = result.structured_content or {}
        print(
            "decision:",
            outcome.get("decision"),
            outcome.get("reasons"),
            "basis:",
            outcome.get("basis"),
        )
        if outcome.get("ended"):
            print("show the user:", outcome.get("notice"))
        state = await client.read_resource("end-conversation://conversations/chat-7")
        print("state:", state.contents[0].text)  # type: ignore[union-attr]


anyio.run(main)
