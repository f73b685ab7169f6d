"""A workbook's inline strings read without building openpyxl's ``Text`` object for the plain ones.

openpyxl's worksheet parser reads a cell ``<c t="inlineStr"><is><t>text</t></is></c>`` (what
openpyxl itself writes in write-only mode, and other exporters) as ``Text.from_tree(is).content``:
an object made through its descriptors for every such cell, a quarter of reading such a
workbook (profiled, 3,000 japan employees). :class:`PlainFirst` stands in for ``Text`` in that
parser: an ``<is>`` without attributes whose one child is a ``t`` element gives that element's
text, as ``Text.from_tree`` does (its ``t`` is the element's own text, whatever the element
holds or says); every other ``<is>`` (rich text runs, phonetic runs, attributes, several
children) goes to ``Text.from_tree`` itself, its answers and its errors.
"""

from __future__ import annotations

from typing import Any


class _Content:
    """What the parser reads of a ``Text``: its ``content``."""

    __slots__ = ("content",)

    def __init__(self, content: str) -> None:
        self.content = content


class PlainFirst:
    """``Text`` for openpyxl's worksheet parser (see the module's text)."""

    text: Any = None  # openpyxl's Text: the parser's own once :func:`hook` ran, else found here

    @classmethod
    def from_tree(cls, node: Any) -> Any:
        if not node.attrib and len(node) == 1:
            (child,) = node
            tag = child.tag
            # openpyxl's ``localname``: the tag without its ``{namespace}`` (no name holds a brace).
            if type(tag) is str and (tag == "t" or tag.endswith("}t")):
                return _Content(child.text or "")
        if cls.text is None:
            from openpyxl.cell.text import Text

            cls.text = Text
        return cls.text.from_tree(node)


def hook() -> None:
    """:class:`PlainFirst` in place of ``Text`` in openpyxl's worksheet parser, once; a version
    of openpyxl without those names is left alone (the names are openpyxl 3.1's)."""
    try:
        from openpyxl.worksheet import _reader
    except ImportError:
        return
    text = getattr(_reader, "Text", None)
    if text is None or text is PlainFirst or not callable(getattr(text, "from_tree", None)):
        return
    PlainFirst.text = text
    _reader.Text = PlainFirst


__all__ = ["PlainFirst", "hook"]
