"""Command bodies: plain functions returning an exit code; click stays in engine.cli."""
