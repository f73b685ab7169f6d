"""Paths into a loaded document and the map from path to source line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.errors import Location

PathKey = str | int
Path = tuple[PathKey, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def json_path(path: Path) -> str:
    """Render a path as a JSON path: ``$.indicator_rules.weight.total`` or ``$.bands[2].min``."""
    out = ["$"]
    for key in path:
        if isinstance(key, int):
            out.append(f"[{key}]")
        elif _PLAIN_KEY.match(key):
            out.append(f".{key}")
        else:
            escaped = key.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


@dataclass
class SourceMap:
    """Line and column (1-based) of every node of one loaded file.

    ``values`` marks where a node's value starts; ``keys`` marks where the key of a mapping
    entry starts (used for unknown-key and duplicate-key reports). ``styles`` holds the style
    of every scalar that is not plain: ``'`` or ``"`` (quoted: the text starts one column after
    the mark), ``|`` or ``>`` (block: the text starts on a later line).
    """

    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    styles: dict[Path, str] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while True:
            mark = table.get(probe) or self.values.get(probe)
            if mark is not None:
                return Location(self.file, mark[0], mark[1], json_path(path))
            if not probe:
                return Location(self.file, 1, 1, json_path(path))
            probe = probe[:-1]
