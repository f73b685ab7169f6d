"""The HTML pages of calibrate, jobeval, pay and workflow as a person sees them (issue 15): made
by the commands, rendered by a real headless Chromium (tests/browser_helpers.py), the DOM read
back and checked, and screenshots at a desktop and a phone width checked not to be blank. The
page is the evaluation page's (one base template): language, policy name and version, run date
and period, a summary with counts and, where there are grades, a distribution chart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import dump_dom, png_colours, screenshot
from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KUMHO, KEPCO = str(ROOT / "policies/kumho_like.yaml"), str(ROOT / "policies/kepco_like.yaml")
EXAMPLES = ROOT / "examples"

PAGES = {
    "calibrate": (KUMHO, "kumho_like/calibration.yaml", ()),
    "jobeval": (KEPCO, "kepco_like/jobs.yaml", ("--lang", "ja")),
    "pay": (KUMHO, "kumho_like/pay.yaml", ("--base-rate", "3.0", "--lang", "en")),
    "workflow": (KEPCO, "kepco_like/workflow.yaml", ("--today", "2027-02-10")),
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Each command's page (-o page.html chooses the format) and the DOM Chromium builds of it."""
    folder = tmp_path_factory.mktemp("pages")
    made = {}
    for command, (policy, data, extra) in PAGES.items():
        out = folder / f"{command}.html"
        result = CliRunner().invoke(cli, [command, policy, str(EXAMPLES / data), *extra, "-o", str(out)])
        assert result.exit_code == (1 if command == "workflow" else 0), result.stderr
        dom, console = dump_dom(out)
        assert console == []
        assert "<script" not in dom and "http" not in dom.replace('xmlns="http://www.w3.org/2000/svg"', "")
        made[command] = (out, dom)
    return made


def headers(dom: str) -> list[list[str]]:
    """The column headers of each table of the page."""
    return [
        re.findall(r'<th scope="col" class="\w+">([^<]*)</th>', head) for head in dom.split("<thead>")[1:]
    ]


def counts(dom: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'<span class="n" data-count="(\w+)">(\d+)</span>', dom)}


def meta(dom: str) -> list[tuple[str, str]]:
    return re.findall(r"<dt>([^<]+)</dt><dd>(?:<time [^>]+>)?([^<]+)<", dom)


def test_calibrate_page_in_the_policys_korean(pages: dict[str, tuple[Path, str]]) -> None:
    dom = pages["calibrate"][1]
    assert '<html lang="ko">' in dom and "<h1>평가/보상제도 (역할 직급 K1~K4)</h1>" in dom
    assert [k for k, _ in meta(dom)] == ["버전", "평가 기간", "작성일"]
    assert meta(dom)[:2] == [("버전", "2026.1"), ("평가 기간", "2026-01-01 – 2026-12-31")]
    assert counts(dom) == {"groups": 2, "outside": 0, "not_graded": 0, "problems": 0}
    # Final grades of the ten civil_div K4 people, quotas 1/2/4/2/1 met exactly, in both distributions.
    bars = re.findall(r'data-grade="([^"]+)" data-count="(\d+)"', dom)
    assert bars == 2 * [("Ⅰ", "1"), ("Ⅱ", "2"), ("Ⅲ", "4"), ("Ⅳ", "2"), ("Ⅴ", "1")]
    assert headers(dom)[0] == ["등급", "정원", "허용 오차", "제안 등급", "최종 등급", "정원 내"]
    assert headers(dom)[1] == ["대상자", "제안 등급", "최종 등급", "사유"]
    assert (
        '<h2 id="t1">업적 종합판정: 그룹 (org=civil_div, role_grade=K4): 10명; 최종 등급 정원 내</h2>' in dom
    )
    assert (
        '<tr><td class="text">C02</td><td class="text">Ⅰ</td><td class="text">Ⅱ</td>'
        '<td class="text">I 정원 1명: 업적 점수 1위(C01, 100.00)에게 배분</td></tr>'
    ) in dom


def test_jobeval_page_in_japanese(pages: dict[str, tuple[Path, str]]) -> None:
    dom = pages["jobeval"][1]
    assert '<html lang="ja">' in dom and "<h1>kepco_like</h1>" in dom  # no Japanese name: the id
    assert meta(dom)[:2] == [("版", "2026.1"), ("評価期間", "2026-02-01 – 2027-04-30")]
    assert counts(dom) == {"jobs": 3, "failed": 0}
    assert re.findall(r'data-grade="([^"]+)" data-count="(\d+)"', dom) == [("J2", "1"), ("J3", "2")]
    assert headers(dom)[0] == [
        "職務", "職務名", "職群", "担当者", "合計", "端数処理後", "原案等級", "最終等級", "委員会",
    ]  # fmt: skip
    # M-01: 683.10 rounds to 683 (J4); the committee's J3 stands: 有効. Totals with two places each.
    assert (
        '<td class="number">683.10</td><td class="number">683</td><td class="text">J4</td>'
        '<td class="text">J3</td><td class="text">job_grade_committee -&gt; J3: 有効</td>'
    ) in dom
    assert '<td class="number">761.50</td>' in dom
    assert '<p class="note">最終等級 J3</p>' in dom


def test_pay_page_in_english_with_the_share_check(pages: dict[str, tuple[Path, str]]) -> None:
    dom = pages["pay"][1]
    assert '<html lang="en">' in dom
    assert counts(dom) == {"employees": 8, "failed": 0}
    # Merit zones of the eight: E (H105, H107), P (H101, H102, H108), T (H103, H104, H106).
    assert re.findall(r'data-grade="([^"]+)" data-count="(\d+)"', dom) == [("E", "2"), ("P", "3"), ("T", "3")]
    assert headers(dom)[0] == ["Employee ID", "Name", "Zone", "Raise"]
    assert '<p class="note">sum of shares = pool: 88060000 = 88060000</p>' in dom
    # Promotion deductions padded to one number of places per column: 0.176 beside 0.000, 0.200.
    cells = re.findall(r'<td class="number">([0-9.]+)</td>', dom.split("promotion points")[1])
    assert cells[:5] == ["28", "0.0", "0.000", "2.0", "30.00"]


def test_workflow_page_in_korean_with_its_problems(pages: dict[str, tuple[Path, str]]) -> None:
    dom = pages["workflow"][1]
    assert '<html lang="ko">' in dom and "<h1>목표관리(MBO) 운영방안 및 직무평가</h1>" in dom
    assert counts(dom) == {"notices": 2, "objections": 3, "goal_changes": 3, "problems": 3}
    assert headers(dom)[0] == ["직원", "평가 기간", "차수", "통보일", "마감일", "제기일", "상태"]
    assert (
        '<td class="text">2027-02-03(수)</td><td class="text">2027-02-12(금)</td>'
        '<td class="text">2027-02-15(월)</td><td class="text">1영업일 지연</td>'
    ) in dom
    assert '<h2 id="t2">목표 변경: 3건, 승인 1건</h2>' in dom
    problems = dom.split('<section class="problems"')[1]
    assert "[objection-late] objection filed 2027-02-15, after the deadline 2027-02-12" in problems


@pytest.mark.parametrize("command", sorted(PAGES))
@pytest.mark.parametrize("size", ["1280,1400", "390,1400"], ids=["desktop", "phone"])
def test_the_page_is_not_blank(
    pages: dict[str, tuple[Path, str]], command: str, size: str, tmp_path: Path
) -> None:
    png = screenshot(pages[command][0], tmp_path / "shot.png", size)
    assert png_colours(png) > 8  # text, table rules, bars: a blank page is one colour


def test_explain_as_a_page(tmp_path: Path) -> None:
    data = str(EXAMPLES / "kumho_like/employees.yaml")
    result = CliRunner().invoke(cli, ["explain", KUMHO, data, "--employee", "H018", "--format", "html"])
    assert result.exit_code == 0
    page = tmp_path / "explain.html"
    page.write_text(result.stdout, encoding="utf-8")
    dom, console = dump_dom(page)
    assert console == [] and '<html lang="ko">' in dom
    assert headers(dom)[0] == ["항목", "id", "값"]
    # H018 (K1): KPI (5400+1500)/100 = 69.00 exactly as computed; alone in its group: no grade.
    row = '<td class="text">업적 점수</td><td class="text">performance_score</td><td class="text">69.00</td>'
    assert f"<tr>{row}</tr>" in dom
    assert (
        '<td class="text ungraded">미부여: 그룹 (org=company, role_grade=K1) 인원 1명, 최소 인원 5명 미만'
    ) in dom
    assert '<h2 id="t2">employee</h2>' in dom  # the trace's own subjects follow, one table each
    assert png_colours(screenshot(page, tmp_path / "shot.png", "390,1400")) > 8


def test_a_command_page_prints(pages: dict[str, tuple[Path, str]], tmp_path: Path) -> None:
    from browser_helpers import run_chromium

    pdf = tmp_path / "pay.pdf"
    run_chromium(pages["pay"][0], f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 1
