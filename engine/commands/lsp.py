"""``hrpolicy lsp``: run the language server over stdio."""

from __future__ import annotations

from engine.lsp import serve_stdio


def run_lsp(schema: bool, lang: str | None = None) -> int:
    """Serve until the editor closes the connection; 0 then."""
    serve_stdio(schema, lang)
    return 0
