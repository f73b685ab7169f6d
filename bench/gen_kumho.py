"""Seeded generator of realistic kumho_like populations, written as CSV (one row per item).

    python bench/gen_kumho.py 100000 bench/out/kumho_100k.csv [--seed 7] [--tree tree.yaml]

An org tree of executive organisations (a company, divisions, departments, teams: about one
organisation per 60 people), role grades K1-K4 in pyramid proportions, years in grade, base
pay within the grade's range, and each person's goal sheet as the policy's indicator rules
want it: 1-3 job KPIs and 0-2 contribution items (weights adding up to 100 within each
category), 3 group-common, 2 company-common and 3 job-expert competencies, and 2 leadership
items (multi-rater) for every K1 and every K2 from the 4th year in grade. Ratings O/E/M/B
(mostly E and M, so equal scores are common and the tie keys decide); an O carries the
executive's signature. A few organisations are small, so some (org, role grade) groups have
fewer than 5 people: with the tree (``--tree``, ``org_units`` as a YAML records file has
them) they merge into the parent organisation's group.
"""

from __future__ import annotations

import argparse
import csv
import os
import random

HEADER = [
    "id",
    "name",
    "role_grade",
    "org",
    "year_in_grade",
    "base_pay",
    "has_team_kpi",
    "title",
    "category",
    "rated_by",
    "weight",
    "rating",
    "confirmed_by",
]
FAMILY = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"]
GIVEN = ["도윤", "서연", "민준", "지우", "하준", "서윤", "예준", "하은", "시우", "지민"]
GRADES = (("K1", 0.07), ("K2", 0.15), ("K3", 0.30), ("K4", 0.48))
PAY = {"K1": (72_000_000, 136_800_000), "K2": (57_600_000, 106_560_000),
       "K3": (45_600_000, 79_800_000), "K4": (36_000_000, 61_200_000)}  # fmt: skip
RATINGS = ("O", "E", "E", "M", "M", "M", "B")
TITLES = {
    "job_kpi": ["수주 목표 달성", "공정률", "원가율", "안전사고 건수"],
    "contribution": ["신규 사업 지원", "프로세스 개선"],
    "group_common": ["고객지향", "도전정신", "팀워크"],
    "company_common": ["안전의식", "품질의식"],
    "leadership": ["비전 제시", "인재 육성"],
    "job_expert": ["공정관리", "견적", "설계검토"],
}
FIXED = {"group_common": [34, 33, 33], "company_common": [50, 50], "leadership": [50, 50],
         "job_expert": [34, 33, 33]}  # fmt: skip


def org_tree(people: int, rng: random.Random) -> dict[str, str | None]:
    """Company -> divisions -> departments -> teams, about one organisation per 60 people."""
    tree: dict[str, str | None] = {"company": None}
    teams = max(1, people // 60)
    divisions = max(1, min(12, teams // 20 or 1))
    for d in range(divisions):
        tree[f"div{d:02d}"] = "company"
    departments = max(1, teams // 6)
    for p in range(departments):
        tree[f"dept{p:04d}"] = f"div{rng.randrange(divisions):02d}"
    for t in range(teams):
        tree[f"team{t:05d}"] = f"dept{rng.randrange(departments):04d}"
    return tree


def weights(n: int, rng: random.Random) -> list[int]:
    """n weights, multiples of 10 of at least 10 (n <= 3), adding up to exactly 100."""
    if n == 1:
        return [100]
    w = [10] * n
    for _ in range((100 - 10 * n) // 10):
        w[rng.randrange(n)] += 10
    return w


def employee_rows(i: int, org: str, rng: random.Random) -> list[list[str]]:
    roll, grade = rng.random(), "K4"
    for code, share in GRADES:
        if roll < share:
            grade = code
            break
        roll -= share
    year = rng.randint(1, 8)
    low, high = PAY[grade]
    pay = rng.randrange(low, high, 100_000)
    emp = [f"H{i:07d}", rng.choice(FAMILY) + rng.choice(GIVEN), grade, org, str(year), str(pay),
           rng.choice(["true", "false"])]  # fmt: skip
    leader = grade == "K1" or (grade == "K2" and year >= 4)
    items: list[tuple[str, int]] = []
    for category, count in (("job_kpi", rng.randint(1, 3)), ("contribution", rng.randint(0, 2))):
        items += [(category, w) for w in weights(count, rng)] if count else []
    for category, fixed in FIXED.items():
        if category != "leadership" or leader:
            items += [(category, w) for w in fixed]
    rows = []
    for k, (category, weight) in enumerate(items):
        rating = rng.choice(RATINGS)
        rows.append([
            *emp, TITLES[category][k % len(TITLES[category])], category,
            "multi_rater" if category == "leadership" else "superior", str(weight), rating,
            "EX001" if rating == "O" else "",
        ])  # fmt: skip
    return rows


def generate(count: int, path: str, seed: int = 7, tree_path: str | None = None) -> dict[str, str | None]:
    """Write ``count`` employees to ``path`` (and the org tree to ``tree_path``); the tree."""
    rng = random.Random(seed)
    tree = org_tree(count, rng)
    orgs = list(tree)
    # Teams hold most people; a few people sit at departments, divisions and the company.
    teams = [o for o in orgs if o.startswith("team")]
    upper = [o for o in orgs if not o.startswith("team")]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(1, count + 1):
            org = rng.choice(upper) if rng.random() < 0.05 else rng.choice(teams)
            writer.writerows(employee_rows(i, org, rng))
    if tree_path is not None:
        write_tree(tree, tree_path)
    return tree


def write_tree(tree: dict[str, str | None], path: str) -> None:
    """The tree as a YAML records file's ``org_units`` list."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("org_units:\n")
        for org, parent in tree.items():
            handle.write(f"  - {{id: {org}, parent: {parent or 'null'}}}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tree", help="also write the org tree here (YAML org_units)")
    args = parser.parse_args()
    generate(args.count, args.path, args.seed, args.tree)


if __name__ == "__main__":
    main()
