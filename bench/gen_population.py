"""Seeded generator of realistic japan_mbo populations, written as CSV (one row per indicator).

    python bench/gen_population.py 100000 bench/out/japan_100k.csv [--seed 7]

Each employee has 5-8 goals (3-5 performance, 2-3 process), weights in steps of 5 within the
5-30 % band adding up to exactly 100, difficulty 1.0-1.3, mostly quantitative goals with a few
lower-is-better ones, and qualitative goals with an assessed achievement rate. Every employee's
goals and development plan are agreed with superior M000001 in April 2026 and reviewed in October
(given on the employee's first row; the later rows leave those cells empty).

With ``--dedicated F`` a fraction F of the employees is dedicated to one large project (the
policy's exception): their first performance goal is marked as that project and weighs 35-60 %,
the other goals keep the 5-30 % band, all adding up to 100. Without it (the default) the random
stream, and so every file made before the option, is unchanged.
"""

from __future__ import annotations

import argparse
import csv
import os
import random

HEADER = [
    "id",
    "name",
    "segment",
    "dedicated_large_project",
    "title",
    "category",
    "kind",
    "weight",
    "what",
    "how_much",
    "how",
    "by_when",
    "target",
    "actual",
    "direction",
    "assessed_achievement",
    "difficulty",
    "shared",
    "large_project",
    # The records policies/japan_mbo.yaml requires besides the sheet (record_requirements).
    "goals_agreed_by",
    "goals_agreed_by_employee",
    "goals_agreed_on",
    "development_plan_short_term",
    "development_plan_mid_term",
    "development_measure",
    "development_plan_agreed_by",
    "development_plan_agreed_by_employee",
    "development_plan_agreed_on",
    "development_plan_reviewed_on",
]
FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "健一", "美咲", "翔", "陽菜", "大輔", "結衣", "拓也", "愛"]
GOALS = ["売上高", "粗利益", "不良品率の低下", "原価低減", "新規顧客数", "在庫回転率", "自己啓発", "QC活動"]


def weights(n: int, rng: random.Random, total: int = 100) -> list[int]:
    """n weights, multiples of 5 within 5..30, summing to exactly ``total``."""
    w = [5] * n
    left = total - 5 * n
    while left:
        i = rng.randrange(n)
        if w[i] < 30:
            w[i] += 5
            left -= 5
    return w


def employee_rows(i: int, rng: random.Random, dedicated: float = 0.0) -> list[list[str]]:
    perf, proc = rng.randint(3, 5), rng.randint(2, 3)
    n = perf + proc
    # Drawn only when asked for, so that the default keeps the random stream of older files.
    large = dedicated > 0 and rng.random() < dedicated
    if large:
        big = rng.choice([35, 40, 45, 50, 55, 60])
        ws = [big, *weights(n - 1, rng, 100 - big)]
    else:
        ws = weights(n, rng)
    name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
    emp = [f"E{i:06d}", name, rng.choice(["manager", "general"]), "true" if large else "false"]
    agreed = [
        "M000001",
        emp[0],
        "2026-04-10",
        "担当業務の遂行力の向上",
        "次の等級への育成",
        "ojt",
        "M000001",
        emp[0],
        "2026-04-20",
        "2026-10-15",
    ]
    rows = []
    for j in range(n):
        quantitative = rng.random() < 0.8
        lower = quantitative and rng.random() < 0.15
        target = rng.randint(50, 2000)
        ratio = rng.gauss(1.0, 0.15)
        actual = max(1, round(target * (1 / ratio if lower else ratio)))
        rows.append(
            [
                *emp,
                rng.choice(GOALS),
                "performance" if j < perf else "process",
                "quantitative" if quantitative else "qualitative",
                str(ws[j]),
                "項目",
                "基準",
                "手段",
                "2027-03",
                str(target) if quantitative else "",
                str(actual) if quantitative else "",
                "lower" if lower else "higher",
                "" if quantitative else f"{rng.randint(60, 130)}.{rng.randint(0, 9)}",
                rng.choice(["1.0", "1.0", "1.0", "1.1", "1.2", "1.3"]),
                "false",
                "true" if large and j == 0 else "false",
                # A later row of the employee may leave employee cells empty (docs/records.md).
                *(agreed if j == 0 else [""] * len(agreed)),
            ]
        )
    return rows


def generate(count: int, path: str, seed: int = 7, dedicated: float = 0.0) -> None:
    rng = random.Random(seed)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(1, count + 1):
            writer.writerows(employee_rows(i, rng, dedicated))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--dedicated", type=float, default=0.0, help="fraction of employees under the large-project exception"
    )
    args = parser.parse_args()
    generate(args.count, args.path, args.seed, args.dedicated)


if __name__ == "__main__":
    main()
