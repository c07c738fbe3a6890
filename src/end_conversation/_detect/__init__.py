"""Detectors: annotate turns with signals for the guard's rules."""

from ._learned import LearnedDetector
from ._protocol import Annotation, Detector, Signal, TurnText
from ._rules import RuleDetector

__all__ = [
    "Annotation",
    "Detector",
    "LearnedDetector",
    "RuleDetector",
    "Signal",
    "TurnText",
    "default_detectors",
]


def default_detectors() -> tuple[Detector, ...]:
    """What a `Guard` reads turns with unless told otherwise: the learned detector for
    risk, distress, abuse, harmful requests, refusals, redirections and warnings, and
    the phrase rules in backstop mode (their high-precision risk phrases, and what
    they read best: end requests, confirmation questions and answers, talk of a past
    end). Loads nothing: the model is read on the first decision."""
    return (RuleDetector(backstop=True), LearnedDetector())
