"""The Workflow resource: its dynamic provider and the ``Workflow`` class programs declare.

Inputs are canonical definition fields (the API's camelCase names) plus ``owner``,
``adoptExisting`` and ``guardrailExemptions`` (never sent to the API). Outputs are the canonical
inputs plus what only the API knows (``uniqueIdentifier``, ``uid``, ``version``, ``createdAt``,
``updatedAt``). In inputs, outputs and state the definition is one JSON text, ``definition``
(``diff.encoding``): the provider decodes what the engine hands it and encodes what it answers.

The owner is stamped into the workflow's metadata so that a create whose answer was lost is
found again instead of duplicated, and so that two stacks never touch each other's workflows.

Every engine operation starts a fresh provider process, and most of its workflows are
unchanged. The program therefore declares inputs already in canonical form, and the provider
below answers ``check`` and ``diff`` of an unchanged workflow by comparing them with what the
last ``check`` returned, without importing the models or the client. Everything else goes to
``workflow_lifecycle``, imported on first need.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from pulumi_thena.diff.encoding import (
    DEFINITION,
    ENCODED_FIELDS,
    decoded,
    encode_value,
    encoded,
    unknown_definition,
)
from pulumi_thena.diff.keys import (
    ADOPT_EXISTING,
    DECLARED_OUTPUTS,
    GUARDRAIL_EXEMPTIONS,
    OUTPUT_FIELDS,
    OWNER,
    PROVIDER_KEY,
    raw_changes,
)
from pulumi_thena.diff.ownership import owner_of
from pulumi_thena.models.fields import DEFINITION_FIELDS
from pulumi_thena.resources import host
from pulumi_thena.resources.session import configure_session
from pulumi_thena.resources.watchdog import start_watchdog

if TYPE_CHECKING:
    from pulumi_thena.models import WorkflowDefinition

# The inputs as the program declares them and ``check`` returns them: the definition as one
# text, activation, and the settings.
_ENCODED_INPUTS = (DEFINITION, "isActive", OWNER, ADOPT_EXISTING, GUARDRAIL_EXEMPTIONS)
_INPUTS = frozenset(_ENCODED_INPUTS)

# What diff compares: the definition, the owner (after a rename through an alias the marker in
# Thena must follow, or a new resource of the old name would adopt this workflow as its own) and
# the guardrail exemptions (an update that records them in state, with no API call). First as
# encoded, then field by field once decoded (state written by 0.2.0 holds separate fields).
_COMPARED_ENCODED = (DEFINITION, "isActive", OWNER, GUARDRAIL_EXEMPTIONS)
_COMPARED = (*DEFINITION_FIELDS, OWNER, GUARDRAIL_EXEMPTIONS)

# Inputs that can change without a new validation: their values are taken as they are.
_SETTINGS_TYPES: dict[str, type] = {
    "isActive": bool,
    ADOPT_EXISTING: bool,
    OWNER: str,
    GUARDRAIL_EXEMPTIONS: list,
}


def _lifecycle() -> ModuleType:
    # httpx imports its own command-line client when rich and click are installed (they are,
    # for ours): about 40 ms of imports that a provider process never uses. Blocking that one
    # module makes httpx fall back to a stub of its CLI, in this process only.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    from pulumi_thena.resources import workflow_lifecycle  # deferred: see the docstring

    return workflow_lifecycle


class WorkflowProvider(ResourceProvider):
    """The dynamic provider of ``thena:Workflow``; pickled by reference and holding no state."""

    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        host.install()  # a WorkflowError reaches the user as its message, without a traceback
        start_watchdog()  # the process exits when the engine that started it is gone
        configure_session(req.config.get)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        props = {k: v for k, v in news.items() if k not in OUTPUT_FIELDS and k != PROVIDER_KEY}
        unchanged = _unchanged_inputs(olds, props)
        if unchanged is not None:
            return CheckResult(unchanged, [])
        if unknown_definition(props):  # preview, a value not known yet: nothing to check
            return CheckResult(props, [])
        result: CheckResult = _lifecycle().check(decoded(olds), decoded(props))
        failures = result.failures
        if DEFINITION in props:  # the engine looks a failure's property up among the inputs
            failures = [_in_definition(failure) for failure in failures]
        return CheckResult(encoded(result.inputs), failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        encoded_both = DEFINITION in olds and DEFINITION in news
        if encoded_both and not raw_changes(olds, news, _COMPARED_ENCODED):
            return DiffResult(changes=False, replaces=[])
        if unknown_definition(news):  # preview: known at `up`
            return DiffResult(changes=True, replaces=[])
        olds, news = decoded(olds), decoded(news)
        if not raw_changes(olds, news, _COMPARED):  # the same, in separate fields in older state
            return DiffResult(changes=False, replaces=[])
        result: DiffResult = _lifecycle().diff(olds, news)
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        result: CreateResult = _lifecycle().create(decoded(props))
        return CreateResult(result.id, encoded(result.outs or {}))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        result: ReadResult = _lifecycle().read(id_, decoded(props))
        inputs = None if result.inputs is None else encoded(result.inputs)
        return ReadResult(result.id, encoded(result.outs or {}), inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        result: UpdateResult = _lifecycle().update(id_, decoded(olds), decoded(news))
        return UpdateResult(encoded(result.outs or {}))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _lifecycle().delete(id_, props)  # the owner and the name: never encoded


def _unchanged_inputs(olds: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The checked inputs of a workflow whose definition is as last checked, else None.

    ``olds`` are what ``check`` returned last time: valid and canonical. When the new inputs hold
    no other key and the same definition text (the program declares canonical form), they need
    no validation; only activation or a setting (owner, adoptExisting, guardrailExemptions) may
    have changed.
    """
    if not olds or not props.keys() <= _INPUTS or DEFINITION not in olds:
        return None
    changed = raw_changes(olds, props, _ENCODED_INPUTS)
    if any(type(props.get(key)) is not _SETTINGS_TYPES.get(key) for key in changed):
        return None
    kept = {key: olds[key] for key in _ENCODED_INPUTS if key in olds}
    return {**kept, **{key: props[key] for key in changed}}


def _in_definition(failure: CheckFailure) -> CheckFailure:
    """A failure of a definition field as one of ``definition`` (its reason names the path)."""
    if failure.property in ENCODED_FIELDS:
        return CheckFailure(DEFINITION, failure.reason)
    return failure


class Workflow(pulumi.dynamic.Resource, module="thena", name="Workflow"):
    """A Thena workflow managed by Pulumi (type ``pulumi-python:dynamic/thena:Workflow``)."""

    def __init__(
        self,
        resource_name: str,
        definition: WorkflowDefinition | Mapping[str, Any] | None = None,
        *,
        is_active: bool | None = None,
        adopt_existing: bool = False,
        guardrail_exemptions: Sequence[Mapping[str, str]] = (),
        opts: pulumi.ResourceOptions | None = None,
        **fields: Any,
    ) -> None:
        props = _definition_props(definition, fields)
        if is_active is not None:
            props["isActive"] = is_active
        props.setdefault("isActive", True)
        props[OWNER] = owner_of(pulumi.get_project(), pulumi.get_stack(), resource_name)
        # Each property is an Output the SDK waits for, one by one: the settings are declared
        # only when set (none: no property, as a missing one reads), and of the API's outputs
        # only those a program reads (uid, createdAt and updatedAt are in state all the same).
        if adopt_existing:
            props[ADOPT_EXISTING] = True
        if guardrail_exemptions:
            props[GUARDRAIL_EXEMPTIONS] = [dict(item) for item in guardrail_exemptions]
        props.update({key: None for key in DECLARED_OUTPUTS})
        super().__init__(WorkflowProvider(), resource_name, _encoded_inputs(props), opts)

    # The SDK sets each property as an attribute under its wire (camelCase) name; `version`
    # and `definition` need no alias. The snake_case names below are read-only views.
    # `version` and `definition` are typed by getters, not by class annotations: the SDK reads
    # a getter's type once per class, but resolves class annotations again for every resource
    # it registers (typing.get_type_hints on a copy of the modules' globals: about 0.4 ms each).
    @property
    @pulumi.getter
    def version(self) -> pulumi.Output[int]:
        """The version the API gives the workflow; a number from the engine is made an int."""
        output: pulumi.Output[int] = pulumi.get(self, "version")
        return output

    @property
    @pulumi.getter
    def definition(self) -> pulumi.Output[str]:
        """The definition (every field but ``isActive``) as JSON text; ``.apply(json.loads)``."""
        output: pulumi.Output[str] = pulumi.get(self, "definition")
        return output

    @property
    def unique_identifier(self) -> pulumi.Output[str]:
        output: pulumi.Output[str] = self._output("uniqueIdentifier")
        return output

    @property
    def is_active(self) -> pulumi.Output[bool]:
        output: pulumi.Output[bool] = self._output("isActive")
        return output

    def _output(self, key: str) -> Any:
        return getattr(self, key)


def _encoded_inputs(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` with the definition as one JSON text; a definition holding an ``Output`` (a
    secret, another resource's value) becomes text once its values are known."""
    out = encoded(props)
    held = {key: out.pop(key) for key in ENCODED_FIELDS if key in out}
    waiting = {key: value for key, value in held.items() if value is not None}
    if waiting:
        out[DEFINITION] = pulumi.Output.all(**waiting).apply(encode_value)
    return out


def _definition_props(
    definition: WorkflowDefinition | Mapping[str, Any] | None, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The definition as wire fields, canonical where possible (see ``declared_inputs``)."""
    # Deferred: only programs declare resources; the provider process never needs these.
    from pydantic.alias_generators import to_camel

    from pulumi_thena.diff.canonical import declared_inputs
    from pulumi_thena.models import WorkflowDefinition

    if isinstance(definition, WorkflowDefinition) and not fields:
        return definition.canonical().to_wire()  # validated already: no second validation
    if isinstance(definition, WorkflowDefinition):
        props: dict[str, Any] = definition.to_wire()
    else:
        props = dict(definition or {})
    python_fields = {to_camel(name): name for name in WorkflowDefinition.model_fields}
    for key, value in fields.items():
        camel = to_camel(key)
        if camel not in python_fields:
            known = ", ".join(sorted(python_fields.values()))
            raise TypeError(f"Workflow got an unknown argument '{key}'; known arguments: {known}")
        props[camel] = value
    return declared_inputs(props)
