"""The shared SPEC vocabulary and the provider's models say the same thing."""

from pulumi_thena.models import ExecutionStatus, FilterOperatorCatalog, TaskStatus
from pulumi_thena.spec.operators import LOGICAL_OPERATORS, OPERATOR_CATEGORIES, default_catalog_wire
from pulumi_thena.spec.statuses import EXECUTION_STATUSES, TASK_STATUSES


def test_status_enums_are_the_spec_vocabularies() -> None:
    assert tuple(ExecutionStatus) == EXECUTION_STATUSES
    assert tuple(TaskStatus) == TASK_STATUSES


def test_the_default_catalogue_parses_and_names_every_operator() -> None:
    catalog = FilterOperatorCatalog.model_validate(default_catalog_wire())
    assert catalog.names() == frozenset((*OPERATOR_CATEGORIES, *LOGICAL_OPERATORS))
