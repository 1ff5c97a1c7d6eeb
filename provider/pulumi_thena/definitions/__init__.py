"""Workflows as files: YAML definitions, stack variables and secrets, stack policy, JSON Schema.

    load_stack(project_dir, stack)          read stacks/Pulumi.<stack>.yaml, load what it deploys
    stack_from_config(project_dir, ...)     the same inside a Pulumi program (engine config)
    declare_workflows(loaded, policy)       one Workflow resource per selected file
    declare_workflows_async(loaded, policy) the same in turns with the engine (for pulumi.run)
    load_definitions(directory, subs)       just the files, with given variables and secrets

Every problem of every file and setting is collected and raised as one DefinitionLoadError.
"""

from pulumi_thena.definitions.errors import DefinitionLoadError, FileProblem
from pulumi_thena.definitions.loader import LoadedWorkflow, collect_definitions, load_definitions
from pulumi_thena.definitions.policy import Activation, StackPolicy
from pulumi_thena.definitions.program import (
    declare_workflow,
    declare_workflows,
    declare_workflows_async,
    stack_from_config,
    workflow_exports,
)
from pulumi_thena.definitions.schema import (
    SCHEMA_FILE,
    project_schemas,
    render_schema,
    stale_schemas,
    workflow_file_schema,
    write_schemas,
)
from pulumi_thena.definitions.stack import (
    SETTING_KEYS,
    StackDefinitions,
    StackSettings,
    load_stack,
)
from pulumi_thena.definitions.variables import REDACTED, UNRESOLVED, Substitutions
from pulumi_thena.definitions.workflow_file import FILE_ONLY_FIELDS, WorkflowFile
from pulumi_thena.definitions.yamlfile import MAX_FILE_BYTES

__all__ = [
    "FILE_ONLY_FIELDS",
    "MAX_FILE_BYTES",
    "REDACTED",
    "SCHEMA_FILE",
    "SETTING_KEYS",
    "UNRESOLVED",
    "Activation",
    "DefinitionLoadError",
    "FileProblem",
    "LoadedWorkflow",
    "StackDefinitions",
    "StackPolicy",
    "StackSettings",
    "Substitutions",
    "WorkflowFile",
    "collect_definitions",
    "declare_workflow",
    "declare_workflows",
    "declare_workflows_async",
    "load_definitions",
    "load_stack",
    "project_schemas",
    "render_schema",
    "stack_from_config",
    "stale_schemas",
    "workflow_exports",
    "workflow_file_schema",
    "write_schemas",
]
