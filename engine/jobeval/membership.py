"""Committee membership: the seats a policy declares (``committees.<id>.members``) against the
member list of a meeting record.

Each seat is ``{role, count}`` (exactly that many) or ``{role, min}`` (at least that many),
optionally ``chair: true`` and ``external: true``. A meeting record then lists its registered
members, ``members: [{id, role}, ...]``. The composition holds when every seat is filled as
declared, no member holds an undeclared role, ``registered`` equals the number listed and, when
the record gives ``external_registered``, it equals the members in external seats. A committee
that declares seats cannot show its composition without the list, so its decisions then do not
stand. A committee without ``members`` puts no rule on membership.

The chair: a record may name it (``chair: <member id>``); the named chair must be a listed
member holding the seat declared ``chair: true``, unless the committee allows an acting chair
(``acting_chair: true``: the chair may designate another member to act), when any listed member
may chair. A record that names no chair is chaired by the member in the chair's seat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any


def check_membership(
    seats: Sequence[Mapping[str, Any]], meeting: Mapping[str, Any], *, acting_chair: bool = False
) -> tuple[bool, str | None]:
    """Whether the record's members fill the declared seats, and the reason line (``None``: no seats);
    ``acting_chair``: any listed member may chair (see the module's note on the chair)."""
    if not seats:
        return True, None
    listed = meeting.get("members")
    declared = ", ".join(_seat(s) for s in seats)
    if not isinstance(listed, list) or not all(isinstance(m, Mapping) for m in listed):
        return False, f"membership unknown: the record lists no members (seats: {declared})"
    roles = Counter(str(m.get("role", "")) for m in listed)
    faults = [f"'{role}' is not a seat of the committee" for role in roles if role not in _roles(seats)]
    faults += [fault for seat in seats for fault in _seat_faults(seat, roles.get(str(seat["role"]), 0))]
    faults += _count_faults(seats, meeting, roles, len(listed))
    faults += _chair_faults(seats, meeting, listed, acting_chair)
    if faults:
        return False, "membership fails: " + "; ".join(faults)
    return True, f"membership ok: {len(listed)} members fill the seats {declared}"


def _seat_faults(seat: Mapping[str, Any], have: int) -> list[str]:
    """How one seat's ``have`` members miss its ``count`` or ``min``."""
    held = f"{seat['role']} has {have} member{'s' if have != 1 else ''}"
    faults = []
    if "count" in seat and have != int(seat["count"]):
        faults.append(f"{held}, the seat needs {seat['count']}")
    if "min" in seat and have < int(seat["min"]):
        faults.append(f"{held}, the seat needs at least {seat['min']}")
    return faults


def _count_faults(
    seats: Sequence[Mapping[str, Any]], meeting: Mapping[str, Any], roles: Counter[str], listed: int
) -> list[str]:
    """The record's ``registered`` and ``external_registered`` against the members listed."""
    faults = []
    registered = meeting.get("registered")
    if registered is not None and registered != listed:
        faults.append(f"{registered} registered but {listed} members listed")
    external = sum(roles.get(str(s["role"]), 0) for s in seats if s.get("external"))
    if "external_registered" in meeting and meeting["external_registered"] != external:
        given = meeting["external_registered"]
        faults.append(f"{given} external_registered but {external} members in external seats")
    return faults


def _chair_faults(
    seats: Sequence[Mapping[str, Any]],
    meeting: Mapping[str, Any],
    listed: Sequence[Mapping[str, Any]],
    acting_chair: bool,
) -> list[str]:
    """A chair the record names who is not a listed member, or not in the chair's seat."""
    named = meeting.get("chair")
    if named is None:
        return []
    role = next((str(m.get("role", "")) for m in listed if str(m.get("id", "")) == str(named)), None)
    if role is None:
        return [f"the chair {named} is not a listed member"]
    chairs = [str(s["role"]) for s in seats if s.get("chair")]
    if acting_chair or not chairs or role in chairs:
        return []
    return [f"the chair {named} holds the seat {role}, not the chair's seat {chairs[0]}"]


def _roles(seats: Sequence[Mapping[str, Any]]) -> set[str]:
    return {str(s["role"]) for s in seats}


def _seat(seat: Mapping[str, Any]) -> str:
    size = f"{seat['count']}" if "count" in seat else f">= {seat.get('min', 0)}"
    return f"{seat['role']} {size}"
