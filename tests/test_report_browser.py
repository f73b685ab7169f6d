"""The consultant HTML reports in a real headless Chromium: tables, SVG charts, labels in the
chosen language, no console messages, no network reference, and a screenshot that is not blank."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser_helpers import dump_dom, png_colours, screenshot
from helpers import Echo

from engine.commands.compare import run_compare
from engine.commands.diff import run_diff
from engine.commands.doc import run_doc
from engine.commands.simulate import run_simulate

ROOT = Path(__file__).resolve().parent.parent
POLICIES = [str(ROOT / "policies" / f"{n}.yaml") for n in ("japan_mbo", "kumho_like", "kepco_like")]
POPULATION = str(ROOT / "examples" / "compare" / "population.yaml")


class Elements(HTMLParser):
    """Counts of elements, the text of headings and captions, every attribute value."""

    def __init__(self) -> None:
        super().__init__()
        self.count: dict[str, int] = {}
        self.headings: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self._heading = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count[tag] = self.count.get(tag, 0) + 1
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        self._heading = tag in ("h1", "h2", "h3")

    def handle_endtag(self, tag: str) -> None:
        self._heading = False

    def handle_data(self, data: str) -> None:
        if self._heading and data.strip():
            self.headings.append(data.strip())
        self.text.append(data)


def parsed(page: Path) -> Elements:
    dom, console = dump_dom(page)
    assert console == []
    elements = Elements()
    elements.feed(dom)
    return elements


def no_network(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    refs = re.findall(r"(?:src|href)=\"([^\"]*)\"", html)
    assert refs == []  # nothing to fetch: the page opens offline
    assert "<script" not in html


def not_blank(page: Path, tmp_path: Path) -> None:
    assert png_colours(screenshot(page, tmp_path / "shot.png")) > 3


def test_compare_report_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "compare.html"
    assert run_compare(POLICIES, POPULATION, [], "html", str(page), "en", "P1", Echo()) == 0
    no_network(page)
    el = parsed(page)
    assert el.count["svg"] == 3  # a chart per scheme: each grades
    assert el.count["rect"] == 15  # S-D (japan_mbo), I-V (kumho_like), S-D (kepco_like) bars
    assert el.count["table"] == 5  # two transition matrices, people, statistics, distribution
    assert el.headings[:3] == [
        "hrpolicy compare: japan_mbo vs kumho_like vs kepco_like",
        "Policies",
        "Summary",
    ]
    assert "Grade distribution per scheme" in el.headings and "Grade transitions" in el.headings
    assert ("svg", "aria-label", "japan_mbo: rating: people per grade") in el.attrs
    assert ("html", "lang", "en") in el.attrs
    not_blank(page, tmp_path)


def test_compare_report_labels_in_korean(tmp_path: Path) -> None:
    page = tmp_path / "compare.ko.html"
    assert run_compare(POLICIES, POPULATION, [], "html", str(page), "ko", None, Echo()) == 0
    el = parsed(page)
    assert ("html", "lang", "ko") in el.attrs
    assert {"정책", "요약", "제도별 등급 분포", "등급 이동", "표"} <= set(el.headings)
    assert ("svg", "aria-label", "kumho_like: 업적 종합판정: 등급별 인원") in el.attrs  # its Korean label
    captions = [t for t in el.text if t.strip() in ("인원별 결과", "점수 통계와 보상 합계", "등급 분포")]
    assert len(captions) == 3


def test_diff_and_simulate_reports_in_chromium(tmp_path: Path) -> None:
    diff_page, sim_page = tmp_path / "diff.html", tmp_path / "simulate.html"
    old = str(ROOT / "policies" / "japan_mbo.yaml")
    new = str(ROOT / "examples" / "compare" / "japan_mbo_2027.yaml")
    assert run_diff(old, new, POPULATION, [], "html", str(diff_page), "ja", Echo()) == 1
    el = parsed(diff_page)
    assert el.count["svg"] == 2 and el.count["table"] == 3  # matrix, changes, people who change
    assert {"ポリシー", "概要", "制度別の評語分布", "評語の移動"} <= set(el.headings)
    assert "管理職 S の下限: 110 -> 108" in "".join(el.text)  # the policy's Japanese label of the segment
    vary = "tables.raise_performance_share.values.K3=30,70"
    assert run_simulate(POLICIES[1], POPULATION, vary, [], "html", str(sim_page), "en", Echo()) == 0
    el = parsed(sim_page)
    assert el.count["svg"] == 3  # as written, 30, 70
    no_network(sim_page)
    not_blank(sim_page, tmp_path)


@pytest.mark.parametrize(
    ("policy", "lang", "heading"),
    [
        ("japan_mbo", "ja", "前提 (17)"),
        ("kumho_like", "ko", "가정 (32)"),
        ("kepco_like", "en", "Assumptions (26)"),
    ],
)
def test_rulebook_pages_in_chromium(tmp_path: Path, policy: str, lang: str, heading: str) -> None:
    page = tmp_path / f"{policy}.html"
    assert run_doc(str(ROOT / "policies" / f"{policy}.yaml"), lang, "html", str(page), Echo()) == 0
    no_network(page)
    el = parsed(page)
    assert ("html", "lang", lang) in el.attrs
    assert heading in el.headings
    assert el.count["table"] >= 2
    not_blank(page, tmp_path)


def test_the_browser_checks_can_fail(tmp_path: Path) -> None:
    # A console message is caught and a blank page is one colour: the checks above are not vacuous.
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><body><script>console.error("boom")</script></body></html>')
    _, console = dump_dom(page)
    assert len(console) == 1 and '"boom"' in console[0]
    assert png_colours(screenshot(page, tmp_path / "blank.png")) == 1
