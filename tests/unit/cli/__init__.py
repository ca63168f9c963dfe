"""Unit tests of the CLI commands that need no broker or database."""
