"""JSON Schema validation of a loaded policy, with every error turned into a located diagnostic.

The schema (``schema/policy.schema.json``) checks the *shape* of a policy: known keys, types,
enums, ranges, id patterns. Checks of meaning (sums, ordering, references) come later, in
:mod:`engine.checks`. Each jsonschema error becomes one :class:`~engine.errors.Diagnostic`
with a rule id chosen by the failing keyword and a message a policy owner can act on.
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from engine.errors import Diagnostic
from engine.location import Path, SourceMap, json_path
from engine.resources import schema_file
from engine.schemaproof import proves
from engine.suggest import closest

if TYPE_CHECKING:  # (jsonschema is imported where a document is not proven valid: see validate_schema)
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

#: Rule id of each jsonschema keyword; keywords not listed map to ``schema-invalid``.
RULES: dict[str, str] = {
    "additionalProperties": "schema-unknown-key",
    "required": "schema-missing-key",
    "type": "schema-type",
    "enum": "schema-enum",
    "const": "schema-enum",
    "minimum": "schema-range",
    "maximum": "schema-range",
    "exclusiveMinimum": "schema-range",
    "exclusiveMaximum": "schema-range",
    "pattern": "schema-pattern",
    "minItems": "schema-size",
    "maxItems": "schema-size",
    "minProperties": "schema-size",
    "maxProperties": "schema-size",
    "minLength": "schema-size",
    "maxLength": "schema-size",
    "uniqueItems": "schema-size",
    "format": "schema-format",
}
FALLBACK_RULE = "schema-invalid"

_TYPE_NAMES = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing (null)",
}
_SHOWN_TEXT = 40  # characters of a string value quoted in a message before it is cut


def schema_path() -> pathlib.Path:
    """The packaged policy schema (``schema/policy.schema.json`` at the repository's top is its twin)."""
    return schema_file("policy.schema.json")


#: The yaml-language-server modeline that ties a policy file to the schema.
MODELINE_PREFIX = "# yaml-language-server: $schema="


def test_schema_path() -> pathlib.Path:
    """The packaged schema of policy test files (``*.test.yaml``)."""
    return schema_file("policy-test.schema.json")


def schema_reference(policy_path: str | None, target: pathlib.Path | None = None) -> str:
    """How a policy at ``policy_path`` names the schema: the path relative to the policy's folder.

    Relative, not the schema's ``$id`` URL: nothing is served at that URL, so an editor given it
    would check nothing; a relative path works wherever the repository is checked out. Without a
    path (standard input) or across drives, the schema's absolute path.
    """
    target = target or schema_path()
    if policy_path is None:
        return target.as_posix()
    folder = pathlib.Path(policy_path).resolve().parent
    try:
        return pathlib.Path(os.path.relpath(target, folder)).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return target.as_posix()


def modeline_for(policy_path: str | None) -> str:
    """The first line a policy at ``policy_path`` should carry."""
    return MODELINE_PREFIX + schema_reference(policy_path)


@functools.cache
def load_schema() -> dict[str, Any]:
    """The policy JSON Schema as a dict (read once; callers must not mutate it)."""
    with schema_path().open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@functools.cache
def _validator() -> Draft202012Validator:
    # Building the validator compiles $refs and regexes: do it once per process.
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(load_schema(), format_checker=FormatChecker(formats=("date",)))


def validate_schema(data: Any, source: SourceMap) -> list[Diagnostic]:
    """Every schema error in ``data`` as a located diagnostic, sorted by location.

    A policy :func:`~engine.schemaproof.proves` valid has none: jsonschema (57 ms to import, 20
    ms to check a policy) checks, and words, only the others.
    """
    if proves(load_schema(), data):
        return []
    return validate_with(_validator(), data, source)


def validate_with(validator: Draft202012Validator, data: Any, source: SourceMap) -> list[Diagnostic]:
    """Every error ``validator`` (of any of our JSON Schemas) finds in ``data``, located and sorted."""
    found: dict[tuple[object, ...], Diagnostic] = {}
    for error in validator.iter_errors(data):
        for diagnostic in _diagnose(_most_relevant(error), source):
            # A keyword can fail once per missing key or per matching branch: keep each once.
            found.setdefault((diagnostic.location, diagnostic.rule, diagnostic.message), diagnostic)
    return sorted(found.values(), key=Diagnostic.sort_key)


def _most_relevant(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf, the sub-error that best explains the failure instead of the generic one.

    The deepest sub-error wins (it went furthest into the value); among equals, one from a
    branch whose type matched beats a bare type mismatch, then the first branch declared.
    """
    while error.validator in ("anyOf", "oneOf") and error.context:
        error = min(error.context, key=_relevance)
    return error


def _relevance(error: ValidationError) -> tuple[int, bool]:
    return (-len(error.absolute_path), error.validator == "type")


# ---------------------------------------------------------------------------- formatting


def dotted(path: Path) -> str:
    """A key path for messages: ``indicator_rules.weight`` or ``grade_tables.r.bands[2]``."""
    rendered = json_path(path)
    return rendered[2:] if rendered.startswith("$.") else rendered[1:]


def _in(path: Path) -> str:
    return f"in {dotted(path)}" if path else "at the top level"


def _at(path: Path) -> str:
    return dotted(path) if path else "the policy"


def show(value: Any) -> str:
    """A short, readable rendering of a value: never the repr of a whole structure."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= _SHOWN_TEXT else value[: _SHOWN_TEXT - 3] + "..."
        return f"'{text}'"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return str(value)


def _got(value: Any) -> str:
    if isinstance(value, str):
        return f"string {show(value)}"
    if isinstance(value, bool):
        return f"boolean {show(value)}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, Mapping | list | tuple | type(None)):
        return show(value)
    return f"number {value}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------------- keyword handlers

Handler = Callable[["ValidationError", Path, SourceMap], Iterator[Diagnostic]]


def _diagnose(error: ValidationError, source: SourceMap) -> Iterator[Diagnostic]:
    path: Path = tuple(error.absolute_path)
    keyword = str(error.validator)
    if "propertyNames" in error.relative_schema_path:
        # The failing instance is a key of the mapping at ``path``, not a value.
        yield _bad_key(error, path, source)
        return
    handler = _HANDLERS.get(keyword, _other)
    yield from handler(error, path, source)


def _diag(source: SourceMap, path: Path, keyword: str, message: str, suggestion: str | None = None,
          *, key: bool = False) -> Diagnostic:
    rule = RULES.get(keyword, FALLBACK_RULE)
    return Diagnostic(source.locate(path, key=key), rule, message, suggestion)


def _unknown_keys(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    if not isinstance(error.instance, Mapping):
        return
    allowed = list(error.schema.get("properties", {}))
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
    for key in error.instance:
        if key in allowed or any(p.search(str(key)) for p in patterns):
            continue
        close = closest(str(key), allowed)
        if close:
            hint: str | None = f"did you mean '{close}'?"
        else:
            hint = f"allowed keys: {', '.join(allowed)}" if allowed else None
        message = f"unknown key '{key}' {_in(path)}"
        yield _diag(source, (*path, key), "additionalProperties", message, hint, key=True)


def _missing_keys(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    present = error.instance if isinstance(error.instance, Mapping) else {}
    for key in error.validator_value:
        if key not in present:
            yield _diag(source, path, "required", f"missing required key '{key}' {_in(path)}")


def _wrong_type(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    wanted = error.validator_value
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    expected = " or ".join(_TYPE_NAMES.get(name, name) for name in names)
    yield _diag(source, path, "type", f"{_at(path)}: expected {expected}, got {_got(error.instance)}")


def _not_in_enum(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    value = error.instance
    if error.validator == "const":
        choices: Sequence[Any] = [error.validator_value]
        message = f"{_at(path)}: expected {show(error.validator_value)}, got {show(value)}"
    else:
        choices = list(error.validator_value)
        listed = ", ".join(show(c) for c in choices)
        message = f"{_at(path)}: {show(value)} is not one of {listed}"
    close = closest(str(value), [str(c) for c in choices]) if isinstance(value, str) else None
    hint = f"did you mean '{close}'?" if close else None
    yield _diag(source, path, str(error.validator), message, hint)


_RANGE_WORDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}


def _out_of_range(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    bound = _RANGE_WORDS[str(error.validator)]
    message = f"{_at(path)}: must be {bound} {error.validator_value}, got {error.instance}"
    yield _diag(source, path, str(error.validator), message)


def _pattern_hint(error: ValidationError) -> str:
    custom = error.schema.get("patternErrorMessage")
    return str(custom) if custom else f"must match the pattern {error.validator_value}"


def _reshaped(value: str, pattern: str) -> str | None:
    """A corrected spelling that fits ``pattern`` (snake_case or upper case), if one is close."""
    snake = re.sub(r"[^a-z0-9_]+", "_", value.lower()).strip("_")
    for candidate in (snake, value.upper()):
        if candidate != value and re.search(pattern, candidate):
            return candidate
    return None


def _no_match(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    value = str(error.instance)
    fixed = _reshaped(value, str(error.validator_value))
    hint = f"did you mean '{fixed}'?" if fixed else None
    message = f"{_at(path)}: {show(value)} {_pattern_hint(error)}"
    yield _diag(source, path, "pattern", message, hint)


def _bad_key(error: ValidationError, path: Path, source: SourceMap) -> Diagnostic:
    key = str(error.instance)
    if error.validator != "pattern":
        return _diag(source, (*path, key), "", f"key '{key}' {_in(path)} is not allowed", key=True)
    fixed = _reshaped(key, str(error.validator_value))
    hint = f"did you mean '{fixed}'?" if fixed else None
    message = f"key '{key}' {_in(path)} {_pattern_hint(error)}"
    return _diag(source, (*path, key), "pattern", message, hint, key=True)


def _size(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    keyword, limit, value = str(error.validator), error.validator_value, error.instance
    where = _at(path)
    hint = None
    if keyword == "uniqueItems":
        message = f"{where}: items must be unique; {_first_repeat(value)} appears more than once"
    elif keyword in ("minLength", "maxLength"):
        message = (f"{where}: must not be empty" if keyword == "minLength" and limit == 1
                   else f"{where}: expected {_bound_word(keyword)} {_plural(limit, 'character')}, "
                   f"got {len(value)}")
    else:
        noun = "key" if keyword.endswith("Properties") else "item"
        message = f"{where}: expected {_bound_word(keyword)} {_plural(limit, noun)}, got {len(value)}"
        allowed = list(error.schema.get("properties", {}))
        if keyword == "minProperties" and allowed:
            hint = f"allowed keys: {', '.join(allowed)}"
    yield _diag(source, path, keyword, message, hint)


def _bound_word(keyword: str) -> str:
    return "at least" if keyword.startswith("min") else "at most"


def _first_repeat(items: Sequence[Any]) -> str:
    seen: list[Any] = []
    for item in items:
        if item in seen:
            return show(item)
        seen.append(item)
    return "an item"


def _bad_format(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    kind = str(error.validator_value)
    if kind == "date":
        message = f"{_at(path)}: {show(error.instance)} is not a valid date"
        hint: str | None = "write a real calendar date as a quoted string \"YYYY-MM-DD\""
    else:
        message, hint = f"{_at(path)}: {show(error.instance)} is not a valid {kind}", None
    yield _diag(source, path, "format", message, hint)


def _other(error: ValidationError, path: Path, source: SourceMap) -> Iterator[Diagnostic]:
    # The schema may carry its own wording (``errorMessage``, as VS Code's JSON support reads
    # it); otherwise name the keyword rather than dumping jsonschema's repr of the instance.
    custom = error.schema.get("errorMessage") if isinstance(error.schema, Mapping) else None
    if custom:
        message = f"{_at(path)}: {custom}"
    else:
        message = f"{_at(path)}: the value does not fit the policy language ({error.validator} rule)"
    yield _diag(source, path, "", message)


_HANDLERS: dict[str, Handler] = {
    "additionalProperties": _unknown_keys,
    "required": _missing_keys,
    "type": _wrong_type,
    "enum": _not_in_enum,
    "const": _not_in_enum,
    "minimum": _out_of_range,
    "maximum": _out_of_range,
    "exclusiveMinimum": _out_of_range,
    "exclusiveMaximum": _out_of_range,
    "pattern": _no_match,
    "minItems": _size,
    "maxItems": _size,
    "minProperties": _size,
    "maxProperties": _size,
    "minLength": _size,
    "maxLength": _size,
    "uniqueItems": _size,
    "format": _bad_format,
}
