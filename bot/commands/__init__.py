"""Chat commands: pure parser and registry (names, roles, usage, help), then handlers."""
