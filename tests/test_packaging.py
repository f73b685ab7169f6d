"""A built wheel works from any folder: schemas, seed policies and examples ship inside it.

The wheel is built from a copy of the sources (nothing is written into the checkout), installed
into a scratch folder and run from an unrelated one, as a user of `pip install .` would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import stamp_line

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "engine",
    "policies",
    "examples",
    "schema",
    "setup.py",
    "pyproject.toml",
    "MANIFEST.in",
    "README.md",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (built,) = out.glob("hrpolicy-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)]
    subprocess.run(command, check=True, capture_output=True)
    return site


def run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_wheel_carries_schemas_policies_and_examples(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "engine/schemas/policy.schema.json",
        "engine/schemas/records.schema.json",
        "engine/py.typed",
        *(f"engine/_bundled/policies/{name}.yaml" for name in ("japan_mbo", "kepco_like", "kumho_like")),
        *(
            f"engine/_bundled/examples/{name}/employees.yaml"
            for name in ("japan_mbo", "kepco_like", "kumho_like")
        ),
    }
    assert expected <= names
    assert not [name for name in names if "__pycache__" in name or name.startswith(("tests/", "schema/"))]


def test_the_installed_wheel_runs_from_an_unrelated_folder(installed: Path, tmp_path: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import engine; print(engine.__file__)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(installed / "engine" / "__init__.py")  # not the checkout

    shutil.copy2(ROOT / "policies" / "japan_mbo.yaml", tmp_path / "my_policy.yaml")
    validated = run(installed, tmp_path, "validate", "my_policy.yaml")
    summary = stamp_line("my_policy.yaml", tmp_path / "my_policy.yaml")
    summary += "checked 1 file: 1 valid, 0 invalid (0 errors, 0 warnings)\n"
    assert (validated.returncode, validated.stdout, validated.stderr) == (0, "", summary)

    schema = run(installed, tmp_path, "schema", "--path")
    assert schema.returncode == 0
    assert Path(schema.stdout.strip()) == installed / "engine" / "schemas" / "policy.schema.json"
    assert Path(schema.stdout.strip()).is_file()

    examples = run(installed, tmp_path, "examples")
    assert examples.returncode == 0, examples.stderr
    headings = [line for line in examples.stdout.splitlines() if line.startswith("== ")]
    assert headings == [
        "== examples/japan_mbo/employees.yaml under policies/japan_mbo.yaml",
        "== examples/kepco_like/employees.yaml under policies/kepco_like.yaml",
        "== examples/kumho_like/employees.yaml under policies/kumho_like.yaml",
    ]


def test_examples_without_a_bundle_is_a_clear_usage_error(installed: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    shutil.rmtree(site / "engine" / "_bundled")
    result = run(site, tmp_path, "examples")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "hrpolicy: no bundled examples in this installation: give --root FOLDER\n"


def test_init_and_test_run_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    for start in ("blank", "kumho_like"):
        made = run(installed, tmp_path, "init", "--from", start, f"{start}.yaml")
        assert made.returncode == 0, made.stderr
        first = (tmp_path / f"{start}.yaml").read_text(encoding="utf-8").split("\n", 1)[0]
        schema = (tmp_path / first.removeprefix("# yaml-language-server: $schema=")).resolve()
        assert schema == (installed / "engine" / "schemas" / "policy.schema.json").resolve()
    validated = run(installed, tmp_path, "validate", ".")
    assert (validated.returncode, validated.stdout) == (0, ""), validated.stderr
    tested = run(installed, tmp_path, "test", ".")
    assert tested.returncode == 0, tested.stdout
    # blank: 2 cases, kumho_like: 6 (two of them pay); skipped: the two policies and kumho's two
    # records files (employees, pay).
    summary = "8 cases: 8 passed, 0 failed; skipped 4 YAML files without 'hrpolicy-test:'\n"
    assert tested.stdout.endswith(summary)


def test_compare_and_doc_run_from_the_installed_wheel(wheel: Path, installed: Path, tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "engine/schemas/mapping.schema.json",
        "engine/report/templates/base.html.j2",
        "engine/report/templates/report.html.j2",
        "engine/report/templates/rulebook.html.j2",
        "engine/_bundled/examples/compare/population.yaml",
        "engine/_bundled/examples/compare/map_kumho_like.yaml",
    } <= names
    bundle = installed / "engine" / "_bundled"
    policies = [str(bundle / "policies" / f"{n}.yaml") for n in ("japan_mbo", "kumho_like", "kepco_like")]
    population = str(bundle / "examples" / "compare" / "population.yaml")
    compared = run(
        installed,
        tmp_path,
        "compare",
        *policies,
        "--population",
        population,
        "--format",
        "html",
        "-o",
        "report.html",
    )
    assert compared.returncode == 0, compared.stderr
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")
    book = run(installed, tmp_path, "doc", policies[0], "--lang", "ja", "--format", "html")
    assert book.returncode == 0 and "<h1>目標管理制度: 規程集</h1>" in book.stdout, book.stderr
