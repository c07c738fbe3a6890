"""One input model feeds the Messages API tool; the real SDK sends it and reads the call back."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from anthropic import Anthropic

from end_conversation import TOOL_NAME, EndConversationInput, Guard, input_schema, tool_param
from end_conversation.testing import assistant, user

from .guard.scripts import persistent_harm


def test_schema_lists_the_reasons() -> None:
    schema = input_schema()
    assert schema["type"] == "object"
    assert schema["required"] == ["reason"]
    assert schema["properties"]["reason"]["enum"] == ["harmful_requests", "abuse", "user_requested"]
    assert "Why the conversation should end" in schema["properties"]["reason"]["description"]
    assert schema["additionalProperties"] is False
    assert "$defs" not in json.dumps(schema)


def test_tool_param_uses_the_prompt_file() -> None:
    param = tool_param()
    assert param["name"] == TOOL_NAME == "end_conversation"
    assert "last resort" in param["description"]


def test_input_model_validates() -> None:
    assert EndConversationInput.model_validate({"reason": "abuse"}).summary == ""
    with pytest.raises(ValueError, match="reason"):
        EndConversationInput.model_validate({"reason": "because"})


class _Recorder(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        type(self).bodies.append(body)
        reply = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": TOOL_NAME,
                    "input": {"reason": "harmful_requests", "summary": "kept asking"},
                }
            ],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Recorder.bodies = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_real_sdk_sends_the_tool_and_the_guard_reads_its_message(server: str) -> None:
    client = Anthropic(api_key="test", base_url=server, max_retries=0)
    history = persistent_harm()[:-1]
    reply = client.messages.create(
        model="claude-opus-4-8", max_tokens=64, messages=history, tools=[tool_param()]
    )
    sent = _Recorder.bodies[0]["tools"][0]
    assert sent["name"] == TOOL_NAME
    assert sent["input_schema"] == input_schema()
    # The SDK's own Message object goes straight into the transcript.
    verdict = Guard().evaluate([*history, reply])
    assert verdict.decision == "honored"
    assert verdict.tool_use_id == "toolu_1"
    denied = Guard().evaluate([user("hi"), assistant("hello"), user("hm"), reply])
    assert denied.decision == "denied"
    client.close()
