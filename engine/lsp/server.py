"""The language server (pygls): ``validate``'s diagnostics as the user types, quick fixes, and
the policy's stamp (id, version, content hash) on hover over its ``metadata:`` block.

Diagnostics are published on open, change (full text sync) and save, and cleared on close. A
diagnostic whose suggestion is "did you mean 'x'?" carries ``x`` in its ``data``; the code action
for it replaces the word the diagnostic covers.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from engine import __version__
from engine.errors import Severity
from engine.lsp.convert import EditorDiagnostic, editor_diagnostics, language_of, stamp_hover

SOURCE = "hrpolicy"
_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning}


def _diagnostic(d: EditorDiagnostic) -> lsp.Diagnostic:
    where = lsp.Range(lsp.Position(d.line, d.start), lsp.Position(d.line, d.end))
    data = {"replacement": d.replacement} if d.replacement else None
    return lsp.Diagnostic(
        where, d.message, severity=_SEVERITY[d.severity], code=d.rule, source=SOURCE, data=data
    )


def build_server(schema: bool = False, lang: str | None = None) -> LanguageServer:
    """A server publishing hrpolicy diagnostics (``schema``: shape errors too), the fields their
    messages name by the policy's labels in the editor's language: ``initializationOptions``
    ``{"lang": "ko"}``, else ``lang`` (``--lang``), else the client's locale."""
    server = LanguageServer("hrpolicy", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
    chosen: dict[str, str | None] = {"lang": lang}

    @server.feature(lsp.INITIALIZE)
    def initialize(params: lsp.InitializeParams) -> None:
        chosen["lang"] = language_of(params.initialization_options, params.locale, lang)

    def publish(uri: str) -> None:
        document = server.workspace.get_text_document(uri)
        path = to_fs_path(uri)
        found = [
            _diagnostic(d)
            for d in editor_diagnostics(document.source, path, schema=schema, lang=chosen["lang"])
        ]
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=document.version)
        )

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        shown = stamp_hover(document.source, params.position.line)
        if shown is None:
            return None
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, shown))

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return [
            action
            for d in params.context.diagnostics
            if (action := _quick_fix(params.text_document.uri, d)) is not None
        ]

    return server


def _quick_fix(uri: str, d: lsp.Diagnostic) -> lsp.CodeAction | None:
    data: Any = d.data
    if d.source != SOURCE or not isinstance(data, dict) or not data.get("replacement"):
        return None
    word = str(data["replacement"])
    edit = lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(d.range, word)]})
    return lsp.CodeAction(
        f"Replace with '{word}'",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[d],
        edit=edit,
        is_preferred=True,
    )
