"""Files the tool reads at run time: the JSON Schemas and the bundled seed policies and examples.

They ship inside the package (``engine/schemas/``, and ``engine/_bundled/`` which the wheel build
copies from the repository's ``policies/`` and ``examples/``), so that an installed wheel works from
any folder. In a source checkout (an editable install) the bundled files are read where they are
edited, at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

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

