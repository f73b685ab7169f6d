"""``hrpolicy lsp`` driven over stdio as an editor drives it: JSON-RPC with Content-Length framing."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import policy_text

from engine.lsp.convert import editor_diagnostics, utf16

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "invalid"


class Client:
    """A minimal LSP client: requests, notifications, and the messages the server sends back."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        # A guard against a hung server (not a timing assertion): kill it after a minute.
        self.watchdog = threading.Timer(60, self.proc.kill)
        self.watchdog.start()
        self.next_id = 0

    def send(self, payload: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **payload}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        length = 0
        while (line := self.proc.stdout.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        assert length, "the server closed the connection"
        message: dict[str, Any] = json.loads(self.proc.stdout.read(length))
        return message

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                assert "error" not in message, message
                return message["result"]

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        """The next diagnostics the server publishes for ``uri``."""
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                found: list[dict[str, Any]] = message["params"]["diagnostics"]
                return found

    def close(self) -> int:
        self.request("shutdown", {})
        self.notify("exit", {})
        code = self.proc.wait()
        self.watchdog.cancel()
        return code


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[Client]:
    client = Client()
    result = client.request(
        "initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}
    )
    assert result["capabilities"]["codeActionProvider"] == {"codeActionKinds": ["quickfix"]}
    assert result["serverInfo"]["name"] == "hrpolicy"
    client.notify("initialized", {})
    yield client
    assert client.close() == 0


def _open(client: Client, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    return uri


def test_quotas_adding_up_to_99_are_published_where_validate_puts_them(
    client: Client, tmp_path: Path
) -> None:
    uri = _open(client, tmp_path / "overall.yaml", policy_text(CASES / "weight-sum"))
    # validate: policy.yaml:110:13: error [weight-sum] ... -> LSP line 109, character 12 (the '{').
    assert client.diagnostics(uri) == [
        {
            "range": {"start": {"line": 109, "character": 12}, "end": {"line": 109, "character": 13}},
            "message": (
                "quotas of distribution 'overall' add up to 99, not 100\nsuggestion: add 1 to one of them"
            ),
            "severity": 1,
            "code": "weight-sum",
            "source": "hrpolicy",
        }
    ]


def _apply(text: str, edit: dict[str, Any]) -> str:
    lines = text.split("\n")
    start, end = edit["range"]["start"], edit["range"]["end"]
    assert start["line"] == end["line"]
    line = lines[start["line"]]
    assert line.isascii()  # so UTF-16 columns are string indexes here
    lines[start["line"]] = line[: start["character"]] + edit["newText"] + line[end["character"] :]
    return "\n".join(lines)


def test_a_did_you_mean_quick_fix_applied_clears_the_diagnostic(client: Client, tmp_path: Path) -> None:
    text = policy_text(CASES / "formula-unknown-name")
    uri = _open(client, tmp_path / "policy.yaml", text)
    found = client.diagnostics(uri)
    # validate: 77:22 'achievment' and 124:12 'segmnt', each with "did you mean".
    assert [(d["code"], d["range"]) for d in found] == [
        (
            "formula-unknown-name",
            {"start": {"line": 76, "character": 21}, "end": {"line": 76, "character": 31}},
        ),
        (
            "formula-unknown-name",
            {"start": {"line": 123, "character": 11}, "end": {"line": 123, "character": 17}},
        ),
    ]
    assert found[0]["data"] == {"replacement": "achievement"}
    version = 1
    for diagnostic, word in zip(found, ("achievement", "segment"), strict=True):
        actions = client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]},
            },
        )
        assert [(a["title"], a["kind"], a["isPreferred"]) for a in actions] == [
            (f"Replace with '{word}'", "quickfix", True)
        ]
        (edit,) = actions[0]["edit"]["changes"][uri]
        assert edit == {"range": diagnostic["range"], "newText": word}
        text = _apply(text, edit)
        version += 1
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
        remaining = client.diagnostics(uri)
        assert diagnostic["range"] not in [d["range"] for d in remaining]
    assert remaining == []


def test_yaml_that_is_no_policy_gets_no_diagnostics(client: Client, tmp_path: Path) -> None:
    records = (ROOT / "examples" / "japan_mbo" / "employees.yaml").read_text(encoding="utf-8")
    uri = _open(client, tmp_path / "employees.yaml", records)
    assert client.diagnostics(uri) == []
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []


def test_columns_count_utf16_units_after_wide_characters(tmp_path: Path) -> None:
    # A label before the unknown name, in a flow mapping on the same line: 評価 are one UTF-16 unit
    # each, 𠮷 (outside the BMP) two. validate counts characters: 4 + 10 + 8 + 5 + 3 + 3 + 6 + 9 = 48
    # before 'achievment', so column 49; the editor's column is 48 + 1 extra unit = 49, 0-based,
    # and the word ends 10 units later.
    text = policy_text(CASES / "formula-unknown-name").replace(
        "    weighted:\n      expr: weight * achievment * difficulty / 100\n",
        "    weighted: {label: {ja: 評価𠮷}, expr: weight * achievment * difficulty / 100}\n",
    )
    assert utf16("評価𠮷") == 4
    first = editor_diagnostics(text, str(tmp_path / "p.yaml"))[0]
    assert (first.rule, first.line, first.start, first.end) == ("formula-unknown-name", 75, 49, 59)
    code, out, _ = _validate(tmp_path, text)  # the two lines became one: line 76
    assert code == 1
    assert out.startswith("policy.yaml:76:49: error [formula-unknown-name] unknown name 'achievment'\n")


def _validate(tmp_path: Path, text: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from engine.cli import cli

    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "policy.yaml")])
    return result.exit_code, result.stdout.replace(f"{tmp_path}/", ""), result.stderr


def test_without_pygls_the_command_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from engine.cli import cli

    for name in [m for m in sys.modules if m == "pygls" or m.startswith(("pygls.", "engine.lsp.server"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pygls", None)  # what an install without the [lsp] extra has
    result = CliRunner().invoke(cli, ["lsp"])
    assert result.exit_code == 2
    assert result.stderr.startswith("hrpolicy: hrpolicy lsp needs pygls: pip install 'hrpolicy[lsp]' (")


def test_hover_over_metadata_shows_the_stamp_of_the_buffer_as_it_is(client: Client, tmp_path: Path) -> None:
    from helpers import policy_stamp

    japan = Path(__file__).resolve().parent.parent / "policies" / "japan_mbo.yaml"
    text = japan.read_text(encoding="utf-8")
    uri = _open(client, tmp_path / "japan.yaml", text)
    client.diagnostics(uri)
    _, ident, _, version, _, digest = policy_stamp(japan).split(" ")  # the hash computed from the YAML
    at = text.split("\n").index("  id: japan_mbo")  # 0-based line 8, inside metadata:

    def hover(line: int) -> Any:
        return client.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line, "character": 3}}
        )

    assert hover(at)["contents"] == {
        "kind": "markdown",
        "value": f"**{ident}** version **{version}**\n\nsha256 `{digest}`\n\n"
        "The stamp every hrpolicy result records for the policy as this buffer holds it now "
        "(comments and layout do not change it, any value does).",
    }
    assert hover(1) is None  # `hrpolicy: 1`: not the metadata block
    # An edited value is another rulebook: the hover follows the buffer.
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": text.replace('version: "2026.1"', 'version: "2026.2"')}],
        },
    )
    client.diagnostics(uri)
    changed = hover(at)["contents"]["value"]
    assert changed.startswith(f"**{ident}** version **2026.2**") and digest not in changed
