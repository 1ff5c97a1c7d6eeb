"""The guardrails' CrossGuard policy pack directory: ``pulumi preview --policy-pack <this dir>``.

``thena-workflows guardrails pack-path`` prints where it is installed; ``__main__.py`` is what
the engine runs (``python -m pulumi.policy ... <this dir>``), ``PulumiPolicy.yaml`` describes it.
"""
