"""The safe YAML loader: YAML 1.2 core scalars, exact decimals, line marks and hostile input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import Diagnostic, Severity, UsageError
from engine.loader import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    LoadedDocument,
    load_yaml_file,
    load_yaml_text,
)

CASES = Path(__file__).resolve().parent / "cases" / "invalid"
GOLDEN = sorted(p for p in CASES.glob("yaml-*") if (p / "expected.txt").exists())
_POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"
POLICIES = sorted(p for p in _POLICY_DIR.glob("*.yaml") if not p.name.endswith(".test.yaml"))
AMBIGUOUS_HINT = "quote it ('{0}') if you mean the word, or write false/true for a boolean"
RANGE = "is out of range: at most 100 characters and a decimal exponent between -100 and 100"
NOT_UTF8 = "the file is not UTF-8: byte 0x{0:02x} at byte offset {1} cannot be decoded"
CORE_TAGS = "only the core tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq may be used"


def _load(text: str | bytes) -> LoadedDocument:
    return load_yaml_text(text, "p.yaml")


def _found(doc: LoadedDocument) -> list[tuple[int, int, str, str]]:
    """(line, col, rule, message) of every diagnostic, in document order."""
    return [(d.location.line, d.location.col, d.rule, d.message) for d in doc.diagnostics]


def _render(diagnostics: list[Diagnostic]) -> str:
    """The text ``hrpolicy validate`` prints: one line per diagnostic, then its suggestion."""
    out = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        out.append(f"{d.location}: {d.severity.value} [{d.rule}] {d.message}\n")
        if d.suggestion:
            out.append(f"  suggestion: {d.suggestion}\n")
    return "".join(out)


# --- scalars: YAML 1.2 core schema ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~", None),
        ("null", None),
        ("NULL", None),
        ("", None),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("0", 0),
        ("-12", -12),
        ("+7", 7),
        ("33.3", Decimal("33.3")),
        ("-0.5", Decimal("-0.5")),
        (".5", Decimal("0.5")),
        ("1e3", Decimal("1000")),
        ("1.10", Decimal("1.10")),
        ("2026-04-01", "2026-04-01"),  # a YAML 1.1 timestamp, a string in 1.2
        ("0o17", "0o17"),
        ("010", "010"),  # no octal, no leading zeros
        ("1_000", "1_000"),
        ("0x1F", "0x1F"),
        ("12:30", "12:30"),  # YAML 1.1 sexagesimal
        ("'33.3'", "33.3"),
        ('"true"', "true"),
        ("'no'", "no"),
        ("! 12", "12"),
        ("!!str 1.5", "1.5"),
        ("!!int '12'", 12),
        ("!!float 3", Decimal("3")),
        ("!!bool true", True),
        ("!!null ~", None),
        ("|-\n  1.5", "1.5"),
    ],
)
def test_scalars_resolve_by_the_yaml_1_2_core_schema(text: str, expected: Any) -> None:
    doc = _load(f"v: {text}\n")
    assert doc.diagnostics == []
    value = doc.data["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_numbers_keep_their_source_digits() -> None:
    doc = _load("a: 1.10\nb: 100.00\nc: 1e3\n")
    # Decimal(text), never Decimal(float): the written digits and exponent survive.
    assert [str(doc.data[k]) for k in "abc"] == ["1.10", "100.00", "1E+3"]


def test_decimal_sums_are_exact() -> None:
    data = _load("a: 0.1\nb: 0.2\nweights: [33.3, 33.3, 33.4]\n").data
    # 0.1 + 0.2 = 0.3 exactly (as float it would be 0.30000000000000004)
    assert data["a"] + data["b"] == Decimal("0.3")
    # 33.3 + 33.3 + 33.4 = 100.0, which equals 100
    assert sum(data["weights"]) == 100
    assert all(type(w) is Decimal for w in data["weights"])


def test_json_is_read_by_the_same_loader() -> None:
    doc = _load('{"id": "E1", "a": 1.10, "n": 3, "ok": true, "x": null,\n\t"l": [{"w": 0.5}]}')
    assert doc.diagnostics == []
    expected = {"id": "E1", "a": Decimal("1.10"), "n": 3, "ok": True, "x": None, "l": [{"w": Decimal("0.5")}]}
    assert doc.data == expected
    assert str(doc.data["a"]) == "1.10"
    # line 2 is TAB + '"l": [{"w": 0.5}]}': the key "w" starts at column 9, 0.5 at column 14
    assert (doc.source.keys[("l", 0, "w")], doc.source.values[("l", 0, "w")]) == ((2, 9), (2, 14))


def test_a_utf8_bom_is_accepted_and_str_input_works() -> None:
    assert _load(b"\xef\xbb\xbfa: 1\n").data == {"a": 1}
    assert _load("\ufeffa: 1\n").data == {"a": 1}


# --- marks ------------------------------------------------------------------------------------


def test_marks_of_keys_and_values_of_nested_paths() -> None:
    text = (
        "metadata:\n"  # 1
        "  name: {ko: 업무개선, en: Work}\n"  # 2
        "indicator_rules:\n"  # 3
        "  weight:\n"  # 4
        "    min: 5\n"  # 5
        "    steps:\n"  # 6
        "      - 1.0\n"  # 7
        "      - {v: 1.1}\n"  # 8
        "'quoted key': x\n"  # 9
    )
    source = _load(text).source
    assert source.file == "p.yaml"
    assert source.values[()] == (1, 1)
    assert source.keys[("metadata",)] == (1, 1)
    assert source.values[("metadata",)] == (2, 3)
    # columns count characters, not UTF-8 bytes: "  name: {ko: 업무개선, " is 19 characters
    # (it is 27 bytes), so the key en starts at column 20 and its value at 24
    assert source.keys[("metadata", "name", "en")] == (2, 20)
    assert source.values[("metadata", "name", "en")] == (2, 24)
    assert source.keys[("indicator_rules", "weight", "min")] == (5, 5)
    assert source.values[("indicator_rules", "weight", "min")] == (5, 10)
    assert source.values[("indicator_rules", "weight", "steps", 0)] == (7, 9)
    assert source.values[("indicator_rules", "weight", "steps", 1)] == (8, 9)
    assert source.keys[("indicator_rules", "weight", "steps", 1, "v")] == (8, 10)
    assert source.values[("indicator_rules", "weight", "steps", 1, "v")] == (8, 13)
    assert source.keys[("quoted key",)] == (9, 1)
    location = source.locate(("indicator_rules", "weight", "steps", 1, "v"))
    assert (str(location), location.path) == ("p.yaml:8:13", "$.indicator_rules.weight.steps[1].v")


def test_an_alias_is_marked_where_it_is_used_and_copied() -> None:
    doc = _load("base: &b {mode: half_up, places: 1}\nother: *b\n")
    assert doc.diagnostics == []
    assert doc.data["other"] == {"mode": "half_up", "places": 1}
    assert doc.data["other"] is not doc.data["base"]  # no shared containers between two places
    assert doc.source.values[("other",)] == (2, 8)
    # the nodes inside the alias have no marks of their own: locate falls back to the alias
    assert str(doc.source.locate(("other", "mode"))) == "p.yaml:2:8"


# --- each rule, with line, column and message ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b: c\n", [(1, 5, "yaml-syntax", "mapping values are not allowed in this context")]),
        (
            "a:\n  b: [1, 2\n",
            [
                (
                    3,
                    1,
                    "yaml-syntax",
                    "did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 6)",
                )
            ],
        ),
        ("a: \x07\n", [(1, 4, "yaml-syntax", "control characters are not allowed (U+0007)")]),
        ("é: 가\x00\n", [(1, 5, "yaml-syntax", "control characters are not allowed (U+0000)")]),
        ("a: *nope\n", [(1, 4, "yaml-syntax", "alias *nope refers to no anchor defined before it")]),
        (
            "w:\n  weight: 1\n  min: 2\n  weight: 3\n",
            [(4, 3, "yaml-duplicate-key", "duplicate key 'weight' (first defined at line 2, column 3)")],
        ),
        (
            '{"a": 1, "a": 2}',
            [(1, 10, "yaml-duplicate-key", "duplicate key 'a' (first defined at line 1, column 2)")],
        ),
        (
            "a: .inf\nb: [-.Inf, .NaN]\n",
            [
                (1, 4, "yaml-non-finite", "'.inf' is not a finite number"),
                (2, 5, "yaml-non-finite", "'-.Inf' is not a finite number"),
                (2, 12, "yaml-non-finite", "'.NaN' is not a finite number"),
            ],
        ),
        ("a: !!float .nan\n", [(1, 4, "yaml-non-finite", "'.nan' is not a finite number")]),
        ("a: !custom x\n", [(1, 4, "yaml-tag", f"tag !custom is not allowed: {CORE_TAGS}")]),
        ("a: !!binary aGk=\n", [(1, 4, "yaml-tag", f"tag !!binary is not allowed: {CORE_TAGS}")]),
        ("a: !!set {x}\n", [(1, 4, "yaml-tag", f"tag !!set is not allowed: {CORE_TAGS}")]),
        ("a: !!map [x]\n", [(1, 4, "yaml-tag", "tag !!map cannot mark a sequence")]),
        ("a: !!seq x\n", [(1, 4, "yaml-tag", "tag !!seq cannot mark a scalar")]),
        ("a: !!int 1.5\n", [(1, 4, "yaml-tag", "'1.5' is not a valid !!int value")]),
        ("a: !!bool yes\n", [(1, 4, "yaml-tag", "'yes' is not a valid !!bool value")]),
        (
            "a: 1\n---\nb: 2\n",
            [
                (
                    2,
                    1,
                    "yaml-multiple-documents",
                    "the file holds more than one YAML document; a second one starts here",
                )
            ],
        ),
        ("", [(1, 1, "yaml-empty", "the document is empty")]),
        ("# only a comment\n", [(1, 1, "yaml-empty", "the document is empty")]),
        ("---\n", [(2, 1, "yaml-empty", "the document is empty")]),
        ("x:\n  1: a\n", [(2, 3, "yaml-key-type", "the key 1 is an integer; mapping keys must be strings")]),
        ("1.50: a\n", [(1, 1, "yaml-key-type", "the key 1.50 is a number; mapping keys must be strings")]),
        ("TRUE: a\n", [(1, 1, "yaml-key-type", "the key TRUE is a boolean; mapping keys must be strings")]),
        ("~: a\n", [(1, 1, "yaml-key-type", "the key ~ is null; mapping keys must be strings")]),
        ("[a]: x\n", [(1, 1, "yaml-key-type", "the key is a sequence; mapping keys must be strings")]),
        ("? {k: v}\n: x\n", [(1, 3, "yaml-key-type", "the key is a mapping; mapping keys must be strings")]),
        ("a: 1e101\n", [(1, 4, "yaml-number-range", f"the number 1e101 {RANGE}")]),
        # 101 characters: shown cut to its first 20
        ("a: 1" + "0" * 100 + "\n", [(1, 4, "yaml-number-range", f"the number 1{'0' * 19}... {RANGE}")]),
    ],
)
def test_rule(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    doc = _load(text)
    assert _found(doc) == expected
    assert all(d.severity is Severity.ERROR and d.location.file == "p.yaml" for d in doc.diagnostics)


def test_ambiguous_words_stay_strings_and_are_reported_as_values_and_as_keys() -> None:
    doc = _load("a: [yes, No, ON, off, Y, n, 'no', yesterday]\nyes: 1\n")
    words = ["yes", "No", "ON", "off", "Y", "n"]
    assert doc.data == {"a": [*words, "no", "yesterday"], "yes": 1}
    message = "the unquoted word '{0}' is a boolean in YAML 1.1 and a string in YAML 1.2"
    columns = [5, 10, 14, 18, 23, 26]  # "a: [yes, No, ON, off, Y, n"
    expected = [(1, c, "yaml-ambiguous-word", message.format(w)) for c, w in zip(columns, words, strict=True)]
    assert _found(doc) == [*expected, (2, 1, "yaml-ambiguous-word", message.format("yes"))]
    assert doc.diagnostics[1].suggestion == AMBIGUOUS_HINT.format("No")
    assert doc.diagnostics[6].location.path == "$.yes"


def test_a_duplicate_key_keeps_the_first_value_and_its_marks() -> None:
    doc = _load("a: 1\nb: 2\na: {deep: 3}\n")
    assert doc.data == {"a": 1, "b": 2}
    assert doc.source.values[("a",)] == (1, 4)
    assert ("a", "deep") not in doc.source.values
    assert doc.diagnostics[0].location.path == "$.a"


def test_rejected_keys_drop_their_entries() -> None:
    doc = _load("1: x\nok: y2\n[a]: z\n")
    assert doc.data == {"ok": "y2"}
    assert doc.diagnostics[0].suggestion == "quote it ('1') to make it a string"


def test_encoding_error_names_the_byte_offset_and_position() -> None:
    # "a: 1\n" is 5 bytes, "b: caf" 6 more: the Latin-1 é (0xe9) is byte 11, line 2 column 7
    doc = _load(b"a: 1\nb: caf\xe9\n")
    assert _found(doc) == [
        (2, 7, "yaml-encoding", "the file is not UTF-8: byte 0xe9 at byte offset 11 cannot be decoded")
    ]
    assert doc.diagnostics[0].suggestion == "save the file as UTF-8"
    assert doc.data is None


def test_encoding_offsets_count_the_bom_and_columns_count_characters() -> None:
    # BOM (3 bytes) + "가: " (3 + 2 bytes) = offset 8; column 4 after the three characters "가: "
    doc = _load(b"\xef\xbb\xbf\xea\xb0\x80: \xff\n")
    assert _found(doc) == [(1, 4, "yaml-encoding", NOT_UTF8.format(0xFF, 8))]


def test_utf16_is_not_utf8() -> None:
    doc = _load("a: 1\n".encode("utf-16"))
    assert _found(doc) == [(1, 1, "yaml-encoding", NOT_UTF8.format(0xFF, 0))]


BOM = "a byte order mark (U+FEFF) is only allowed as the file's first character"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: 1\n\ufeffb: 2\n", (2, 1)),  # a line start: libyaml's own message would name the mapping
        ("a: 1\nb\ufeff: 2\n", (2, 2)),  # inside a key: the key would be 'b\ufeff'
        ("a: \ufeff1\n", (1, 4)),  # inside a value: '\ufeff1', text instead of a number
        ('a: "x\ufeff"\n', (1, 6)),  # quoted
        ("a: 1  # \ufeff\n", (1, 9)),  # even in a comment: the file was joined or pasted
        ("가: 1\n나다\ufeff: 2\n", (2, 3)),  # columns count characters
        ("\ufeff\ufeffa: 1\n", (1, 1)),  # the first one is the file's; the second is not
    ],
)
def test_a_byte_order_mark_after_the_start_is_refused_where_it_is(text: str, where: tuple[int, int]) -> None:
    doc = _load(text.encode("utf-8"))
    assert _found(doc) == [(*where, "yaml-bom", BOM)]
    assert doc.diagnostics[0].suggestion == (
        "remove the byte order mark (an invisible character, often left where two files were joined)"
    )
    assert doc.data is None


def test_a_byte_order_mark_as_the_first_character_is_accepted() -> None:
    doc = _load(b"\xef\xbb\xbfa: 1\n")
    assert (doc.data, doc.diagnostics) == ({"a": 1}, [])
    doc = _load("\ufeffa: 1\n")  # the str form too
    assert (doc.data, doc.diagnostics) == ({"a": 1}, [])


def test_a_lone_surrogate_in_str_input_is_an_encoding_error() -> None:
    # "a: " is 3 bytes; the surrogate follows
    assert _found(_load("a: \ud800\n"))[0][:3] == (1, 4, "yaml-encoding")


# --- hostile input ----------------------------------------------------------------------------


def _laughs(levels: int) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_rejected_at_the_alias_that_crosses_the_bound() -> None:
    doc = _load(_laughs(10))
    # sizes: a = 1 + 9 = 10 nodes, b = 1 + 9*10 = 91, c = 820, d = 7381, e = 66430.
    # Before f: 5 keys + 74732 = 74737 nodes, + root 1 = 74738; f's key and list = 74740;
    # f's first *e gives 141170 <= 200000, its second 207600 > 200000: line 6, column 12.
    message = f"alias *e expands the document beyond {MAX_NODES} nodes"
    assert _found(doc) == [(6, 12, "yaml-alias-bomb", message)]
    assert doc.data is None


def test_an_expansion_just_under_the_bound_loads() -> None:
    doc = _load(_laughs(5))  # 1 root + 5 keys + 74732 nodes
    assert doc.diagnostics == []
    assert len(doc.data["e"]) == 9 and doc.data["e"][8][8][8][8] == ["lol"] * 9


def test_a_recursive_alias_is_rejected() -> None:
    doc = _load("k: &a [x, *a]\n")
    message = "alias *a refers to a node that contains it (a recursive alias)"
    assert _found(doc) == [(1, 11, "yaml-alias-bomb", message)]


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    text = f'p: !!python/object/apply:os.system ["touch {target}"]\nq: !!python/name:os.system\n'
    doc = _load(text)
    assert not target.exists()
    assert _found(doc) == [
        (1, 4, "yaml-tag", f"tag !!python/object/apply:os.system is not allowed: {CORE_TAGS}"),
        (2, 4, "yaml-tag", f"tag !!python/name:os.system is not allowed: {CORE_TAGS}"),
    ]
    assert doc.data == {"p": [f"touch {target}"], "q": ""}  # plain data only


def test_deep_nesting_stops_at_the_depth_bound() -> None:
    # The 101st '[' opens level 101; "a: " puts the first '[' (level 2) at column 4, so the
    # 100th '[' (level 101) is at column 103. A million are rejected without scanning them all.
    doc = _load("a: " + "[" * 1_000_000)
    assert _found(doc) == [(1, 103, "yaml-too-deep", f"the document nests deeper than {MAX_DEPTH} levels")]


def test_aliases_count_toward_the_depth_bound() -> None:
    inner = "[" * 60 + "]" * 60
    # *a adds 60 levels under "b" (level 1) and the 45 '[' before it: 1 + 45 + 60 > 100
    doc = _load(f"a: &a {inner}\nb: " + "[" * 45 + "*a" + "]" * 45 + "\n")
    assert [d.rule for d in doc.diagnostics] == ["yaml-too-deep"]
    assert (doc.diagnostics[0].location.line, doc.diagnostics[0].location.col) == (2, 49)


def test_too_many_plain_nodes_is_too_large() -> None:
    doc = _load("[" + "a," * MAX_NODES + "]")
    # the list is node 1 and item k node k + 2: item 199999 is node 200001, at column 2 + 2*199999 = 400000
    assert _found(doc) == [(1, 400000, "yaml-too-large", f"the document has more than {MAX_NODES} nodes")]


def test_oversize_text_is_rejected_before_parsing() -> None:
    doc = _load(b"a" * (MAX_FILE_BYTES + 1))
    assert _found(doc) == [(1, 1, "yaml-too-large", "the file is larger than the limit of 2097152 bytes")]
    assert doc.data is None
    assert _load(b"#" * MAX_FILE_BYTES).diagnostics[0].rule == "yaml-empty"  # exactly at the bound: read


def test_oversize_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    with path.open("wb") as handle:
        handle.write(b"a: 1\n")
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: cheap to make
    doc = load_yaml_file(path, display="policy.yaml")
    assert _render(doc.diagnostics) == (
        "policy.yaml:1:1: error [yaml-too-large] the file is larger than the limit of 2097152 bytes\n"
    )


# --- files ------------------------------------------------------------------------------------


def test_load_yaml_file_names_the_file_as_given(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    doc = load_yaml_file(path)
    assert (doc.file, doc.source.file, doc.data) == (str(path), str(path), {"a": 1})
    assert load_yaml_file(str(path), display="shown.yaml").file == "shown.yaml"


def test_an_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as missing:
        load_yaml_file(tmp_path / "nope.yaml", display="nope.yaml")
    assert str(missing.value) == "nope.yaml: cannot read: No such file or directory"
    with pytest.raises(UsageError) as folder:
        load_yaml_file(tmp_path, display="dir")
    assert str(folder.value) == "dir: is a directory, not a regular file"


@pytest.mark.parametrize("case", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_case(case: Path) -> None:
    doc = load_yaml_file(case / "policy.yaml", display="policy.yaml")
    assert _render(doc.diagnostics) == (case / "expected.txt").read_text(encoding="utf-8")


def test_every_loader_rule_has_a_golden_case() -> None:
    rules = {
        "yaml-syntax",
        "yaml-encoding",
        "yaml-bom",
        "yaml-duplicate-key",
        "yaml-ambiguous-word",
        "yaml-alias-bomb",
        "yaml-tag",
        "yaml-multiple-documents",
        "yaml-empty",
        "yaml-non-finite",
        "yaml-key-type",
        "yaml-too-deep",
        "yaml-number-range",
    }
    assert {p.name for p in GOLDEN} == rules
    assert (CASES / "yaml-too-large" / "README.txt").exists()


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_shipped_policies_load_cleanly(policy: Path) -> None:
    doc = load_yaml_file(policy)
    assert doc.diagnostics == []
    assert doc.data["hrpolicy"] == 1


def test_scalar_styles_are_recorded_for_quoted_and_block_scalars() -> None:
    doc = load_yaml_text("a: >-\n  x +\n  y\nb: 'q'\nc: \"r\"\nd: plain\n", "t.yaml")
    assert doc.source.styles == {("a",): ">", ("b",): "'", ("c",): '"'}


def test_the_depth_bound_does_not_depend_on_the_parsers_own_limit() -> None:
    # PyYAML 6.0.4's scanner stops at 1000 flow levels with its own message; ours comes first,
    # at the same place whatever the version: brackets in quotes and comments are not counted.
    # Line 3: "a: " then "{b: " repeated; the k-th '{' opens level k + 1 at column 4 + 4 (k - 1),
    # so level 101 (k = 100) is at column 400.
    text = 'x: "[[[{{{"\n# ' + "[" * 300 + "\n" + "a: " + "{b: " * 1500
    doc = _load(text)
    assert _found(doc) == [(3, 400, "yaml-too-deep", f"the document nests deeper than {MAX_DEPTH} levels")]


def test_brackets_in_a_block_scalar_are_not_mistaken_for_depth() -> None:
    # The lexical pre-pass counts these 150 '[' as nesting; the trial parse says otherwise,
    # so the whole document is parsed as usual.
    doc = _load("note: |\n  " + "[" * 150 + "\ncount: 1\n")
    assert doc.diagnostics == []
    assert doc.data == {"note": "[" * 150 + "\n", "count": 1}


def _classified_by_the_patterns(text: str) -> tuple[str, Any]:
    """:func:`engine.loader.scalars.classify` as it was before its first-character shortcut:
    every text not null, boolean or ambiguous tried against the three number patterns."""
    from engine.loader import scalars

    if text in scalars._NULLS:
        return "null", None
    if text in scalars._TRUES or text in scalars._FALSES:
        return "bool", text in scalars._TRUES
    if text.lower() in scalars._AMBIGUOUS:
        return "ambiguous", text
    if scalars._INT.fullmatch(text):
        return scalars._number(text, "int")
    if scalars._FLOAT.fullmatch(text):
        return scalars._number(text, "float")
    if scalars._NON_FINITE.fullmatch(text):
        return "non-finite", text
    return "str", text


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="+-.0123456789eEinfINFaNAn_ xy٣１", max_size=8))
def test_a_word_is_text_without_trying_the_number_patterns(text: str) -> None:
    from engine.loader.scalars import classify

    kind, value = classify(text)
    old_kind, old_value = _classified_by_the_patterns(text)
    assert (kind, type(value), repr(value)) == (old_kind, type(old_value), repr(old_value))
