"""A policy's ``distributions.<id>`` entry, checked and compiled once, and the quota arithmetic.

Everything a distribution does is read from the policy mapping: the grade codes (best first,
from the scale), the quota percentages, how quotas are rounded to whole seats, how equal
remainders are settled, the tolerance per grade, the minimum group size and how small groups
merge, and the tie-breakers. Nothing here knows any company's scheme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import Diagnostic, Location, PolicyInvalid
from engine.location import Path, SourceMap, json_path

#: Quota rounding methods a policy may name.
QUOTA_METHODS = ("largest_remainder", "top_down")
#: Which grade wins a seat when two remainders are equal.
REMAINDER_TIES = ("better_grade", "worse_grade")
ORDERS = ("ascending", "descending")
#: The candidate attribute used as the last, always-unique tie-breaker.
ID_FIELD = "id"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TieKey:
    """One tie-breaker: a field (``id`` is the candidate's id) and its direction."""

    field: str
    descending: bool


@dataclass(frozen=True)
class DistributionRule:
    """A compiled distribution: every setting resolved, defaults applied."""

    name: str
    score: str  # the formula or field the caller puts in Candidate.score
    codes: tuple[str, ...]
    quotas: Mapping[str, Decimal]
    method: str
    remainder_ties: str
    tolerance: Mapping[str, int]
    descending: bool
    group_by: tuple[str, ...]
    min_group_size: int
    org_field: str | None
    keep: tuple[str, ...]
    parent_field: str | None
    ties: tuple[TieKey, ...]
    #: ``merge.pool``: 'own' (the parent's own members and the small groups moved up) or
    #: 'subtree' (every member with the kept keys under the parent, sibling groups included).
    merge_pool: str = "own"

    @property
    def can_merge(self) -> bool:
        """Whether small groups move up the org tree (a ``merge`` block was declared)."""
        return self.org_field is not None

    def seats(self, n: int) -> dict[str, int]:
        """Whole seats per grade (best first) for a group of ``n`` people."""
        return allocate_quotas(n, self.quotas, self.codes, self.method, self.remainder_ties)


def allocate_quotas(
    n: int, quotas: Mapping[str, Decimal], codes: Sequence[str], method: str, remainder_ties: str
) -> dict[str, int]:
    """Turn percentage quotas into whole seats for ``n`` people, exactly (no float, no division).

    ``largest_remainder`` (Hamilton): each grade gets the floor of ``n*q/100``; the seats left
    go one each to the largest remainders; equal remainders go to the better grade first
    (``better_grade``) or the worse grade first (``worse_grade``).
    ``top_down``: every grade but the worst quota'd one gets its floor, best first; the worst
    grade with a positive quota takes what is left ("round the top down, fill the bottom").
    The quotas must add up to 100, so the seats always add up to ``n``.
    """
    used = [c for c in codes if c in quotas]
    # n*q is exact in Decimal; // and % by 100 split it into whole seats and a remainder.
    products = {c: n * Decimal(quotas[c]) for c in used}
    seats = {c: int(products[c] // HUNDRED) for c in used}
    left = n - sum(seats.values())
    if method == "top_down":
        _fill_the_bottom(seats, [c for c in used if quotas[c] > 0], left)
    elif method == "largest_remainder":
        _largest_remainders(seats, used, products, left, remainder_ties)
    else:
        raise ValueError(f"unknown quota rounding {method!r}; expected one of {', '.join(QUOTA_METHODS)}")
    return {c: seats[c] for c in codes if c in seats}


def _fill_the_bottom(seats: dict[str, int], positive: Sequence[str], left: int) -> None:
    """``top_down``: the worst grade with a positive quota takes the seats left."""
    if positive:
        seats[positive[-1]] += left


def _largest_remainders(
    seats: dict[str, int], used: Sequence[str], products: Mapping[str, Decimal], left: int, ties: str
) -> None:
    """``largest_remainder``: one seat each to the largest remainders (``ties``: which grade first)."""
    sign = 1 if ties == "better_grade" else -1
    by_remainder = sorted(range(len(used)), key=lambda i: (-(products[used[i]] % HUNDRED), sign * i))
    for i in by_remainder[:left]:
        seats[used[i]] += 1


def compile_distribution(
    spec: Mapping[str, Any],
    scale_codes: Sequence[str],
    *,
    name: str = "distribution",
    source: SourceMap | None = None,
) -> DistributionRule:
    """Check and compile one ``distributions.<name>`` mapping; raise :class:`PolicyInvalid` with
    every problem found (not just the first)."""
    problems = check_distribution(spec, scale_codes, name=name, source=source)
    if problems:
        raise PolicyInvalid(problems)
    quotas = {c: Decimal(v) for c, v in _quota_items(spec)}
    return DistributionRule(
        name=name,
        score=str(spec.get("score", "")),
        codes=tuple(c for c in scale_codes if c in quotas),
        quotas=quotas,
        method=str(spec.get("quota_rounding", "largest_remainder")),
        remainder_ties=str(spec.get("remainder_ties", "better_grade")),
        tolerance={str(c): int(v) for c, v in _items(spec.get("tolerance"))},
        descending=spec.get("order", "descending") == "descending",
        min_group_size=int(spec.get("min_group_size", 1)),
        **_grouping(spec),
        ties=_tie_keys(spec.get("ties") or ()),
    )


def _grouping(spec: Mapping[str, Any]) -> dict[str, Any]:
    """``group_by`` and ``merge``: the group keys, the org field small groups merge up along (the
    first key not kept), the keys kept while merging, the parent field."""
    group_by = tuple(str(k) for k in spec.get("group_by") or ())
    merge = spec.get("merge")
    if not merge:
        none: dict[str, Any] = {"org_field": None, "keep": (), "parent_field": None, "merge_pool": "own"}
        return {"group_by": group_by, **none}
    keep = tuple(str(k) for k in merge.get("keep") or ())
    return {
        "group_by": group_by,
        "org_field": next((k for k in group_by if k not in keep), None),
        "keep": keep,
        "parent_field": str(merge["parent_field"]),
        "merge_pool": str(merge.get("pool", "own")),
    }


def distribution_from_policy(
    policy: Mapping[str, Any], name: str, *, source: SourceMap | None = None
) -> DistributionRule:
    """Compile ``policy['distributions'][name]`` with the codes of the scale it names."""
    spec = policy["distributions"][name]
    scale = (policy.get("scales") or {}).get(spec.get("scale")) or {}
    codes = [str(level["code"]) for level in scale.get("levels") or () if isinstance(level, Mapping)]
    return compile_distribution(spec, codes, name=name, source=source)


def check_distribution(
    spec: Mapping[str, Any],
    scale_codes: Sequence[str],
    *,
    name: str = "distribution",
    source: SourceMap | None = None,
) -> list[Diagnostic]:
    """Every problem of meaning in one distribution mapping, located (schema shape aside)."""
    base: Path = ("distributions", name)
    found: list[Diagnostic] = []

    def report(sub: Path, rule: str, message: str, suggestion: str | None = None) -> None:
        path = base + sub
        where = source.locate(path) if source else Location("<policy>", 0, 0, json_path(path))
        found.append(Diagnostic(where, rule, message, suggestion))

    known = set(scale_codes)
    if not scale_codes:
        report(("scale",), "distribution-scale", f"distribution '{name}': its scale has no level codes")
    quota_items = list(_quota_items(spec))
    for code, _ in quota_items:
        if known and code not in known:
            report(
                ("quotas", code),
                "distribution-unknown-grade",
                f"distribution '{name}': quota for '{code}', which is not a code of its scale",
                f"use one of {', '.join(scale_codes)}",
            )
    total = sum((Decimal(v) for _, v in quota_items), Decimal(0))
    if total != HUNDRED:
        report(
            ("quotas",), "distribution-quota-sum", f"distribution '{name}': quotas add up to {total}, not 100"
        )
    for code, _ in _items(spec.get("tolerance")):
        if code not in dict(quota_items):
            report(
                ("tolerance", code),
                "distribution-unknown-grade",
                f"distribution '{name}': tolerance for '{code}', which has no quota",
            )
    _check_choice(spec, "quota_rounding", QUOTA_METHODS, report, name)
    _check_choice(spec, "remainder_ties", REMAINDER_TIES, report, name)
    _check_choice(spec, "order", ORDERS, report, name)
    _check_merge(spec, report, name)
    return found


def _check_choice(spec: Mapping[str, Any], key: str, allowed: Sequence[str], report: Any, name: str) -> None:
    if key in spec and spec[key] not in allowed:
        report(
            (key,),
            "distribution-option",
            f"distribution '{name}': {key} is '{spec[key]}'",
            f"use one of {', '.join(allowed)}",
        )


def _check_merge(spec: Mapping[str, Any], report: Any, name: str) -> None:
    """A merge replaces exactly one group key (the org) by its parent and keeps the others."""
    merge = spec.get("merge")
    if not merge:
        return
    group_by = list(spec.get("group_by") or ())
    keep = list(merge.get("keep") or ())
    for i, key in enumerate(keep):
        if key not in group_by:
            report(
                ("merge", "keep", i),
                "distribution-merge-keys",
                f"distribution '{name}': merge keeps '{key}', which is not a group_by key",
            )
    moving = [k for k in group_by if k not in keep]
    if len(moving) != 1:
        report(
            ("merge",),
            "distribution-merge-keys",
            f"distribution '{name}': merging needs exactly one group_by key that is not kept "
            f"(the organisation); found {len(moving)}",
            "list every group_by key but the organisation under merge.keep",
        )


def _quota_items(spec: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(str(c), v) for c, v in _items(spec.get("quotas"))]


def _items(value: Any) -> list[tuple[str, Any]]:
    """Entries of a mapping, skipping the owner's ``x-`` notes."""
    if not isinstance(value, Mapping):
        return []
    return [(str(k), v) for k, v in value.items() if not str(k).startswith("x-")]


def _tie_keys(ties: Sequence[Mapping[str, Any]]) -> tuple[TieKey, ...]:
    """Declared tie-breakers, ending with the id: the final key that makes the order total."""
    keys = [TieKey(str(t["field"]), t.get("order", "ascending") == "descending") for t in ties]
    if not any(k.field == ID_FIELD for k in keys):
        keys.append(TieKey(ID_FIELD, False))
    # Keys after the id can never decide anything (ids are unique), so drop them.
    cut = next(i for i, k in enumerate(keys) if k.field == ID_FIELD)
    return tuple(keys[: cut + 1])
