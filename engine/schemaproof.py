"""A quick proof that a document meets one of our JSON Schemas, without importing jsonschema.

Importing jsonschema (with referencing, attrs and every draft's metaschema) is 57 ms of CPU and
its validation of a policy 20 ms more: every evaluation paid both before its workers could
fork (issue 12). Almost every policy a run meets is valid, and a valid document has nothing to
explain: :func:`proves` walks the schema over the document and answers True only where each
keyword holds as jsonschema's Draft 2020-12 validator holds it (its keyword functions, read
one by one: :mod:`jsonschema._keywords`). Anything it does not decide the same way for sure (a
keyword it does not know, a ``$ref`` outside the document, a value of an unusual type) makes it
answer "not proven", and jsonschema, the one validator of record, checks the document and
words every error (:func:`engine.schema.validate_schema`). A wrong "proven" would let an
invalid policy through: tests/test_schemaproof.py compares the two on thousands of mutations
of the shipped policies.

Each keyword is judged three ways: holds (True), fails (False) and not sure (None), because
``not``, ``anyOf``, ``oneOf`` and ``if`` turn a failure into a success.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Verdict = bool | None  # True: holds; False: fails; None: not sure

#: The keywords Draft 2020-12 validates (jsonschema's ``Draft202012Validator.VALIDATORS``); any
#: other key of a schema (``title``, ``$defs``, ``then``...) is an annotation it ignores.
VALIDATED = frozenset(
    {
        "$dynamicRef", "$ref", "additionalProperties", "allOf", "anyOf", "const", "contains",
        "dependentRequired", "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum",
        "format", "if", "items", "maxItems", "maxLength", "maxProperties", "maximum", "minItems",
        "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern",
        "patternProperties", "prefixItems", "properties", "propertyNames", "required", "type",
        "unevaluatedItems", "unevaluatedProperties", "uniqueItems",
    }
)  # fmt: skip
#: jsonschema's ``date`` format (``jsonschema._format.is_date``), the one our schemas check.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
#: The plain values whose equality is Python's, but for ``True``/``1`` and ``False``/``0``.
_PLAIN = (str, int, float, Decimal, type(None))


def proves(schema: Any, document: Any) -> bool:
    """Whether ``document`` surely meets ``schema`` (its ``$ref`` are ``#/...`` within it)."""
    return _Proof(schema).check(schema, document) is True


def _is_type(instance: Any, name: str) -> Verdict:
    """Draft 2020-12's type checker: an integer may be a float without a fraction; a boolean
    is no number."""
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if name == "number":
        return isinstance(instance, int | float | Decimal) and not isinstance(instance, bool)
    if name == "integer":
        if isinstance(instance, bool):
            return False
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    return None


def _equal(one: Any, two: Any) -> Verdict:
    """jsonschema's ``equal`` for plain values (texts, numbers, booleans, null); None for
    lists and mappings."""
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if not isinstance(one, _PLAIN) or not isinstance(two, _PLAIN):
        return None
    if isinstance(one, bool) or isinstance(two, bool):
        return one is two
    return bool(one == two)


def _all(verdicts: list[Verdict]) -> Verdict:
    """Every one holds: False if one surely fails, else None if one is unsure."""
    if False in verdicts:
        return False
    return None if None in verdicts else True


class _Proof:
    """The keywords judged over one document, ``$ref`` looked up in ``root``."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.keywords: dict[str, Callable[[Any, Any, Mapping[str, Any]], Verdict]] = {
            "$ref": self._ref,
            "type": self._type,
            "enum": lambda enums, x, _: _any_equal(enums, x),
            "const": lambda const, x, _: _equal(x, const),
            "required": lambda names, x, _: not isinstance(x, dict) or all(n in x for n in names),
            "properties": self._properties,
            "patternProperties": self._pattern_properties,
            "additionalProperties": self._additional,
            "propertyNames": self._property_names,
            "dependentSchemas": self._dependent,
            "items": self._items,
            "minItems": lambda n, x, _: not isinstance(x, list) or len(x) >= n,
            "maxItems": lambda n, x, _: not isinstance(x, list) or len(x) <= n,
            "uniqueItems": lambda unique, x, _: _unique(x) if unique and isinstance(x, list) else True,
            "minLength": lambda n, x, _: not isinstance(x, str) or len(x) >= n,
            "maxLength": lambda n, x, _: not isinstance(x, str) or len(x) <= n,
            "minProperties": lambda n, x, _: not isinstance(x, dict) or len(x) >= n,
            "maxProperties": lambda n, x, _: not isinstance(x, dict) or len(x) <= n,
            "pattern": lambda p, x, _: not isinstance(x, str) or re.search(p, x) is not None,
            "format": lambda name, x, _: _date(x) if name == "date" else None,
            # (each as jsonschema's error condition, negated: a NaN meets every bound)
            "minimum": lambda m, x, _: _number(x, lambda v: not v < m),
            "maximum": lambda m, x, _: _number(x, lambda v: not v > m),
            "exclusiveMinimum": lambda m, x, _: _number(x, lambda v: not v <= m),
            "exclusiveMaximum": lambda m, x, _: _number(x, lambda v: not v >= m),
            "allOf": lambda schemas, x, _: _all([self.check(s, x) for s in schemas]),
            "anyOf": self._any_of,
            "oneOf": self._one_of,
            "not": self._not,
            "if": self._if,
        }

    def check(self, schema: Any, instance: Any) -> Verdict:
        """Whether ``instance`` meets ``schema`` (a mapping or a boolean schema)."""
        if isinstance(schema, bool):
            return schema
        if not isinstance(schema, dict) or ("$id" in schema and schema is not self.root):
            return None  # (a "$id" inside would move where its "#/..." references point)
        verdicts: list[Verdict] = []
        for keyword, value in schema.items():
            if keyword not in VALIDATED:
                continue
            judge = self.keywords.get(keyword)
            verdict = judge(value, instance, schema) if judge is not None else None
            if verdict is False:
                return False
            verdicts.append(verdict)
        return None if None in verdicts else True

    def _ref(self, ref: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return None
        target = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return None
            target = target[part]
        return self.check(target, instance)

    def _type(self, types: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        names = types if isinstance(types, list) else [types]
        verdicts = [_is_type(instance, name) for name in names]
        if True in verdicts:
            return True
        return None if None in verdicts else False

    def _properties(self, properties: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        if not isinstance(instance, dict):
            return True
        return _all([self.check(sub, instance[key]) for key, sub in properties.items() if key in instance])

    def _pattern_properties(self, patterns: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        if not isinstance(instance, dict):
            return True
        if not all(isinstance(key, str) for key in instance):
            return None
        verdicts = [
            self.check(sub, value)
            for pattern, sub in patterns.items()
            for key, value in instance.items()
            if re.search(pattern, key)
        ]
        return _all(verdicts)

    def _additional(self, allowed: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        if not isinstance(instance, dict):
            return True
        if not all(isinstance(key, str) for key in instance):
            return None
        named = schema.get("properties", {})
        patterns = "|".join(schema.get("patternProperties", {}))
        extras = [k for k in instance if k not in named and not (patterns and re.search(patterns, k))]
        if isinstance(allowed, dict):
            return _all([self.check(allowed, instance[key]) for key in extras])
        return bool(allowed) or not extras

    def _property_names(self, names: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        return True if not isinstance(instance, dict) else _all([self.check(names, key) for key in instance])

    def _dependent(self, dependents: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        if not isinstance(instance, dict):
            return True
        return _all([self.check(sub, instance) for key, sub in dependents.items() if key in instance])

    def _items(self, items: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        if not isinstance(instance, list):
            return True
        if "prefixItems" in schema:
            return None
        return _all([self.check(items, item) for item in instance])

    def _any_of(self, schemas: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        verdicts = [self.check(s, instance) for s in schemas]
        if True in verdicts:
            return True
        return None if None in verdicts else False

    def _one_of(self, schemas: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        verdicts = [self.check(s, instance) for s in schemas]
        if None in verdicts:
            return None
        return verdicts.count(True) == 1

    def _not(self, negated: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        verdict = self.check(negated, instance)
        return None if verdict is None else not verdict

    def _if(self, condition: Any, instance: Any, schema: Mapping[str, Any]) -> Verdict:
        holds = self.check(condition, instance)
        if holds is None:
            return None
        branch = "then" if holds else "else"
        return self.check(schema[branch], instance) if branch in schema else True


def _any_equal(enums: Any, instance: Any) -> Verdict:
    verdicts = [_equal(each, instance) for each in enums]
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _unique(items: list[Any]) -> Verdict:
    """jsonschema's ``uniq`` for a list of texts, or of numbers (no NaN: it sorts them); None
    for any other list."""
    texts = all(isinstance(item, str) for item in items)
    numbers = all(_is_type(item, "number") and item == item for item in items)
    if not texts and not numbers:
        return None
    return len(set(items)) == len(items)


def _number(instance: Any, within: Callable[[Any], bool]) -> Verdict:
    """A bound on a number (anything else meets it); None where the comparison fails (a
    Decimal NaN)."""
    if _is_type(instance, "number") is not True:
        return True
    try:
        return bool(within(instance))
    except ArithmeticError:
        return None


def _date(instance: Any) -> Verdict:
    """jsonschema's ``date`` format: a text ``YYYY-MM-DD`` that is a day of the calendar."""
    if not isinstance(instance, str):
        return True
    if not _DATE.fullmatch(instance):
        return False
    try:
        datetime.date.fromisoformat(instance)
    except ValueError:
        return False
    return True
