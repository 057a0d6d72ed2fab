"""Persona scripts: the schema trainers write, loading with file:line errors, the CLI."""
