"""The pack the engine runs: the stack's guardrails, as ``pulumi_thena.guardrails.crossguard``
makes them from the stack's config and the registry (docs/guardrails.md)."""

from pulumi_thena.guardrails.crossguard import serve

serve()
