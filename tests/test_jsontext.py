"""engine/report/jsontext.py writes what ``json.dumps(value, ensure_ascii=False, indent=2)`` writes."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.report.jsontext import dumps

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),  # quotes, backslashes, controls, surrogates, wide characters
)
KEYS = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_the_same_text_as_json_dumps(value: Any) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)
    nested = json.dumps({"a": [value]}, ensure_ascii=False, indent=2)
    assert dumps({"a": [value]}) == nested
    assert "    " + dumps(value, "    ") == "    " + json.dumps(value, ensure_ascii=False, indent=2).replace(
        "\n", "\n    "
    )


def test_reported_values_and_what_json_refuses() -> None:
    value = {"id": "E1", "name": 'Tanaka "Ken"\n\x1b', "values": {"score": "102.6550"}, "grades": {},
             "indicators": [{"achievement": "122.0"}, {}], "flag": True, "none": None, "n": 3}  # fmt: skip
    assert dumps(value, "    ") == json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n    ")
    assert dumps({"k": 1.5, "t": (1, [])}) == '{\n  "k": 1.5,\n  "t": [\n    1,\n    []\n  ]\n}'
    with pytest.raises(TypeError, match="Decimal is not JSON serializable"):
        dumps({"x": Decimal("1.0")})
