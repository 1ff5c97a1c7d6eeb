"""Provider errors, by whose fault they are: the user's input, the API, or the provider itself.

    WorkflowError                  any error of a lifecycle method; one line naming the workflow
    ├── ConfigurationError         the user: a missing or wrong setting (API key, URL)
    ├── OwnershipError             the user: the workflow belongs to another stack or resource
    ├── DefinitionError            the user: the definition breaks a rule only the API could check
    └── ApiCallError               the API: a call failed; the client error is the cause

A bug in the provider surfaces as any other exception, with its traceback.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """An error whose message alone tells the user what happened and what to do."""


class ConfigurationError(WorkflowError):
    pass


class OwnershipError(WorkflowError):
    pass


class DefinitionError(WorkflowError):
    pass


class ApiCallError(WorkflowError):
    pass
