"""Cross-cutting configuration and logging for the app side."""
