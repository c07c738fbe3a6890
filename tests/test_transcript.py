"""Transcripts: dicts, SDK objects, string or block content."""

from __future__ import annotations

import pytest
from anthropic.types import Message, TextBlock, ToolUseBlock

from end_conversation import InvalidTranscriptError, parse_messages


def test_string_and_block_content() -> None:
    turns = parse_messages(
        [
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "a"},
                    {"type": "thinking", "thinking": "x"},
                    {"type": "text", "text": "b"},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t",
                        "content": [{"type": "text", "text": "ok"}],
                        "is_error": True,
                    }
                ],
            },
        ]
    )
    assert [t.role for t in turns] == ["user", "assistant", "user"]
    assert turns[1].text == "a\n\nb"
    assert turns[2].is_tool_only
    assert turns[2].tool_results[0].is_error
    assert turns[2].tool_results[0].text == "ok"


def test_sdk_objects() -> None:
    message = Message(
        id="m",
        type="message",
        role="assistant",
        model="claude-opus-4-8",
        content=[
            TextBlock(type="text", text="no"),
            ToolUseBlock(
                type="tool_use", id="t1", name="end_conversation", input={"reason": "abuse"}
            ),
        ],
        stop_reason="refusal",
        stop_sequence=None,
        usage={"input_tokens": 1, "output_tokens": 1},
    )
    (turn,) = parse_messages([message])
    assert turn.refusal_stop
    assert turn.tool_uses[0].name == "end_conversation"
    (mixed,) = parse_messages([{"role": "assistant", "content": message.content}])
    assert mixed.tool_uses[0].id == "t1"


def test_wrapped_transcript() -> None:
    assert parse_messages({"messages": [{"role": "user", "content": "x"}]})[0].text == "x"


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([], "empty"),
        ("text", "list of messages"),
        ([{"role": "bot", "content": "x"}], r"messages\[0\]: role"),
        ([{"role": "user", "content": [{"type": "text"}]}], "text block without text"),
        ([{"role": "user", "content": [{"type": "tool_result"}]}], "tool_use_id"),
        ([{"role": "user", "content": b"bytes"}], "content must be"),
    ],
)
def test_errors_say_which_message(messages: object, message: str) -> None:
    with pytest.raises(InvalidTranscriptError, match=message):
        parse_messages(messages)
