"""Run-time parameters: which parameters an output needs (``--param NAME=VALUE`` gives them).

A policy declares its parameters once (``inputs.parameters``); a run gets them from the data
file's ``parameters:`` and from the command line (which wins). A declared parameter without a
default is *required only where an output being computed reads it*: evaluating kumho's goal
sheets reads no base raise rate, the merit raise does. So reading a file never fails for a
missing parameter; each command asks :func:`require_parameters` for the names its outputs read
(found by :func:`parameters_read`), and a missing one is a usage error that names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from engine.errors import UsageError
from engine.formula import FormulaError, names_used

#: The policy's formula and condition texts per output, as (JSON-like path, text) pairs.
_Texts = Iterator[tuple[str, str]]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _entries(value: Any) -> Iterator[tuple[str, Any]]:
    for key, item in _mapping(value).items():
        if not str(key).startswith("x-"):
            yield str(key), item


def evaluation_texts(data: Mapping[str, Any]) -> _Texts:
    """What ``evaluate``/``explain`` compute: formulas, grade-table segments, chains, periods."""
    for level, formulas in _entries(data.get("formulas")):
        for name, spec in _entries(formulas):
            yield f"formulas.{level}.{name}", str(_mapping(spec).get("expr", ""))
    for name, table in _entries(data.get("grade_tables")):
        for segment, spec in _entries(_mapping(table).get("segments")):
            if _mapping(spec).get("when"):
                yield f"grade_tables.{name}.segments.{segment}.when", str(spec["when"])
    for name, chain in _entries(data.get("evaluator_chains")):
        if _mapping(chain).get("when"):
            yield f"evaluator_chains.{name}.when", str(chain["when"])
    for name, period in _entries(data.get("periods")):
        for n, rule in enumerate(_mapping(period).get("missing") or ()):
            if _mapping(rule).get("when"):
                yield f"periods.{name}.missing[{n}].when", str(rule["when"])


def pay_texts(
    data: Mapping[str, Any], sections: Iterable[str] = ("merit", "incentive", "promotion", "bonus")
) -> _Texts:
    """What ``pay`` computes: the merit raise (and its base rate), the incentive, promotion points."""
    pay = _mapping(data.get("pay"))
    merit = _mapping(pay.get("merit"))
    wanted = set(sections)
    if "merit" in wanted and merit:
        yield from _merit_texts(merit)
    incentive = _mapping(pay.get("incentive"))
    if "incentive" in wanted and incentive:
        yield from _incentive_texts(incentive)
    bonus = _mapping(pay.get("bonus"))
    if "bonus" in wanted and bonus.get("expr"):
        yield "pay.bonus.expr", str(bonus["expr"])
    promotion = _mapping(pay.get("promotion"))
    if "promotion" in wanted:
        for name, bonus in _entries(promotion.get("bonuses")):
            if _mapping(bonus).get("expr"):
                yield f"pay.promotion.bonuses.{name}.expr", str(bonus["expr"])


def _merit_texts(merit: Mapping[str, Any]) -> _Texts:
    """The merit raise's base rate and formula, where given."""
    if merit.get("base_rate"):
        yield "pay.merit.base_rate", str(merit["base_rate"])
    if merit.get("expr"):
        yield "pay.merit.expr", str(merit["expr"])


def _incentive_texts(incentive: Mapping[str, Any]) -> _Texts:
    """The incentive's pool and individual formulas, then each eligibility condition."""
    for key in ("pool", "individual"):
        if incentive.get(key):
            yield f"pay.incentive.{key}", str(incentive[key])
    for n, rule in enumerate(incentive.get("eligibility") or ()):
        if _mapping(rule).get("when"):
            yield f"pay.incentive.eligibility[{n}].when", str(rule["when"])


def parameters_read(data: Mapping[str, Any], texts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Declared parameters the ``texts`` read: name -> the first place that reads it."""
    declared = {name for name, _ in _entries(_mapping(data.get("inputs")).get("parameters"))}
    found: dict[str, str] = {}
    for where, text in texts:
        try:
            names = names_used(text)
        except FormulaError:  # validation reports a formula that does not parse
            continue
        for name in sorted(names & declared):
            found.setdefault(name, where)
    return found


def missing_parameters(
    data: Mapping[str, Any], read: Mapping[str, str], given: Mapping[str, Any]
) -> list[str]:
    """Parameters ``read`` needs that have no value in ``given`` and no declared default."""
    declared = dict(_entries(_mapping(data.get("inputs")).get("parameters")))
    missing = []
    for name in read:
        spec = _mapping(declared.get(name))
        if given.get(name) is None and "default" not in spec and spec.get("required", True) is not False:
            missing.append(name)
    return missing


def require_parameters(data: Mapping[str, Any], read: Mapping[str, str], given: Mapping[str, Any]) -> None:
    """Raise a UsageError naming every parameter an output reads that the run was not given."""
    missing = missing_parameters(data, read, given)
    if not missing:
        return
    declared = dict(_entries(_mapping(data.get("inputs")).get("parameters")))
    parts = []
    for name in missing:
        label = _label(_mapping(declared.get(name)).get("label"))
        shown = f"'{name}'" + (f" ({label})" if label else "")
        parts.append(f"{shown}, which {read[name]} reads")
    names = ", ".join(missing)
    example = " ".join(f"--param {n}=VALUE" for n in missing)
    plural = "s" if len(missing) > 1 else ""
    raise UsageError(
        f"missing parameter{plural} {'; '.join(parts)}: give {example}"
        f" or set {names} under 'parameters:' in the data file"
    )


def _label(label: Any) -> str:
    spec = _mapping(label)
    for lang in ("en", "ko", "ja"):
        if spec.get(lang):
            return str(spec[lang])
    return ""
