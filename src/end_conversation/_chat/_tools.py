"""Builders' own tools, run by the chat loop."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError, create_model

if TYPE_CHECKING:
    from anthropic.types import ToolParam

__all__ = ["Tool", "ToolFailure"]

Handler = Callable[..., Any] | Callable[..., Awaitable[Any]]


class ToolFailure(Exception):
    """Raise from a handler to send an ``is_error`` tool_result with this message."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Tool:
    """A tool the model may call, with the handler that runs it."""

    name: str
    """Tool name on the wire."""
    description: str
    """What the tool does, for the model."""
    input_schema: dict[str, Any]
    """JSON schema of the input."""
    handler: Handler
    """Called with the validated input as keyword arguments (sync or async)."""
    model: type[BaseModel] | None = None
    """Input model used for validation, when built from a function."""

    @classmethod
    def from_function(
        cls, fn: Handler, *, name: str | None = None, description: str | None = None
    ) -> Tool:
        """Build a tool from a typed function: its signature is the input schema."""
        fields: dict[str, Any] = {}
        for param in inspect.signature(fn).parameters.values():
            annotation = Any if param.annotation is inspect.Parameter.empty else param.annotation
            default = ... if param.default is inspect.Parameter.empty else param.default
            fields[param.name] = (annotation, default)
        model = create_model(f"{fn.__name__}_input", **fields)
        schema = model.model_json_schema()
        schema.pop("title", None)
        return cls(
            name=name or fn.__name__,
            description=description or inspect.getdoc(fn) or fn.__name__,
            input_schema=schema,
            handler=fn,
            model=model,
        )

    def param(self) -> ToolParam:
        """The Messages API tool definition."""
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
        }

    def arguments(self, raw: Any) -> dict[str, Any]:
        """Validate the model's input; raises ToolFailure with a readable message."""
        if not isinstance(raw, dict):
            raise ToolFailure("tool input must be a JSON object")
        if self.model is None:
            return raw
        try:
            return dict(self.model.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "input"
            raise ToolFailure(f"invalid input: {where}: {first['msg']}") from exc


def result_content(value: Any) -> str:
    """A handler's return value as tool_result text."""
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, default=str)
