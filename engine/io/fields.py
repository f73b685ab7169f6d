"""Field declarations (a policy's ``inputs``) compiled into converters for record values.

A converter turns one raw value into the declared type or raises :class:`FieldError`. It takes
text (CSV cells, where ``"0.1"`` becomes ``Decimal('0.1')`` exactly) as well as typed values
(YAML/JSON numbers already ``Decimal``/``int``, Excel cells). Converters are built once per
run so that reading a row costs one call per cell and no lookups of the declarations.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import engine.limits as limits
from engine.limits import nfc
from engine.suggest import closest

Converter = Callable[[Any], Any]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


class FieldError(Exception):
    """A value that does not fit its declaration; ``rule`` is the problem's rule id."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class FieldRule:
    """One declared field, compiled: ``convert`` checks and coerces a present value."""

    name: str
    type: str
    required: bool
    has_default: bool
    default: Any
    convert: Converter
    #: The declared ``unit`` (``percent`` makes an Excel percent cell read as 30 for 30 %).
    unit: str | None = None
    #: Every language's label: a table header may name the field by any of them.
    labels: tuple[str, ...] = ()


#: Longest text a message quotes in full; longer text (up to a whole cell) is cut.
MAX_SHOWN_CHARS = 60


def shown(value: Any) -> str:
    """A value as messages quote it: text in quotes (cut after :data:`MAX_SHOWN_CHARS`),
    numbers plain."""
    if isinstance(value, str) and len(value) > MAX_SHOWN_CHARS:
        return repr(value[: MAX_SHOWN_CHARS - 3] + "...")
    return repr(value) if isinstance(value, str) else str(value)


def _text(value: Any) -> str:
    """Text of a string-like value (in Unicode NFC); numbers become their text (employee
    numbers from Excel). Text over :data:`~limits.MAX_CELL_CHARS` is refused."""
    if type(value) is str:
        if len(value) > limits.MAX_CELL_CHARS:
            message = f"text of {len(value)} characters, over the limit of {limits.MAX_CELL_CHARS}"
            raise FieldError("record-range", message)
        return nfc(value)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise FieldError("record-type", f"expected text, got {shown(value)}")
    return str(value)


def _out_of_range(written: Any) -> FieldError:
    text = str(written)
    text = text if len(text) <= 24 else text[:20] + "..."
    bound = limits.MAX_EXPONENT
    message = (
        f"the number {text} is out of range: at most {limits.MAX_NUMBER_CHARS} characters "
        f"and a decimal exponent between -{bound} and {bound}"
    )
    return FieldError("record-range", message)


def _in_range(number: Decimal, written: Any) -> Decimal:
    """``number`` if its magnitude is within :data:`~limits.MAX_EXPONENT` (as the YAML loader
    bounds numbers): ``1e400`` would make every later rounding fail, or vanish in a sum."""
    if -limits.MAX_EXPONENT <= number.adjusted() <= limits.MAX_EXPONENT:
        return number
    raise _out_of_range(written)


#: The one grammar of a number written as text (a CSV cell, a quoted YAML or JSON value, a
#: workbook's text cell, a ``--param``), once the spaces around it are stripped: an optional
#: sign, ASCII digits with an optional point, an optional exponent (``1.5E+3``: what a
#: spreadsheet exports for a number it shows so). ``Decimal()`` alone also reads ``1_000``
#: (so that a typo ``1_5`` would be 15), ``１２`` and other scripts' digits, ``Infinity``, ``NaN``.
#: The columnar plan's fast path reads a subset of it (engine.evaluate.columnar.cells) and hands
#: every other cell to this converter.
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def number_hint(value: Any) -> str:
    """Why text that ``Decimal()`` would read is not a number here, and the number it may mean
    (``: '_' is not allowed in a number; write 1000 if that is meant``); '' for other values."""
    if type(value) is not str:
        return ""
    text = value.strip()
    reasons = []
    if "_" in text:
        reasons.append("'_' is not allowed in a number")
    if any(not char.isascii() and char.isdecimal() for char in text):
        reasons.append("only the digits 0-9 are read (not full-width or other scripts' digits)")
    if not reasons:
        return ""
    meant = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text.replace("_", ""))
    advice = f"; write {meant} if that is meant" if NUMBER.fullmatch(meant) else ""
    return ": " + " and ".join(reasons) + advice


def _not_a_number(what: str, value: Any) -> FieldError:
    return FieldError("record-type", f"expected {what}, got {shown(value)}{number_hint(value)}")


def _decimal(value: Any) -> Decimal:
    if type(value) is str:
        if value.isascii() and "_" not in value:
            # The hot path: over ASCII without '_', Decimal's own grammar is NUMBER's (its spaces
            # are str.strip()'s) plus Infinity and NaN, so a finite Decimal is NUMBER's reading.
            try:
                number = Decimal(value)
            except InvalidOperation:
                return _text_decimal(value)
            if number.is_finite() and len(value) <= limits.MAX_NUMBER_CHARS:
                return _in_range(number, value)
        return _text_decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return _in_range(value, value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _in_range(Decimal(value), value)
    raise FieldError("record-type", f"expected a decimal number, got {shown(value)}")


def _text_decimal(value: str) -> Decimal:
    """``value`` read by :data:`NUMBER`, or the field's problem (not a number, out of range)."""
    text = value.strip()
    if NUMBER.fullmatch(text) is None:
        raise _not_a_number("a decimal number", value)
    if len(value) > limits.MAX_NUMBER_CHARS:
        raise _out_of_range(value)
    try:
        number = Decimal(text)
    except InvalidOperation:  # an exponent beyond even Decimal's bounds: 1e99999999999999999999
        raise _out_of_range(value) from None
    return _in_range(number, value)


def _integer(value: Any) -> int:
    if type(value) is int:
        return value
    try:
        number = _decimal(value)
    except FieldError:
        raise _not_a_number("an integer", value) from None
    if number != number.to_integral_value():
        raise FieldError("record-type", f"expected an integer, got {shown(value)}")
    return int(number)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, str | int) else None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise FieldError("record-type", f"expected true or false, got {shown(value)}")


def parse_date(value: Any) -> datetime.date:
    """A date from a ``date``/``datetime`` (its day) or ``YYYY-MM-DD`` text; :class:`FieldError` else.

    Only the plain ISO form: ``date.fromisoformat`` would also take ``20260401`` or week dates,
    which a records file should not depend on.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if type(value) is str and _DATE.match(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError("record-type", f"expected a date YYYY-MM-DD, got {shown(value)}")


_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def cycle_date(value: Any, start: datetime.date) -> datetime.date:
    """A date a policy declares: ``YYYY-MM-DD``, or ``MM-DD`` for the first such day on or after
    ``start`` (the first day of the policy's effective period), so that a policy carried into the
    next cycle needs only its effective dates changed. :class:`FieldError` if neither."""
    text = str(value).strip() if isinstance(value, str) else ""
    found = _MONTH_DAY.match(text)
    if found is None:
        return parse_date(value)
    month, day = int(found.group(1)), int(found.group(2))
    for year in (start.year, start.year + 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            raise FieldError("record-type", f"expected a date MM-DD, got {value!r}") from None
        if candidate >= start:
            return candidate
    raise FieldError("record-type", f"no date {value!r} after {start}")  # pragma: no cover


def _date(value: Any) -> str:
    return parse_date(value).isoformat()


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""


def _one_of(allowed: tuple[str, ...], what: str) -> Converter:
    members = frozenset(allowed)
    listed = ", ".join(allowed)

    def convert(value: Any) -> str:
        text = _text(value).strip()
        if text in members:
            return text
        hint = did_you_mean(text, allowed)
        raise FieldError("record-enum", f"{shown(text)} is not {what}: {listed}{hint}")

    return convert


def _bounded(base: Callable[[Any], Any], low: Any, high: Any) -> Converter:
    """Wrap a numeric converter with the declared inclusive range (skipped when undeclared)."""
    if low is None and high is None:
        return base

    def convert(value: Any) -> Any:
        number = base(value)
        if low is not None and number < low:
            raise FieldError("record-range", f"{number} is below the minimum {low}")
        if high is not None and number > high:
            raise FieldError("record-range", f"{number} is above the maximum {high}")
        return number

    return convert


def _stripped_text(value: Any) -> str:
    text = _text(value).strip()
    if text:
        return text
    # Blank text is an absent value; callers see the value is blank and skip it.
    raise FieldError("record-missing", "blank text")


#: The converter of a text field (``string``, and the built-in ``id``, ``name``, ``title``).
TEXT: Converter = _stripped_text


def _converter(decl: Mapping[str, Any], scales: Mapping[str, Any] | None) -> Converter:
    kind = str(decl.get("type", "string"))
    if kind == "decimal":
        return _bounded(_decimal, decl.get("min"), decl.get("max"))
    if kind == "integer":
        return _bounded(_integer, decl.get("min"), decl.get("max"))
    if kind == "boolean":
        return _boolean
    if kind == "date":
        return _date
    if kind == "enum":
        return _one_of(tuple(str(v) for v in decl.get("values") or ()), "one of")
    if kind == "scale" and scales is not None:
        scale = scales.get(str(decl.get("scale"))) or {}
        codes = tuple(str(level.get("code")) for level in scale.get("levels") or ())
        return _one_of(codes, f"a level of scale {decl.get('scale')!r}")
    # string, and scale when the caller gave no scales: any text
    return _stripped_text


def compile_fields(decls: Mapping[str, Any] | None, scales: Mapping[str, Any] | None = None) -> FieldRules:
    """Compile ``inputs.employee``/``indicator``/``parameters`` into rules, ``x-`` notes skipped."""
    rules: dict[str, FieldRule] = {}
    for name, decl in (decls or {}).items():
        if name.startswith("x-") or not isinstance(decl, Mapping):
            continue
        convert = _converter(decl, scales)
        has_default = "default" in decl
        default = decl.get("default")
        if has_default and default is not None:
            # A bad default is the policy checks' to report; keep it as written.
            with contextlib.suppress(FieldError):
                default = convert(default)
        required = bool(decl.get("required", True)) and not has_default
        unit = decl.get("unit")
        rules[name] = FieldRule(
            name,
            str(decl.get("type", "string")),
            required,
            has_default,
            default,
            convert,
            None if unit is None else str(unit),
            label_texts(decl.get("label")),
        )
    return FieldRules(rules)


def label_texts(label: Any) -> tuple[str, ...]:
    """The texts of a declared ``label`` (``{ko: ..., en: ...}`` or plain text), in order."""
    if isinstance(label, Mapping):
        return tuple(str(text) for text in label.values() if text is not None)
    return (str(label),) if label is not None else ()


def text_rule(name: str, required: bool, labels: tuple[str, ...] = ()) -> FieldRule:
    """A rule for the built-in text fields every record has (``id``, ``name``, ``title``)."""
    return FieldRule(name, "string", required, False, None, _stripped_text, None, labels)


def is_absent(value: Any) -> bool:
    """Empty cells and nulls count as absent."""
    return value is None or (type(value) is str and not value.strip())


@dataclass(frozen=True)
class Issue:
    """A problem inside one mapping: ``key`` is the field it is about (``None``: the mapping);
    ``about`` the declared field it is about, given or missing (a missing one has no key)."""

    key: str | None
    rule: str
    message: str
    about: str | None = None


class FieldRules(dict[str, FieldRule]):
    """Field name -> rule, plus the rules to look at when a record leaves a field out.

    Built once per level and never changed afterwards, so ``fill`` stays in step.
    """

    def __init__(self, rules: Mapping[str, FieldRule]) -> None:
        super().__init__(rules)
        self.fill = tuple(r for r in rules.values() if r.required or r.has_default)


def _fill_rules(rules: Mapping[str, FieldRule]) -> tuple[FieldRule, ...]:
    if isinstance(rules, FieldRules):
        return rules.fill
    return tuple(r for r in rules.values() if r.required or r.has_default)


def _unknown(name: str, rules: Mapping[str, FieldRule], skip: frozenset[str]) -> Issue | None:
    if name in skip or name.startswith("x-"):
        return None
    hint = did_you_mean(name, [*rules, *skip])
    return Issue(name, "record-unknown-field", f"unknown field {shown(name)}{hint}")


def check_mapping(
    raw: Mapping[Any, Any], rules: Mapping[str, FieldRule], skip: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], list[Issue]]:
    """Convert every declared field of ``raw``, fill defaults, report missing and unknown keys.

    Keys in ``skip`` (structure such as ``indicators``) and ``x-`` notes are left to the caller.
    Empty text and nulls count as absent.
    """
    values: dict[str, Any] = {}
    issues: list[Issue] = []
    bad: list[str] = []
    for key, value in raw.items():
        name = key if type(key) is str else str(key)
        rule = rules.get(name)
        if rule is None:
            issue = _unknown(name, rules, skip)
            if issue is not None:
                issues.append(issue)
            continue
        if value is None or value == "":
            continue
        try:
            values[name] = rule.convert(value)
        except FieldError as exc:
            if not is_absent(value):
                bad.append(name)
                issues.append(Issue(name, exc.rule, f"{name}: {exc.message}", name))
    if len(values) != len(rules):
        for rule in _fill_rules(rules):
            if rule.name in values or rule.name in bad:
                continue
            if rule.has_default:
                values[rule.name] = rule.default
            else:
                message = f"{rule.name}: required field is missing"
                issues.append(Issue(None, "record-missing", message, rule.name))
    return values, issues
