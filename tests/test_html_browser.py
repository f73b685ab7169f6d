"""The HTML report as a person sees it: rendered by a real headless Chromium (Debian package
``chromium``), its DOM read back with --dump-dom and its screenshots checked not to be blank,
at a desktop and a phone width. Without Chromium the test is skipped, except in CI (CI set),
where it fails: .ci/run installs the browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import run_chromium
from click.testing import CliRunner

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KUMHO = ROOT / "policies" / "kumho_like.yaml"
KUMHO_DATA = ROOT / "examples" / "kumho_like" / "employees.yaml"
def browse(page: Path, *args: str) -> str:
    """What Chromium prints for ``page`` (the DOM with --dump-dom)."""
    return run_chromium(page, *args).stdout


def distinct_colours(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None
    return len(colours)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "결과.html"
    result = CliRunner().invoke(cli, ["evaluate", str(KUMHO), str(KUMHO_DATA), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_the_page_in_chromium_has_its_language_tables_chart_and_labels(page: Path, tmp_path: Path) -> None:
    dom = browse(page, "--dump-dom")
    assert re.search(r'<html lang="ko">', dom)
    assert "<h1>평가/보상제도 (역할 직급 K1~K4)</h1>" in dom
    assert '<time datetime="' in dom and "2026-01-01 – 2026-12-31" in dom
    headers = re.findall(r'<th scope="col" class="[a-z]+">([^<]*)</th>', dom)
    assert headers == [
        "사번", "성명", "직무KPI 점수", "업무기여도 점수", "업적 점수", "역량 점수",
        "업적 종합판정", "역량 종합판정",
    ]  # fmt: skip
    assert dom.count("<table>") == 1 and len(re.findall(r"<tr><td", dom)) == 26
    assert re.findall(r'data-count="(evaluated|failed|warnings)">(\d+)<', dom) == [
        ("evaluated", "26"), ("failed", "0"), ("warnings", "6"),
    ]  # fmt: skip
    # One chart per grade column: I..V as the example's comment works them out, and the three
    # people no group could grade (H016-H018).
    charts = re.findall(r'<svg [^>]*data-column="([a-z_]+)"', dom)
    assert charts == ["performance", "competency"]
    bars = re.findall(r'<g class="bar[^"]*" data-grade="([^"]+)" data-count="(\d+)"', dom)
    assert bars[:6] == [("Ⅰ", "4"), ("Ⅱ", "5"), ("Ⅲ", "9"), ("Ⅳ", "4"), ("Ⅴ", "1"), ("미부여", "3")]
    assert sum(int(n) for _, n in bars) == 2 * 26
    assert "<script" not in dom and "http" not in dom.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert dom.count('class="grade ungraded"') == 6  # H016-H018 in both grade columns, with the reason
    # "not graded: group (org=company, role_grade=K1) has 1 member, fewer than the minimum 5, even
    # at the top of the org tree; merged from (org=mgmt_div, role_grade=K1)", in the page's Korean:
    assert (
        "미부여: 그룹 (org=company, role_grade=K1) 인원 1명, 최소 인원 5명 미만, 조직도 최상위에서도 부족; "
        "병합 전 그룹: (org=mgmt_div, role_grade=K1)</td>"
    ) in dom


@pytest.mark.parametrize(("width", "height"), [(1280, 1600), (390, 1400)], ids=["desktop", "phone"])
def test_the_screenshot_is_not_blank(page: Path, tmp_path: Path, width: int, height: int) -> None:
    png = tmp_path / f"shot-{width}.png"
    browse(page, f"--window-size={width},{height}", f"--screenshot={png}")
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (width, height)
    # A blank page is one colour; text, table rules and the chart's bars make hundreds.
    assert distinct_colours(png) > 100


def test_the_page_prints(page: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    browse(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 1
