"""``hrpolicy init``: a new policy that validates as written, with a modeline that finds the
schema from where the file is, and a test file that passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import policy_stamp, stamp_line

from engine.cli import cli
from engine.schema import MODELINE_PREFIX, schema_path

ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("start", ["blank", "japan_mbo", "kepco_like", "kumho_like"])
def test_init_writes_a_policy_that_validates_and_tests_that_pass(tmp_path: Path, start: str) -> None:
    folder = tmp_path / "hr" / "2026"
    folder.mkdir(parents=True)
    target = folder / "scheme.yaml"
    code, out, _ = invoke("init", "--from", start, str(target))
    assert code == 0
    written = [line.removeprefix("wrote ") for line in out.splitlines() if line.startswith("wrote ")]
    records = {
        "blank": [],
        "japan_mbo": ["employees"],
        "kepco_like": ["employees", "jobs", "workflow"],
        "kumho_like": ["employees", "pay"],
    }[start]
    names = ["scheme.yaml", "scheme.test.yaml"] + [f"scheme.{name}.yaml" for name in records]
    assert written == [str(folder / name) for name in names]
    # The policy written, stamped: a seed's copy has the seed's stamp (the same rules).
    assert out.splitlines()[1] == "  " + policy_stamp(target, short=True)
    if start != "blank":
        assert out.splitlines()[1] == "  " + policy_stamp(ROOT / "policies" / f"{start}.yaml", short=True)
    first = target.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith(MODELINE_PREFIX)
    # The modeline's path, read from the new file's folder, is the installed schema.
    assert (folder / first.removeprefix(MODELINE_PREFIX)).resolve() == schema_path().resolve()
    assert invoke("validate", str(target)) == (
        0,
        "",
        stamp_line(str(target)) + "checked 1 file: 1 valid, 0 invalid (0 errors, 0 warnings)\n",
    )
    code, out, _ = invoke("test", str(target))
    assert code == 0, out
    assert out.startswith(
        f"{folder / 'scheme.test.yaml'} (policy {target})\n  {policy_stamp(target, short=True)}\n"
    )


def test_the_blank_policy_says_what_to_fill_in_and_its_tests_cover_a_little(tmp_path: Path) -> None:
    target = tmp_path / "new.yaml"
    assert invoke("init", str(target))[0] == 0
    text = target.read_text(encoding="utf-8")
    assert text.count("# FILL IN:") == 8
    code, out, _ = invoke("test", str(target), "--coverage")
    assert code == 0
    # Bands A (E001 scores 40 + 33 + 27 = 100) and the 100 % total (E002's 40 + 30 + 20 = 90).
    assert f"coverage of {target}: 2 of 8 items (25.0 %)\n" in out
    assert out.endswith("2 cases: 2 passed, 0 failed\n")


def test_a_seed_start_says_where_it_came_from(tmp_path: Path) -> None:
    target = tmp_path / "mbo.yaml"
    assert invoke("init", "--from", "japan_mbo", str(target))[0] == 0
    lines = target.read_text(encoding="utf-8").split("\n")
    assert lines[1:3] == [
        "hrpolicy: 1",
        "# Started from the bundled japan_mbo policy by `hrpolicy init`. FILL IN: make it yours:",
    ]
    test = (tmp_path / "mbo.test.yaml").read_text(encoding="utf-8")
    assert "\npolicy: mbo.yaml\n" in test and "records: mbo.employees.yaml\n" in test


def test_schema_option_names_a_url(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    url = "https://example.org/schemas/policy.schema.json"
    assert invoke("init", "--schema", url, str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith(f"{MODELINE_PREFIX}{url}\nhrpolicy: 1\n")


def test_init_never_overwrites_and_writes_nothing_then(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    (tmp_path / "p.test.yaml").write_text("mine\n", encoding="utf-8")
    code, out, err = invoke("init", str(target))
    assert (code, out) == (2, "")
    assert err == f"hrpolicy: {tmp_path / 'p.test.yaml'}: already exists; init never overwrites a file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.test.yaml"]
    assert (tmp_path / "p.test.yaml").read_text(encoding="utf-8") == "mine\n"
    code, _, err = invoke("init", str(tmp_path / "nope" / "p.yaml"))
    assert (code, err) == (2, f"hrpolicy: {tmp_path / 'nope'}: no such folder\n")
    code, _, err = invoke("init", str(tmp_path / "p.txt"))
    assert (code, err) == (2, f"hrpolicy: {tmp_path / 'p.txt'}: a policy file name ends in .yaml or .yml\n")


def test_the_test_file_names_its_schema_from_where_it_is_written(tmp_path: Path) -> None:
    from engine.schema import test_schema_path

    (tmp_path / "hr").mkdir()
    assert invoke("init", "--from", "kepco_like", str(tmp_path / "hr" / "k.yaml"))[0] == 0
    first = (tmp_path / "hr" / "k.test.yaml").read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith(MODELINE_PREFIX)
    assert (tmp_path / "hr" / first.removeprefix(MODELINE_PREFIX)).resolve() == test_schema_path().resolve()


def test_init_refuses_a_dangling_link_where_a_file_would_go(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    code, _, err = invoke("init", str(tmp_path / "p.yaml"))
    message = f"hrpolicy: {tmp_path / 'p.yaml'}: already exists; init never overwrites a file\n"
    assert (code, err) == (2, message)
    assert not (tmp_path / "elsewhere.yaml").exists() and not (tmp_path / "p.test.yaml").exists()
