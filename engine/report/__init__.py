"""Renderers in plain registries: diagnostics (text, json, github, sarif, junit), results (text, json,
csv), policy tests (text, json, junit, sarif, github)."""
