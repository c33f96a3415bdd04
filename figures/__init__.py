"""What a reader sees: figures drawn only from saved ``verify`` results (ARCHITECTURE.md)."""

__all__: list[str] = []
