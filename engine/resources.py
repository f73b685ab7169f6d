"""Files the tool reads at run time: the JSON Schemas and the bundled seed policies and examples.

They ship inside the package (``engine/schemas/``, and ``engine/_bundled/`` which the wheel build
copies from the repository's ``policies/`` and ``examples/``), so that an installed wheel works from
any folder. In a source checkout (an editable install) the bundled files are read where they are
edited, at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import UsageError

PACKAGE = Path(__file__).resolve().parent
SCHEMAS = PACKAGE / "schemas"


def schema_file(name: str) -> Path:
    """The packaged JSON Schema ``name`` (``policy.schema.json`` or ``records.schema.json``)."""
    return SCHEMAS / name


def bundled_root() -> Path | None:
    """The folder holding the seed ``policies/`` and ``examples/``, or None if neither copy exists."""
    for root in (PACKAGE / "_bundled", PACKAGE.parent):
        if (root / "policies").is_dir() and (root / "examples").is_dir():
            return root
    return None


def example_runs(root: str | None) -> list[tuple[Path, Path, Path]]:
    """Every example population (``examples/<policy>/employees.yaml``) with its policy, under
    ``root`` (by default, the bundled copies): ``(base, policy, data)``, in name order."""
    base = Path(root) if root is not None else bundled_root()
    if base is None:
        raise UsageError("no bundled examples in this installation: give --root FOLDER")
    found = sorted((base / "examples").glob("*/employees.yaml"))
    if not found:
        raise UsageError(f"no example populations under {base / 'examples'}")
    return [(base, base / "policies" / f"{data.parent.name}.yaml", data) for data in found]
