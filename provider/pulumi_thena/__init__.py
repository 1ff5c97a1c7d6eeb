"""pulumi-thena: Thena workflows as code."""

__all__: list[str] = []
