"""Detectors: annotate turns with signals for the guard's rules."""

from ._learned import LearnedDetector
from ._protocol import Annotation, Detector, Signal, TurnText
from ._rules import RuleDetector

__all__ = ["Annotation", "Detector", "LearnedDetector", "RuleDetector", "Signal", "TurnText"]
