"""``hrpolicy doc``: the rulebook in words; the committed rulebooks under docs/rulebooks stay current."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Echo

from engine.commands.doc import run_doc
from engine.compare.rulebook import assumptions

ROOT = Path(__file__).resolve().parent.parent
BOOKS = sorted((ROOT / "docs" / "rulebooks").glob("*.md"))


def render(policy: str, lang: str, fmt: str = "md") -> str:
    echo = Echo()
    assert run_doc(str(ROOT / "policies" / f"{policy}.yaml"), lang, fmt, None, echo) == 0
    return echo.stdout


def test_every_shipped_policy_has_its_rulebooks() -> None:
    assert [p.name for p in BOOKS] == [
        "japan_mbo.en.md",
        "japan_mbo.ja.md",
        "kepco_like.en.md",
        "kepco_like.ko.md",
        "kumho_like.en.md",
        "kumho_like.ko.md",
    ]


@pytest.mark.parametrize("book", BOOKS, ids=lambda p: p.name)
def test_committed_rulebook_is_current(book: Path) -> None:
    policy, lang, _ = book.name.split(".")
    assert book.read_text(encoding="utf-8") == render(policy, lang), (
        f"regenerate: hrpolicy doc policies/{policy}.yaml --lang {lang} -o docs/rulebooks/{book.name}"
    )


def test_rulebook_words_are_in_the_chosen_language() -> None:
    ja = render("japan_mbo", "ja")
    assert "# 目標管理制度: 規程集\n" in ja
    assert (
        "  - 区分 管理職（segment == 'manager'）: S: 110以上; A: 100以上 110未満; B: 90以上 100未満;"
        " C: 80以上 90未満; D: 79以下\n" in ja
    )
    ko = render("kumho_like", "ko")
    assert (
        "- 업적 종합판정 (performance): performance_score 기준 순위 (높은 순); 배분율 I 10 %, II 20 %,"
        " III 40 %, IV 20 %, V 10 %; org, role_grade 단위 집단; 최소 집단 5명;"
        " 작은 집단은 parent_org 기준 상위로 병합 (role_grade 유지)\n" in ko
    )
    en = render("kepco_like", "en")
    assert "- objections within 5 working days of result_notice\n" in en


def test_the_stamp_is_a_comment_and_the_hash_is_listed() -> None:
    lines = render("japan_mbo", "en").splitlines()
    assert lines[0].startswith("<!-- policy japan_mbo version 2026.1 sha256 ") and lines[0].endswith(" -->")
    sha = lines[0].split()[6]
    assert f"- content hash: `{sha}`" in lines


def test_every_assumption_comment_is_listed_with_its_continuation() -> None:
    text = (
        "a: 1\n"
        "  # ASSUMPTION: first line of it\n"
        "  # and its second line.\n"
        "  # Seed: not part of it\n"
        "b: 2  # ASSUMPTION: inline one.\n"
        '# the comment starting "ASSUMPTION:" is a mention, not an assumption\n'
        "  # ASSUMPTION: ends before a labelled note\n"
        "  # POLICY DECISION: another note\n"
    )
    found = [(a.line, a.text) for a in assumptions(text)]
    assert found == [
        (2, "first line of it and its second line."),
        (5, "inline one."),
        (7, "ends before a labelled note"),
    ]


def test_counts_of_assumptions_in_the_shipped_policies() -> None:
    # grep -cE '#\s*ASSUMPTION:' policies/*.yaml: japan_mbo 17, kumho_like 32, kepco_like 26
    counts = {
        name: len(assumptions((ROOT / "policies" / f"{name}.yaml").read_text(encoding="utf-8")))
        for name in ("japan_mbo", "kumho_like", "kepco_like")
    }
    assert counts == {"japan_mbo": 17, "kumho_like": 32, "kepco_like": 26}


def test_a_requirement_reads_with_its_condition_and_checks_and_without_owner_notes(tmp_path: Path) -> None:
    """A conditional requirement is not described as applying to everyone; its checks are named;
    an ``x-`` note of the policy's owner is not a requirement."""
    text = (ROOT / "policies" / "japan_mbo.yaml").read_text(encoding="utf-8")
    old = "    severity: warning\n    fields: [development_plan_mid_term]\n"
    assert old in text
    new = (
        old
        + "    when: \"segment == 'manager'\"\n"
        + "    checks:\n"
        + "      - {id: measure, check: \"development_measure != 'other'\", message: {en: a named measure}}\n"
        + "  x-owner: reviewed by HR in March\n"
    )
    path = tmp_path / "japan_mbo.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    echo = Echo()
    assert run_doc(str(path), "en", "md", None, echo) == 0
    lines = [line for line in echo.stdout.splitlines() if "record requirement" in line]
    assert lines[2:] == [
        "- record requirement Mid-term (about 3 years) development plan (a warning only): applies when "
        "segment == 'manager'; filled in: development_plan_mid_term; development_measure != 'other' must hold"
    ]
    assert len(lines) == 3
