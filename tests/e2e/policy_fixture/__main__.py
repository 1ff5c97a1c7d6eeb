"""A test fixture, not the project's rules: two policies that prove what a pack sees of Workflows.

The mandatory rule stops a workflow whose name contains "forbidden". The advisory rule reports,
for every workflow, the type token, name and step identifiers the pack received, so that the
end-to-end test can compare them with the definition files.
"""

import json
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

# What `Workflow(pulumi.dynamic.Resource, module="thena", name="Workflow")` registers; every other
# dynamic resource of a Python program is pulumi-python:dynamic:Resource or its own module/name.
WORKFLOW_TYPE = "pulumi-python:dynamic/thena:Workflow"


def no_forbidden_name(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != WORKFLOW_TYPE:
        return
    name = _definition(args)["name"]
    if "forbidden" in name.lower():
        report_violation(
            f"workflow {args.name}: field name is {name!r}, which contains 'forbidden'; "
            f"rename the workflow in stacks/workflows/{args.name}.yaml",
            None,
        )


def echo_what_the_pack_sees(
    args: ResourceValidationArgs, report_violation: ReportViolation
) -> None:
    if args.resource_type != WORKFLOW_TYPE:
        return
    definition = _definition(args)
    steps: list[Any] = [step["stepIdentifier"] for step in definition["workflowDefinition"]]
    report_violation(
        f"pack-saw {args.name} type={args.resource_type} name={definition['name']!r} steps={steps}",
        None,
    )


def _definition(args: ResourceValidationArgs) -> dict[str, Any]:
    """A Workflow's definition fields: one JSON text, ``definition``, in its inputs."""
    fields: dict[str, Any] = json.loads(args.props["definition"])
    return fields


PolicyPack(
    name="thena-e2e-fixture",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="workflow-name-not-forbidden",
            description="A workflow's name must not contain 'forbidden'.",
            validate=no_forbidden_name,
        ),
        ResourceValidationPolicy(
            name="workflow-echo",
            description="Reports what the pack receives of each workflow.",
            enforcement_level=EnforcementLevel.ADVISORY,
            validate=echo_what_the_pack_sees,
        ),
    ],
)
