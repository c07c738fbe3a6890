"""The guard layer: pure decisions about end_conversation calls."""

from ._guard import Guard
from ._policy import Mode, Policy
from ._verdict import Decision, ReasonCode, Verdict, Versions

__all__ = ["Decision", "Guard", "Mode", "Policy", "ReasonCode", "Verdict", "Versions"]
