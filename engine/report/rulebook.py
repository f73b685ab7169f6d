"""Rulebook renderers in a registry: ``md`` (Markdown) and ``html`` (one self-contained page)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.compare.rulebook import Rulebook
from engine.compare.words import word
from engine.report.model import stamp_lines, stamped


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + " --- |" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _bullets(lines: Sequence[str]) -> list[str]:
    return [("  - " + line.strip()) if line.startswith("  ") else f"- {line}" for line in lines]


def render_md(book: Rulebook) -> str:
    """The rulebook as Markdown: headings, bullet lists, tables, numbered assumptions."""
    lang = book.lang
    out = [f"# {book.title}: {word('rulebook', lang)}", ""]
    out += [
        f"- {word('version', lang)}: {book.stamp.version}",
        f"- {book.effective}",
        f"- {word('hash', lang)}: `{book.stamp.sha256}`",
        "",
    ]
    if book.description:
        out += [book.description, ""]
    out += [f"## {word('sources', lang)}", "", *(f"- {s}" for s in book.sources), ""]
    out += [f"## {word('inputs', lang)}", ""]
    for level, rows in book.inputs:
        out += [
            f"### {level}",
            "",
            *_md_table([word("field", lang), word("type", lang), word("label", lang)], rows),
        ]
    for title, lines in book.sections:
        out += [f"## {title}", "", *_bullets(lines), ""]
    if book.constraints:
        out += [f"## {word('constraints', lang)}", "", *(f"- {c}" for c in book.constraints), ""]
    if book.tables:
        out += [f"## {word('tables', lang)}", ""]
        for title, head, rows in book.tables:
            out += [f"### {title}", "", *_md_table(head, rows)]
    out += [f"## {word('assumptions', lang)} ({len(book.assumptions)})", ""]
    out += [f"{i}. ({word('line', lang)} {a.line}) {a.text}" for i, a in enumerate(book.assumptions, 1)]
    return "\n".join(out).rstrip("\n") + "\n"


def render_html(book: Rulebook) -> str:
    """The rulebook as one self-contained page (the Jinja2 template ``rulebook.html.j2``)."""
    from engine.report.page import environment

    return (
        environment()
        .get_template("rulebook.html.j2")
        .render(
            book=book, lang=book.lang, stamps=stamp_lines([book.stamp]), w=lambda key: word(key, book.lang)
        )
    )


#: The formats of ``hrpolicy doc``; the CLI's --format choices are these keys.
RENDERERS: dict[str, Callable[[Rulebook], str]] = {"md": render_md, "html": render_html}


def render(book: Rulebook, fmt: str) -> str:
    """The rulebook in ``fmt``, stamped with its policy."""
    return stamped(fmt, [book.stamp], RENDERERS[fmt](book))
