"""``hrpolicy lsp``: a language server that shows ``validate``'s meaning diagnostics in editors.

It runs beside yaml-language-server (which checks the shape through the same JSON Schema): this
one adds what the schema cannot say (quotas adding up to 99, a gap between grade bands, an unknown
formula name), at the same lines and columns and with the same rule ids as ``hrpolicy validate``,
and quick fixes for its "did you mean" suggestions. pygls is imported only when the server starts
(``pip install 'hrpolicy[lsp]'``).
"""

from __future__ import annotations

from engine.errors import UsageError

INSTALL_HINT = "hrpolicy lsp needs pygls: pip install 'hrpolicy[lsp]'"


def serve_stdio(schema: bool = False, lang: str | None = None) -> None:
    """Serve over standard input and output until the client exits (``lang``: the language when
    the editor names none in ``initializationOptions``)."""
    try:
        from engine.lsp.server import build_server
    except ImportError as exc:
        raise UsageError(f"{INSTALL_HINT} ({exc})") from None
    build_server(schema, lang).start_io()
