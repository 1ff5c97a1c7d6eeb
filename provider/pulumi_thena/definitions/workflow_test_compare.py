"""A test case's expectations against the runs the evaluator made of its event: expected / got.

    compare_case(case, runs, where, locate)   -> [Mismatch, ...]; none when the case passes

``runs`` maps each workflow the stack deploys (file stem) to its ``spec.runs.Run``. ``where``
is the case's ``expect`` path in the test file (``cases[2].expect``): each mismatch carries the
path of the expectation it breaks, so that the caller can name its line. ``locate`` turns a
field path of a workflow file (``filters.~and[0].priority.~eq``) into ``file:line``, so that a
reason names the filter that did not match and where it is written.

How each expectation compares is stated in docs/workflow-tests.md; in short: lists of steps
exactly and in order, ``skipped`` and ``waits`` exactly, ``inputs`` and ``tasks`` only in the
fields given, ``why`` and skip reasons as parts of the text, and no template may stay
unresolved unless ``unresolved`` lists it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_thena.definitions.workflow_test_file import (
    ExpectedTask,
    WorkflowExpectation,
    WorkflowTestCase,
)
from pulumi_thena.spec.graph import ref_sort_key
from pulumi_thena.spec.runs import Run
from pulumi_thena.spec.trace import SKIPPED, StepRecord, step_number

Locate = Callable[[str, str], str | None]
"""(workflow stem, field path in its file) -> ``file:line``, or None when unknown."""

_CONDITION: Final = re.compile(
    r"((?:workflowDefinition\[\d+\]\.)?filters(?:[.\[][^:;]*)?|isActive|triggerEvent): "
)
LONG: Final = 160
"""A headline longer than this shows expected and got on lines of their own."""
_TASK_FIELDS: Final = {
    "step": "stepIdentifier",
    "activity": "activity",
    "status": "status",
    "is_retry": "isRetry",
    "is_compensation": "isCompensation",
}


@dataclass(frozen=True)
class Mismatch:
    """One expectation that did not hold: where it is written, what was expected and got."""

    path: str
    """The expectation's field path in the test file (``cases[0].expect.workflows.x.steps``)."""
    workflow: str | None
    what: str
    """What is compared: ``triggers``, ``triggered``, ``steps``, ``inputs.1.text``, ..."""
    expected: Any
    got: Any
    details: tuple[str, ...] = ()
    missing: bool = False
    """``got`` is nothing at all (a field the input does not have), not a null."""

    @property
    def subject(self) -> str:
        return f"{self.workflow}: {self.what}" if self.workflow else self.what

    def headline(self) -> str:
        got = "nothing" if self.missing else shown(self.got)
        return f"{self.subject}: expected {shown(self.expected)}, got {got}"

    def describe(self) -> list[str]:
        """The headline, or for long values the subject with expected and got below it (a list
        one item a line); then the details."""
        headline = self.headline()
        if len(headline) <= LONG:
            return [headline, *self.details]
        return [
            f"{self.subject}:",
            *_block("expected", self.expected, False),
            *_block("got", self.got, self.missing),
            *self.details,
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "workflow": self.workflow,
            "what": self.what,
            "expected": self.expected,
            "got": None if self.missing else self.got,
            "missing": self.missing,
            "message": self.headline(),
            "details": list(self.details),
        }


def _block(label: str, value: Any, missing: bool) -> list[str]:
    if missing:
        return [f"{label}: nothing"]
    if isinstance(value, list) and value:
        return [f"{label}:", *(f"  - {shown(item)}" for item in value)]
    return [f"{label}: {shown(value)}"]


def shown(value: Any) -> str:
    """A value as the test file would write it: JSON, step identifiers as numbers."""
    return json.dumps(value, ensure_ascii=False, default=str)


def compare_case(
    case: WorkflowTestCase, runs: Mapping[str, Run], where: str, locate: Locate
) -> list[Mismatch]:
    """Every expectation of ``case`` that its runs do not meet."""
    found: list[Mismatch] = []
    triggered = sorted(stem for stem, run in runs.items() if run.triggered)
    wanted = case.expect.triggers
    if wanted is not None and sorted(set(wanted)) != triggered:
        described = set(case.expect.workflows)
        details = [*_untriggered(wanted, runs, locate, described), *_unwanted(wanted, triggered)]
        found.append(
            Mismatch(
                f"{where}.triggers",
                None,
                "triggers",
                sorted(set(wanted)),
                triggered,
                tuple(details),
            )
        )
    for stem, expectation in case.expect.workflows.items():
        path = f"{where}.workflows.{stem}"
        found += WorkflowComparison(stem, runs[stem], expectation, path, locate).mismatches()
    return found


def _untriggered(
    wanted: Sequence[str], runs: Mapping[str, Run], locate: Locate, described: set[str]
) -> Iterator[str]:
    for stem in sorted(set(wanted)):
        run = runs.get(stem)
        if run is None or run.triggered:
            continue
        if stem in described:  # its own expectation below says why
            yield f"{stem} did not trigger (why: under workflows.{stem})"
            continue
        yield f"{stem} did not trigger:"
        yield from (f"  {line}" for line in located(stem, run.trigger.why, locate))


def _unwanted(wanted: Sequence[str], triggered: Sequence[str]) -> Iterator[str]:
    for stem in triggered:
        if stem not in wanted:
            yield f"{stem} triggered, and the case does not expect it"


def located(stem: str, reasons: Sequence[str], locate: Locate) -> list[str]:
    """Each reason with the place in the workflow file of the condition it names."""
    out = []
    for reason in reasons:
        places = [locate(stem, match.group(1)) for match in _CONDITION.finditer(reason)]
        known = list(dict.fromkeys(place for place in places if place))
        out.append(f"{reason} ({', '.join(known)})" if known else reason)
    return out


class WorkflowComparison:
    """One workflow's expectation against its run."""

    def __init__(
        self, stem: str, run: Run, expectation: WorkflowExpectation, path: str, locate: Locate
    ) -> None:
        self.stem, self.run, self.expectation = stem, run, expectation
        self.path, self.locate = path, locate

    def mismatches(self) -> list[Mismatch]:
        expectation, run = self.expectation, self.run
        if not expectation.triggered:
            return self._not_triggered()
        if not run.triggered:
            why = tuple(located(self.stem, run.trigger.why, self.locate))
            return [self._mismatch("triggered", "triggered", True, False, why)]
        found: list[Mismatch] = []
        if expectation.status is not None and expectation.status != run.status:
            found.append(self._story_mismatch("status", expectation.status, run.status))
        found += self._exact_list("steps", expectation.steps, self.started_steps())
        found += self._exact_list("waits", expectation.waits, [w.step for w in run.waits])
        found += self._exact_list("compensation", expectation.compensation, run.compensated)
        found += self._skipped()
        found += self._tasks()
        found += self._inputs()
        found += self._unresolved()
        return found

    # -- what the run did ----------------------------------------------------------------------

    def started_steps(self) -> list[str]:
        """The steps that got a task, in the order their first task appeared."""
        order = [task.step for task in self.run.tasks if not task.is_compensation]
        return list(dict.fromkeys(order))

    def story(self) -> tuple[str, ...]:
        """What became of each step, and why, for a mismatch about the run as a whole."""
        lines = []
        for record in self.run.steps.values():
            lines.append(self._step_line(record))
        return tuple(lines)

    def _step_line(self, record: StepRecord) -> str:
        """``step 2 skipped: its filter did not match: ... (file:line)``."""
        why = located(self.stem, [record.why], self.locate)[0] if record.why else ""
        why = why.removeprefix("not run: ")  # the state says so already
        return f"step {step_number(record.step)} {record.state}{': ' + why if why else ''}"

    # -- the comparisons -----------------------------------------------------------------------

    def _not_triggered(self) -> list[Mismatch]:
        run = self.run
        if run.triggered:
            return [
                self._mismatch(
                    "triggered",
                    "triggered",
                    False,
                    True,
                    (f"it ran and stopped {run.status}; its filters matched the event",),
                )
            ]
        reasons = " | ".join(run.trigger.why)
        missing = [text for text in self.expectation.why or () if text not in reasons]
        if not missing:
            return []
        why = tuple(located(self.stem, run.trigger.why, self.locate))
        return [self._mismatch("why", "why", missing, list(run.trigger.why), why)]

    def _exact_list(
        self, field: str, wanted: Sequence[str] | None, got: Sequence[str]
    ) -> list[Mismatch]:
        if wanted is None or list(wanted) == list(got):
            return []
        return [self._story_mismatch(field, _numbers(wanted), _numbers(got))]

    def _skipped(self) -> list[Mismatch]:
        wanted = self.expectation.skipped
        if wanted is None:
            return []
        got = {ref: r.why for ref, r in self.run.steps.items() if r.state == SKIPPED}
        if sorted(wanted) != sorted(got):
            expected, actual = sorted(wanted, key=ref_sort_key), sorted(got, key=ref_sort_key)
            return [self._story_mismatch("skipped", _numbers(expected), _numbers(actual))]
        return [
            self._mismatch(
                f"skipped.{step_number(ref)}",
                f"skipped.{ref}",
                text,
                got[ref],
                tuple(located(self.stem, [got[ref]], self.locate)),
            )
            for ref, text in wanted.items()
            if text not in got[ref]
        ]

    def _tasks(self) -> list[Mismatch]:
        wanted = self.expectation.tasks
        if wanted is None:
            return []
        got = [task.to_json() for task in self.run.tasks]
        if len(wanted) != len(got):
            return [
                self._story_mismatch(
                    "tasks", [_task_summary(t) for t in wanted], [_got_summary(t) for t in got]
                )
            ]
        found = []
        for index, (expected, task) in enumerate(zip(wanted, got, strict=True)):
            for name in sorted(expected.model_fields_set):
                value, actual = getattr(expected, name), task[_TASK_FIELDS[name]]
                if name == "step":
                    value = step_number(value)
                if value != actual:
                    key = _TASK_FIELDS[name]
                    found.append(
                        self._mismatch(
                            f"tasks[{index}].{key}", f"tasks[{index}].{_alias(name)}", value, actual
                        )
                    )
        return found

    def _inputs(self) -> list[Mismatch]:
        found: list[Mismatch] = []
        for ref, wanted in (self.expectation.inputs or {}).items():
            record = self.run.steps.get(ref)
            what = f"inputs.{step_number(ref)}"
            if record is None:
                steps = ", ".join(str(step_number(s)) for s in self.run.steps)
                found.append(
                    self._mismatch(
                        what,
                        f"inputs.{ref}",
                        wanted,
                        None,
                        (f"the workflow's steps are {steps}",),
                        missing=True,
                    )
                )
            elif record.input is None:
                details = (self._step_line(record),)
                found.append(
                    self._mismatch(what, f"inputs.{ref}", wanted, None, details, missing=True)
                )
            else:
                for leaf, expected, got, missing in differences(wanted, record.input):
                    found.append(
                        self._mismatch(
                            f"{what}{leaf}", f"inputs.{ref}{leaf}", expected, got, missing=missing
                        )
                    )
        return found

    def _unresolved(self) -> list[Mismatch]:
        got = self._unresolved_templates()
        wanted = self.expectation.unresolved
        if wanted is None:
            if not got:
                return []
            details = tuple(
                f"{{{{{template}}}}} did not resolve in step {step}: {_unresolved_hint(template)}, "
                "fix the path, or list it under 'unresolved'"
                for template, step in got.items()
            )
            return [self._mismatch("unresolved", "unresolved", [], sorted(got), details)]
        if sorted(set(wanted)) == sorted(got):
            return []
        return [self._mismatch("unresolved", "unresolved", sorted(set(wanted)), sorted(got))]

    def _unresolved_templates(self) -> dict[str, int | str]:
        """Each template that did not resolve in an input that ran, with the first such step."""
        found: dict[str, int | str] = {}
        for task in self.run.tasks:
            for template in task.unresolved:
                found.setdefault(template, step_number(task.step))
        return found

    # -- building mismatches -------------------------------------------------------------------

    def _story_mismatch(self, what: str, expected: Any, got: Any) -> Mismatch:
        return self._mismatch(what, what, expected, got, self.story())

    def _mismatch(
        self,
        what: str,
        field: str,
        expected: Any,
        got: Any,
        details: tuple[str, ...] = (),
        *,
        missing: bool = False,
    ) -> Mismatch:
        return Mismatch(f"{self.path}.{field}", self.stem, what, expected, got, details, missing)


_STEP_RESULT: Final = re.compile(r"^context\.steps\.([^.\[]+)")


def _unresolved_hint(template: str) -> str:
    """What gives a template its value in a test: a step's result, the event, or an entity."""
    step = _STEP_RESULT.match(template)
    if step:
        return f"give step {step.group(1)}'s result under 'results'"
    if template.startswith("context.event."):
        return "add it to the event (payload, actor or messageAttributes)"
    return "give the entity an annotation loads under 'entities'"


def differences(wanted: Any, got: Any, path: str = "") -> Iterator[tuple[str, Any, Any, bool]]:
    """Where ``got`` differs in the fields ``wanted`` gives: (path, wanted, got, missing).

    Objects compare only the keys given, at any depth; lists compare item by item and by length;
    numbers by value (``1`` is ``1.0``), but a boolean is never a number.
    """
    if isinstance(wanted, dict) and isinstance(got, dict):
        for key, value in wanted.items():
            if key not in got:
                yield f"{path}.{key}", value, None, True
            else:
                yield from differences(value, got[key], f"{path}.{key}")
    elif isinstance(wanted, list) and isinstance(got, list) and len(wanted) == len(got):
        for index, (item, actual) in enumerate(zip(wanted, got, strict=True)):
            yield from differences(item, actual, f"{path}[{index}]")
    elif not same(wanted, got):
        yield path, wanted, got, False


def same(left: Any, right: Any) -> bool:
    """Equal as JSON values: numbers by value, booleans only with booleans."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and left == right


def _numbers(refs: Sequence[str]) -> list[int | str]:
    return [step_number(ref) for ref in refs]


def _alias(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _task_summary(task: ExpectedTask) -> str:
    """An expected task as ``3 slack:send-message FAILED retry``, with the fields given."""
    kind = None
    if task.is_compensation:
        kind = "compensation"
    elif task.is_retry is not None:
        kind = "retry" if task.is_retry else "run"
    parts = [step_number(task.step), task.activity, task.status, kind]
    return " ".join(str(part) for part in parts if part is not None)


def _got_summary(task: Mapping[str, Any]) -> str:
    """A task of the run as ``3 slack:send-message FAILED retry``."""
    kind = "compensation" if task["isCompensation"] else "retry" if task["isRetry"] else "run"
    return f"{task['stepIdentifier']} {task['activity']} {task['status']} {kind}"
