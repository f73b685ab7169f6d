"""Renderers: diagnostics (text, json, github) and results (text, json, csv) in plain registries."""
