"""Thena Workflows API client: ``ThenaClient`` plus its configuration and error types.

Names load on first use (the stub ``__init__.pyi`` lists them), so that importing one
submodule, as the provider's no-op path does, does not import them all.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
