"""Command families of the `drg` CLI."""
