"""The state of the loader's walk over the event stream: anchors, the slot the next node goes to,
and the open mappings and sequences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.location import Path

Mark = tuple[int, int]


def fresh_copy(value: Any) -> Any:
    """A fresh copy of aliased data, so that no two places of the document share a container."""
    if isinstance(value, dict):
        return {key: fresh_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fresh_copy(item) for item in value]
    return value


@dataclass
class Anchor:
    """What an anchor names, and what an alias to it adds to the document."""

    value: Any = None
    size: int = 1  # nodes an alias to it adds
    height: int = 0  # nesting levels an alias to it adds
    complete: bool = False  # False while the anchored collection is still open (recursion)


@dataclass(slots=True)
class Slot:
    """Where the next node goes: its path, whether its marks are recorded, whether it is a key."""

    path: Path
    record: bool
    is_key: bool = False


@dataclass
class Frame:
    """An open mapping or sequence."""

    kind: str  # "map" or "seq"
    items: Any  # the dict or list being filled
    slot: Slot
    mark: Mark
    anchor: str | None
    nodes_before: int
    height: int = 1
    awaiting_key: bool = True
    key: str | None = None  # key of the entry being read; None when the key was rejected
    value_path: Path = ()
    key_marks: dict[str, Mark] = field(default_factory=dict)

    @property
    def record(self) -> bool:
        """Whether the marks of this collection's values are recorded (not inside a key)."""
        return self.slot.record and not self.slot.is_key
