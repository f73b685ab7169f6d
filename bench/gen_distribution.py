"""Seeded synthetic population for the forced-distribution benchmark.

``population(n_groups, group_size, seed)`` gives candidates spread over ``n_groups`` groups
(organisations x role grades) of about ``group_size`` people each, with one-decimal scores on
a bell curve (so equal scores are common inside a group) and a one-decimal competency score as
the declared tie-breaker. About one group in 47 has 3 people, so that it merges into the parent
organisation's group of the same role grade.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from engine.distribution import Candidate

ROLE_GRADES = ("K1", "K2", "K3", "K4", "K5")

#: The benchmark's policy entry, in the shape docs/policy-language.md gives.
SPEC: dict[str, Any] = {
    "scale": "i_to_v",
    "score": "performance_score",
    "order": "descending",
    "group_by": ["org", "role_grade"],
    "quotas": {"I": 10, "II": 20, "III": 40, "IV": 20, "V": 10},
    "quota_rounding": "largest_remainder",
    "remainder_ties": "better_grade",
    "min_group_size": 5,
    "merge": {"parent_field": "parent_org", "keep": ["role_grade"]},
    "ties": [{"field": "competency_score", "order": "descending"}, {"field": "id", "order": "ascending"}],
}
CODES = ("I", "II", "III", "IV", "V")


def org_parents(n_orgs: int) -> dict[str, str | None]:
    """A tree: o0 at the top, ten divisions under it, every other org under a division."""
    tree: dict[str, str | None] = {"o0": None}
    for i in range(1, n_orgs):
        tree[f"o{i}"] = "o0" if i <= 10 else f"o{1 + i % 10}"
    return tree


def group_sizes(n_people: int, n_groups: int, rng: random.Random) -> list[int]:
    """Sizes adding up to exactly ``n_people``: every 47th group is small (3), the rest vary by
    +-25 % around the mean."""
    small = [g % 47 == 46 for g in range(n_groups)]
    mean = (n_people - 3 * sum(small)) // (n_groups - sum(small))
    sizes = [3 if s else rng.randint(mean * 3 // 4, mean * 5 // 4) for s in small]
    gap = n_people - sum(sizes)
    big = [g for g in range(n_groups) if not small[g]]
    step = 1 if gap > 0 else -1
    for i in range(abs(gap)):
        sizes[big[i % len(big)]] += step
    return sizes


def candidates(n_people: int, n_groups: int, seed: int = 20260401) -> Iterator[Candidate]:
    """``n_people`` candidates in ``n_groups`` groups (org x role grade), made one at a time."""
    rng = random.Random(seed)
    # One Decimal per possible tenth (0.0 .. 150.0), shared: the scores are exact one-place values.
    tenths = [Decimal(i).scaleb(-1) for i in range(1501)]
    made = 0
    for g, size in enumerate(group_sizes(n_people, n_groups, rng)):
        org, grade = f"o{g // len(ROLE_GRADES)}", ROLE_GRADES[g % len(ROLE_GRADES)]
        for _ in range(size):
            score = min(1500, max(0, int(rng.gauss(850, 120))))
            competency = min(1500, max(0, int(rng.gauss(800, 60))))
            fields = {"org": org, "role_grade": grade, "competency_score": tenths[competency]}
            yield Candidate(f"e{made:07d}", tenths[score], fields)
            made += 1


def population(n_people: int, n_groups: int, seed: int = 20260401) -> list[Candidate]:
    """:func:`candidates` as a list."""
    return list(candidates(n_people, n_groups, seed))
