"""Prompt-engineering workbench: scenario suites, evaluation against the model or the
guard, record/replay, and reports.

    from end_conversation.workbench import load_suite, run_guard, to_markdown
    print(to_markdown(run_guard(load_suite("starter"))))
"""

from ._judge import Outcome, guard_messages, judge_guard, judge_model
from ._render import to_html, to_json, to_markdown, to_table
from ._report import Cell, Report, Usage, build_report
from ._run import EvalSettings, ResponseCache, Variant, load_variant, run_guard, run_model
from ._scenario import (
    CATEGORIES,
    Category,
    Expect,
    Scenario,
    dump_suite,
    load_suite,
    select,
    starter_suite,
    suite_schema,
)

__all__ = [
    "CATEGORIES",
    "Category",
    "Cell",
    "EvalSettings",
    "Expect",
    "Outcome",
    "Report",
    "ResponseCache",
    "Scenario",
    "Usage",
    "Variant",
    "build_report",
    "dump_suite",
    "guard_messages",
    "judge_guard",
    "judge_model",
    "load_suite",
    "load_variant",
    "run_guard",
    "run_model",
    "select",
    "starter_suite",
    "suite_schema",
    "to_html",
    "to_json",
    "to_markdown",
    "to_table",
]
