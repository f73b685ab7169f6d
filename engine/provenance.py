"""Which rulebook produced a result: the policy's id, version and a hash of its content.

The hash is SHA-256 over the policy's data written as canonical JSON (sorted keys, numbers as
their exact text), so it names the rules themselves: reformatting or re-commenting the YAML
keeps it, changing any value changes it. A policy changed in memory (``simulate``) gets the
hash of what was run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Stamp:
    """Provenance of one policy: every rendered result carries one per policy it used."""

    id: str
    version: str
    sha256: str

    def text(self) -> str:
        """``policy japan_mbo version 2026.1 sha256 1a2b...`` (the whole hash: it is to be compared)."""
        return f"policy {self.id} version {self.version} sha256 {self.sha256}"

    def short(self) -> str:
        """``policy japan_mbo version 2026.1 sha256 1a2b3c4d5e6f``: the first 12 hex digits (as a
        short git hash), so that the line fits an 80-column terminal; the other formats have all."""
        return f"policy {self.id} version {self.version} sha256 {self.sha256[:12]}"

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return {"n": str(value)}  # 1 and 1.0 stay apart, as the policy wrote them
    return value


def stamp_of(data: Mapping[str, Any]) -> Stamp:
    """The stamp of a policy's data (``?`` for an id or version an invalid policy lacks)."""
    text = json.dumps(_canonical(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    meta = data.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}  # an invalid policy checked by `validate`
    ident, version = (meta.get(key) for key in ("id", "version"))
    return Stamp(
        "?" if ident is None else str(ident),
        "?" if version is None else str(version),
        hashlib.sha256(text.encode()).hexdigest(),
    )
