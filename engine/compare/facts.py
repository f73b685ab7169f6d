"""What a scheme declares, dimension by dimension, in words: the rows of ``hrpolicy compare``.

Every dimension is read from the policy's own data; a scheme without a dimension says
``not declared`` for it. The same sentences make the rulebook of ``hrpolicy doc``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.compare.words import label_in, word

Data = Mapping[str, Any]


def _num(value: Any) -> str:
    """A number as the policy wrote it (``30``, ``1.5``), without a float's noise."""
    return str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _count(spec: Any, lang: str) -> str:
    spec = _mapping(spec)
    if "exact" in spec:
        return word("count_exact", lang, n=spec["exact"])
    return word("count_range", lang, min=spec.get("min", 0), max=spec.get("max", "-"))


def _indicators(data: Data, lang: str) -> list[str]:
    rules = _mapping(data.get("indicator_rules"))
    if not rules.get("categories") and not rules.get("count"):
        return []
    lines = []
    if rules.get("count"):
        count = _mapping(rules["count"])
        if "exact" in count:
            lines.append(word("count_exact", lang, n=count["exact"]))
        else:
            lines.append(word("total_count", lang, min=count.get("min", 0), max=count.get("max", "-")))
    for name, spec in _mapping(rules.get("categories")).items():
        spec = _mapping(spec)
        parts = [_count(spec.get("count"), lang)]
        if "share" in spec:
            parts.append(word("share", lang, n=_num(spec["share"])))
        fixed = [label_in(f.get("label"), lang, str(f.get("id"))) for f in spec.get("fixed") or []]
        if fixed:
            parts.append(word("fixed", lang, names=", ".join(fixed)))
        lines.append(f"{label_in(spec.get('label'), lang, name)} ({name}): " + "; ".join(parts))
    return lines


def _weights(data: Data, lang: str) -> list[str]:
    rules = _mapping(data.get("indicator_rules"))
    weight = _mapping(rules.get("weight"))
    lines = []
    if "min" in weight or "max" in weight:
        lines.append(word("weight_band", lang, min=weight.get("min", 0), max=weight.get("max", 100)))
    if "total" in weight:
        lines.append(
            word("weight_total", lang, total=weight["total"], scope=weight.get("total_scope", "sheet"))
        )
    for exc in rules.get("exceptions") or []:
        relax = ", ".join(f"{k} {v}" for k, v in _mapping(exc.get("relax")).items())
        label = label_in(exc.get("label"), lang, str(exc.get("id")))
        lines.append(
            word("exception", lang, id=exc.get("id"), label=label, when=exc.get("when"), relax=relax)
        )
    return lines


def _difficulty(data: Data, lang: str) -> list[str]:
    spec = _mapping(_mapping(data.get("indicator_rules")).get("difficulty"))
    if not spec:
        return []
    steps = ", ".join(_num(s) for s in spec.get("steps") or []) or "-"
    return [
        word(
            "difficulty_line",
            lang,
            min=spec.get("min"),
            max=spec.get("max"),
            default=spec.get("default"),
            steps=steps,
        )
    ]


def _rounding(spec: Any, lang: str) -> str:
    spec = _mapping(spec)
    return f" ({word('rounded', lang, mode=spec['mode'], places=spec['places'])})" if spec else ""


def _formulas(data: Data, lang: str) -> list[str]:
    lines = []
    for level, key in (("indicator", "per_indicator"), ("employee", "per_employee")):
        for name, spec in _mapping(_mapping(data.get("formulas")).get(level)).items():
            spec = _mapping(spec)
            expr = " ".join(str(spec.get("expr", "")).split())
            label = label_in(spec.get("label"), lang, name)
            lines.append(f"[{word(key, lang)}] {label}: {name} = {expr}{_rounding(spec.get('round'), lang)}")
    return lines


def _scales(data: Data, lang: str) -> list[str]:
    lines = []
    for name, spec in _mapping(data.get("scales")).items():
        spec = _mapping(spec)
        levels = []
        for level in spec.get("levels") or []:
            code = str(level.get("code"))
            levels.append(f"{code}={_num(level['points'])}" if "points" in level else code)
        lines.append(f"{label_in(spec.get('label'), lang, name)} ({name}): " + " > ".join(levels))
    return lines


def band_text(band: Mapping[str, Any], lang: str) -> str:
    """One grade band: ``S: from 110``, ``A: from 100 below 110``, ``D: up to 79`` (in ``lang``)."""
    parts = []
    if "min" in band:
        parts.append(word("from", lang, n=_num(band["min"])))
    if "max" in band:
        parts.append(word("up_to" if band.get("max_inclusive") else "below", lang, n=_num(band["max"])))
    return f"{band.get('grade')}: {' '.join(parts)}"


def _thresholds(data: Data, lang: str) -> list[str]:
    lines = []
    for name, table in _mapping(data.get("grade_tables")).items():
        table = _mapping(table)
        head = word("score_of", lang, name=label_in(table.get("label"), lang, name), input=table.get("input"))
        lines.append(head + _rounding(table.get("round"), lang))
        segments = _mapping(table.get("segments"))
        if not segments and table.get("bands"):
            segments = {"*": {"bands": table["bands"]}}
        for seg_name, seg in segments.items():
            seg = _mapping(seg)
            who = (
                word("all_staff", lang)
                if seg_name == "*"
                else word(
                    "segment", lang, name=label_in(seg.get("label"), lang, seg_name), when=seg.get("when")
                )
            )
            bands = "; ".join(band_text(b, lang) for b in seg.get("bands") or [])
            lines.append(f"  {who}: {bands}")
    return lines


def _distributions(data: Data, lang: str) -> list[str]:
    lines = []
    for name, spec in _mapping(data.get("distributions")).items():
        spec = _mapping(spec)
        quotas = ", ".join(f"{g} {_num(q)} %" for g, q in _mapping(spec.get("quotas")).items())
        parts = [
            word(
                "rank_by",
                lang,
                score=spec.get("score"),
                order=word(str(spec.get("order", "descending")), lang),
            ),
            word("quotas", lang, quotas=quotas),
        ]
        if spec.get("group_by"):
            parts.append(word("groups", lang, fields=", ".join(spec["group_by"])))
        if "min_group_size" in spec:
            parts.append(word("min_group", lang, n=spec["min_group_size"]))
        merge = _mapping(spec.get("merge"))
        if merge:
            parts.append(
                word("merge", lang, field=merge.get("parent_field"), keep=", ".join(merge.get("keep") or []))
            )
        lines.append(f"{label_in(spec.get('label'), lang, name)} ({name}): " + "; ".join(parts))
    return lines


def _chains(data: Data, lang: str) -> list[str]:
    lines = []
    for name, spec in _mapping(data.get("evaluator_chains")).items():
        spec = _mapping(spec)
        stages = [
            word("stage", lang, id=s.get("id"), evaluator=s.get("evaluator"), mode=s.get("mode"))
            + (f" ({word('stage_field', lang, field=s['field'])})" if s.get("field") else "")
            for s in spec.get("stages") or []
        ]
        notes = [word("chain_period", lang, period=spec["period"])] if spec.get("period") else []
        notes += [word("chain_when", lang, when=spec["when"])] if spec.get("when") else []
        notes += [word("chain_confirms", lang)] if spec.get("confirms_period") else []
        when = f" ({'; '.join(notes)})" if notes else ""
        lines.append(f"{label_in(spec.get('label'), lang, name)}{when}: " + "; ".join(stages))
    # Record requirements are checked with the chain (a party signs as a stage's evaluator).
    requirements = [
        (name, spec)
        for name, spec in _mapping(data.get("record_requirements")).items()
        if isinstance(spec, Mapping) and not str(name).startswith("x-")  # x-: the owner's notes
    ]
    return lines + [_requirement(str(name), spec, lang) for name, spec in requirements]


def _requirement(name: str, spec: Mapping[str, Any], lang: str) -> str:
    """One record requirement in words: when it applies, who signs, which dates, which fields,
    which conditions must hold."""
    parts = [word("chain_when", lang, when=spec["when"])] if spec.get("when") else []
    for party in spec.get("parties") or []:
        party = _mapping(party)
        key = "party_self" if party.get("self") else "party_stage"
        parts.append(word(key, lang, field=party.get("field"), stage=party.get("stage")))
    for field, window in _mapping(spec.get("dates")).items():
        window = _mapping(window)
        start, end = window.get("from", "-"), window.get("to", "-")
        text = word("date_window", lang, field=field, start=start, end=end)
        after = f", {word('date_after', lang, after=window['after'])}" if window.get("after") else ""
        parts.append(text + after)
    if spec.get("fields"):
        parts.append(word("required_fields", lang, fields=", ".join(str(f) for f in spec["fields"])))
    for check in spec.get("checks") or []:
        check = _mapping(check)
        parts.append(word("requirement_check", lang, check=check.get("check")))
    key = "requirement_warning" if spec.get("severity") == "warning" else "requirement"
    return word(key, lang, label=label_in(spec.get("label"), lang, name), parts="; ".join(parts))


def _periods(data: Data, lang: str) -> list[str]:
    spec = _mapping(data.get("periods"))
    lines = [
        word(
            "period_weight",
            lang,
            name=name,
            label=label_in(p.get("label"), lang, name),
            weight=_num(p["weight"]),
        )
        for name, p in spec.items()
        if isinstance(p, Mapping)
    ]
    if spec.get("blend"):
        lines.append(word("blend", lang, name=spec["blend"]))
    return lines


def _workflows(data: Data, lang: str) -> list[str]:
    flows = _mapping(data.get("workflows"))
    lines = []
    objections = _mapping(flows.get("objections"))
    window = _mapping(objections.get("window"))
    if window:
        lines.append(word("objection_window", lang, n=window.get("working_days"), start=window.get("from")))
    for r in objections.get("rounds") or []:
        lines.append(
            "  "
            + word(
                "objection_round",
                lang,
                round=r.get("round"),
                handler=label_in(r.get("label"), lang, str(r.get("handler"))),
            )
        )
    for w in _mapping(flows.get("goal_changes")).get("windows") or []:
        allowed = word("allowed" if w.get("allowed") else "not_allowed", lang)
        if w.get("reasons"):
            allowed += "; " + word("reasons", lang, names=", ".join(w["reasons"]))
        lines.append(word("change_window", lang, phase=w.get("phase"), allowed=allowed))
    return lines


def _jobeval(data: Data, lang: str) -> list[str]:
    spec = _mapping(data.get("job_evaluation"))
    if not spec:
        return []
    lines = [word("cycle", lang, n=spec["cycle_years"])] if "cycle_years" in spec else []
    for name, table in _mapping(spec.get("point_tables")).items():
        factors = ", ".join(f"{f.get('id')} {_num(f.get('weight'))}" for f in table.get("factors") or [])
        lines.append(
            word(
                "point_table",
                lang,
                name=name,
                label=label_in(table.get("label"), lang, name),
                factors=factors,
            )
        )
    for name, panel in _mapping(spec.get("panels")).items():
        groups = ", ".join(
            f"{g.get('id')} {g.get('count')}x {_num(g.get('weight'))} %" for g in panel.get("groups") or []
        )
        lines.append(word("panel", lang, name=name, groups=groups))
    bands = _mapping(spec.get("grade_bands")).get("bands") or []
    if bands:
        lines.append(word("job_bands", lang, bands="; ".join(band_text(b, lang) for b in bands)))
    return lines


def _oneline(text: Any) -> str:
    return " ".join(str(text).split())


def _pay(data: Data, lang: str) -> list[str]:
    spec = _mapping(data.get("pay"))
    if not spec:
        return []
    lines = []
    mix = _mapping(spec.get("mix"))
    if mix:
        lines.append(word("pay_mix", lang, base=mix.get("base"), variable=mix.get("variable")))
    ranges = _mapping(spec.get("ranges"))
    if ranges:
        lines.append(
            word("pay_ranges", lang, zones=", ".join(ranges.get("zones") or []), spread=ranges.get("spread"))
        )
    if _mapping(spec.get("merit")).get("expr"):
        lines.append(word("merit", lang, expr=_oneline(spec["merit"]["expr"])))
    incentive = _mapping(spec.get("incentive"))
    if incentive:
        lines.append(
            word(
                "incentive",
                lang,
                pool=_oneline(incentive.get("pool")),
                individual=_oneline(incentive.get("individual")),
            )
        )
    bonus = _mapping(spec.get("bonus"))
    if bonus.get("expr"):
        rounding = _mapping(bonus.get("rounding"))
        mode, unit = rounding.get("mode"), rounding.get("unit")
        lines.append(word("bonus", lang, expr=_oneline(bonus["expr"]), mode=mode, unit=unit))
    if _mapping(spec.get("promotion")).get("points_table"):
        lines.append(word("promotion", lang, table=spec["promotion"]["points_table"]))
    return lines


#: The dimensions compared, in order: each reads the policy data and gives its lines in ``lang``
#: (none when the scheme does not declare the dimension).
DIMENSIONS: dict[str, Callable[[Data, str], list[str]]] = {
    "indicators": _indicators,
    "weights": _weights,
    "difficulty": _difficulty,
    "formulas": _formulas,
    "scales": _scales,
    "thresholds": _thresholds,
    "distributions": _distributions,
    "chains": _chains,
    "periods": _periods,
    "workflows": _workflows,
    "jobeval": _jobeval,
    "pay": _pay,
}


@dataclass(frozen=True)
class Dimension:
    """One dimension of one scheme: its title and lines (empty when the scheme lacks it)."""

    key: str
    title: str
    lines: tuple[str, ...]

    @property
    def declared(self) -> bool:
        return bool(self.lines)


def scheme_facts(data: Data, lang: str = "en") -> list[Dimension]:
    """Every dimension of a policy in words, in :data:`DIMENSIONS` order."""
    return [Dimension(key, word(key, lang), tuple(read(data, lang))) for key, read in DIMENSIONS.items()]


def fact_rows(schemes: Sequence[Sequence[Dimension]], lang: str = "en") -> list[list[str]]:
    """Point-by-point rows: dimension title, then each scheme's lines joined (or 'not declared')."""
    rows = []
    for index, key in enumerate(DIMENSIONS):
        cells = [word(key, lang)]
        for dims in schemes:
            dim = dims[index]
            cells.append("\n".join(dim.lines) if dim.declared else word("not_declared", lang))
        rows.append(cells)
    return rows
