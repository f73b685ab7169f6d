"""The plain inline strings of a workbook read without openpyxl's ``Text`` object
(engine/io/inlinetext.py): the same text as ``Text.from_tree(node).content`` for every ``<is>``
element, plain or not, and the same error where that one fails."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import fromstring

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.text import Text
from openpyxl.worksheet import _reader

from engine.io.inlinetext import PlainFirst, hook
from engine.io.xlsxfile import read_xlsx_rows

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.gen_formats import generate as generate_format  # noqa: E402

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CHILDREN = [
    "<t>plain</t>", '<t xml:space="preserve">  spaced  </t>', "<t/>", "<t></t>", "<t>a<b/>c</t>",
    "<t>&amp;&lt;x&gt; 鈴木</t>", '<t foo="1">attr</t>', "<r><t>run</t></r>", "<r/>",
    "<r><rPr><b/></rPr><t>bold</t></r>", '<rPh sb="0" eb="1"><t>ふり</t></rPh>',
    '<rPh sb="x"><t>bad</t></rPh>', '<phoneticPr fontId="1"/>', '<x:t xmlns:x="urn:other">other</x:t>',
    "<plain>p</plain>", "<unknown/>", "<formatted/>",
]  # fmt: skip
ATTRIBUTES = ["", ' foo="1"', ' xml:space="preserve"', ' count="2"']


def _outcome(read: Any, node: Any) -> tuple[str, str]:
    try:
        return ("text", read(node).content)
    except Exception as exc:  # (its errors are the answer too)
        return (type(exc).__name__, str(exc))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(CHILDREN), max_size=3), st.sampled_from(ATTRIBUTES), st.text(max_size=3))
def test_every_inline_string_reads_as_openpyxl_reads_it(children: list[str], attributes: str, lead: str) -> None:  # noqa: E501
    body = "".join(children)
    node = fromstring(f'<is xmlns="{NS}"{attributes}>{_escaped(lead)}{body}</is>')
    assert _outcome(PlainFirst.from_tree, node) == _outcome(Text.from_tree, node)


def _escaped(text: str) -> str:
    kept = "".join(c for c in text if c.isprintable())
    return kept.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_the_parser_takes_the_plain_reading_once_a_workbook_is_read(tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    generate_format(5, str(path))  # (openpyxl's write-only workbook: every text cell inline)
    rows = list(read_xlsx_rows(str(path), str(path)))
    assert _reader.Text is PlainFirst and PlainFirst.text is Text
    assert rows[0][1][:3] == ["id", "name", "segment"] and rows[1][1][0] == "E000001"
    hook()  # (once: a second hook leaves it as it is)
    assert _reader.Text is PlainFirst and PlainFirst.text is Text
