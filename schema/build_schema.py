"""Builds the policy JSON Schema: python schema/build_schema.py [OUT]

The schema is written here in Python (shared shapes as functions) and generated; edit this
file, regenerate, and commit the results. Without OUT it writes both copies: the package's
(engine/schemas/policy.schema.json, read at run time) and schema/policy.schema.json (where
editors point), and copies schema/records.schema.json and schema/policy-test.schema.json
(hand-written) into the package.
tests/test_schema.py checks that all of them agree.
"""
import json
import pathlib
import shutil
import sys

X = {"title": "Owner's note", "description": "Any key starting with `x-` is free for the owner's own notes and is ignored by hrpolicy."}
ID_RE = "^[a-z][a-z0-9_]*$"
ID_HINT = "must be lower snake_case (a-z, 0-9, _) starting with a letter"
KEY_RE = "^([a-z][a-z0-9_]*|x-.*)$"
KEY_HINT = "must be lower snake_case (a-z, 0-9, _) starting with a letter, or start with 'x-' for a note"
NAME_KEY_RE = "^([A-Za-z][A-Za-z0-9_]*|x-.*)$"
NAME_KEY_HINT = "must be a formula name (letters, digits, _; starting with a letter), or start with 'x-' for a note"


def ref(name):
    return {"$ref": f"#/$defs/{name}"}


def p(title, description, examples, schema=None, **kw):
    out = {"title": title, "description": description}
    out.update(schema or {})
    out.update(kw)
    out["examples"] = examples
    return out


def obj(props, required=(), **extra):
    out = {"type": "object"}
    if required:
        out["required"] = list(required)
    out["properties"] = props
    out["patternProperties"] = {"^x-": X}
    out["additionalProperties"] = False
    out.update(extra)
    return out


def idmap(value, key_re=KEY_RE, key_hint=KEY_HINT, **extra):
    """A mapping keyed by ids (plus x- notes): the value schema applies to every id key."""
    out = {"type": "object", "propertyNames": {"pattern": key_re, "patternErrorMessage": key_hint}}
    out["patternProperties"] = {"^x-": X}
    out["additionalProperties"] = value
    out.update(extra)
    return out


def codemap(value, **extra):
    """A mapping keyed by free codes (grades, zones); x- keys stay notes."""
    out = {"type": "object", "patternProperties": {"^x-": X}, "additionalProperties": value}
    out.update(extra)
    return out


def arr(items, **extra):
    out = {"type": "array", "items": items}
    out.update(extra)
    return out


LBL = lambda what, ex=None: p("Label", f"Display name of {what} (localised text).", ex or [{"ko": "업무개선 노력도", "en": "Work-improvement effort"}], ref("text"))
DESC = lambda what: p("Description", f"Longer explanation of {what} (localised text).", [{"en": "Scored by the evaluator on the S-D scale."}], ref("text"))
PCT = lambda title, desc, ex: p(title, desc + " In percent (30 = 30 %).", ex, ref("percent"))
WHEN = lambda desc, ex: p("Condition", desc, ex, ref("condition"))

MODES = ["half_up", "half_even", "half_down", "up", "down", "ceiling", "floor"]

defs = {}
defs["id"] = {
    "title": "Identifier",
    "description": "An id in snake_case: lower-case letters, digits and underscores, starting with a letter.",
    "type": "string",
    "pattern": ID_RE,
    "patternErrorMessage": ID_HINT,
    "examples": ["japan_mbo", "work_improvement"],
}
defs["name"] = {
    "title": "Formula name",
    "description": "A name formulas can read: an input field, a run-time parameter or a formula (letters, digits, _; starting with a letter).",
    "type": "string",
    "pattern": "^[A-Za-z][A-Za-z0-9_]*$",
    "patternErrorMessage": "must be a formula name (letters, digits, _; starting with a letter)",
    "examples": ["score", "X"],
}
defs["code"] = {
    "title": "Code",
    "description": "A grade, scale level, zone or table key code: a free non-empty string such as S, O, I, K1.",
    "type": "string",
    "minLength": 1,
    "examples": ["S", "K1"],
}
defs["text"] = {
    "title": "Localised text",
    "description": "Text in one or more languages: a mapping with at least one of ko, ja, en.",
    "type": "object",
    "minProperties": 1,
    "properties": {
        "ko": p("Korean", "The text in Korean.", ["업무개선 노력도"], {"type": "string", "minLength": 1}),
        "ja": p("Japanese", "The text in Japanese.", ["目標管理制度"], {"type": "string", "minLength": 1}),
        "en": p("English", "The text in English.", ["Work-improvement effort"], {"type": "string", "minLength": 1}),
    },
    "patternProperties": {"^x-": X},
    "additionalProperties": False,
    "examples": [{"ko": "업무개선 노력도", "en": "Work-improvement effort"}],
}
defs["rounding"] = {
    "title": "Rounding",
    "description": "A declared rounding step: mode and decimal places (negative places round to tens, hundreds, ...).",
    **obj(
        {
            "mode": p(
                "Rounding mode",
                "half_up, half_even, half_down, up (away from zero), down (toward zero), ceiling or floor.",
                ["half_up", "down"],
                {"type": "string", "enum": MODES},
            ),
            "places": p("Decimal places", "Digits kept after the decimal point; -3 rounds to thousands (from -12 to 12).", [0, 1, -3], {"type": "integer", "minimum": -12, "maximum": 12}),
        },
        required=["mode", "places"],
    ),
    "examples": [{"mode": "half_up", "places": 1}],
}
defs["formula"] = {
    "title": "Formula",
    "description": "An expression in the hrpolicy formula language (a safe subset of Python expressions).",
    "type": "string",
    "minLength": 1,
    "examples": ["weight * achievement * difficulty / 100", "sum(weighted)"],
}
defs["condition"] = {
    "title": "Condition",
    "description": "A formula that yields true or false.",
    "type": "string",
    "minLength": 1,
    "examples": ["segment == 'manager'", "not capital_impaired"],
}
defs["date"] = {
    "title": "Date",
    "description": "A calendar date as a quoted ISO string YYYY-MM-DD.",
    "type": "string",
    "format": "date",
    "examples": ["2026-04-01"],
}
defs["percent"] = {
    "title": "Percent",
    "description": "A percentage from 0 to 100 (30 = 30 %).",
    "type": "number",
    "minimum": 0,
    "maximum": 100,
    "examples": [30, 12.5],
}
defs["count_bounds"] = {
    "title": "Count bounds",
    "description": "How many goal lines: inclusive min and/or max, or an exact number.",
    **obj(
        {
            "min": p("Minimum", "Fewest lines allowed (inclusive).", [3], {"type": "integer", "minimum": 0}),
            "max": p("Maximum", "Most lines allowed (inclusive).", [5], {"type": "integer", "minimum": 0}),
            "exact": p("Exact", "The exact number of lines required (instead of min and max).", [2], {"type": "integer", "minimum": 0}),
        },
        minProperties=1,
        dependentSchemas={
            "exact": {
                "not": {"anyOf": [{"required": ["min"]}, {"required": ["max"]}]},
                "errorMessage": "write either exact or min/max, not both",
            }
        },
    ),
    "examples": [{"min": 5, "max": 8}, {"exact": 2}],
}
defs["band"] = {
    "title": "Grade band",
    "description": "One grade and the interval of values that earn it. min is inclusive and max exclusive unless stated otherwise.",
    **obj(
        {
            "grade": p("Grade", "The grade code this band gives.", ["S", "J1"], ref("code")),
            "min": p("Lower bound", "Lowest value of the band (inclusive unless min_inclusive is false); omit for unbounded below.", [110, 79.5], {"type": "number"}),
            "max": p("Upper bound", "Upper end of the band (exclusive unless max_inclusive is true); omit for unbounded above.", [110, 79], {"type": "number"}),
            "min_inclusive": p("Lower bound inclusive", "Whether min itself belongs to the band (default true).", [True, False], {"type": "boolean"}),
            "max_inclusive": p("Upper bound inclusive", "Whether max itself belongs to the band (default false).", [True], {"type": "boolean"}),
        },
        required=["grade"],
    ),
    "examples": [{"grade": "A", "min": 100, "max": 110}, {"grade": "D", "max": 79, "max_inclusive": True}],
}
defs["grade_range"] = {
    "title": "Covered range",
    "description": "The domain of values the bands must cover; max omitted means unbounded above.",
    **obj(
        {
            "min": p("Range minimum", "Lowest value that must be graded.", [0], {"type": "number"}),
            "max": p("Range maximum", "Highest value that must be graded (omit for unbounded).", [200], {"type": "number"}),
        }
    ),
    "examples": [{"min": 0}],
}
FIELD_TYPES = ["string", "integer", "decimal", "boolean", "date", "enum", "scale"]
defs["field"] = {
    "title": "Field definition",
    "description": "One field a record supplies: its type, label, unit, range, allowed values and default.",
    **obj(
        {
            "type": p("Type", "string, integer, decimal, boolean, date, enum (one of values) or scale (a level code of a scale).", ["decimal", "enum"], {"type": "string", "enum": FIELD_TYPES}),
            "label": LBL("the field", [{"ja": "職種区分", "en": "Segment"}]),
            "description": DESC("the field"),
            "unit": p("Unit", "Free unit name shown with the value: percent, KRW, JPY, points, days, ...", ["percent", "KRW"], {"type": "string", "minLength": 1}),
            "min": p("Minimum", "Smallest allowed value (inclusive, numeric types).", [0, 1.0], {"type": "number"}),
            "max": p("Maximum", "Largest allowed value (inclusive, numeric types).", [100, 1.3], {"type": "number"}),
            "values": p("Allowed values", "For type enum: the allowed strings.", [["manager", "general"]], arr({"type": "string", "minLength": 1}, minItems=1, uniqueItems=True)),
            "scale": p("Scale", "For type scale: the id of a scale in scales; the value is one of its level codes.", ["s_to_d"], ref("id")),
            "required": p("Required", "Whether every record must give the field (default true).", [False], {"type": "boolean"}),
            "default": p("Default", "Value used when a record omits the field (implies not required).", [False, 1.0, "general"], {"type": ["string", "number", "boolean"]}),
        },
        required=["type", "label"],
        allOf=[
            {"if": {"properties": {"type": {"const": "enum"}}, "required": ["type"]}, "then": {"required": ["values"]}},
            {"if": {"properties": {"type": {"const": "scale"}}, "required": ["type"]}, "then": {"required": ["scale"]}},
        ],
    ),
    "examples": [{"type": "decimal", "unit": "percent", "min": 0, "max": 100, "label": {"en": "Weight"}}],
}
defs["fields"] = {
    "title": "Field definitions",
    "description": "Field name -> field definition.",
    **idmap(ref("field"), NAME_KEY_RE, NAME_KEY_HINT),
    "examples": [{"weight": {"type": "decimal", "unit": "percent", "label": {"en": "Weight"}}}],
}
defs["axis"] = {
    "title": "Table axis",
    "description": "The keys along one axis of a table and the name of the argument that selects them.",
    **obj(
        {
            "name": p("Axis name", "What the keys are (e.g. zone, grade).", ["grade"], ref("name")),
            "keys": p("Keys", "The keys along this axis, in order.", [["I", "II", "III", "IV", "V"]], arr(ref("code"), minItems=1, uniqueItems=True)),
        },
        required=["keys"],
    ),
    "examples": [{"name": "zone", "keys": ["P", "T", "E"]}],
}

# ---------------------------------------------------------------- metadata
metadata = obj(
    {
        "id": p("Policy id", "Identifier of the policy (snake_case).", ["japan_mbo"], ref("id")),
        "name": p("Policy name", "Name of the policy (localised text).", [{"ja": "目標管理制度", "en": "Japanese MBO"}], ref("text")),
        "description": DESC("the policy"),
        "version": p("Version", "Version of the policy, a quoted string.", ["2026.1"], {"type": "string", "minLength": 1}),
        "effective": p(
            "Effective period",
            "When the policy applies: from a date, optionally to a date.",
            [{"from": "2026-04-01", "to": "2027-03-31"}],
            obj(
                {
                    "from": p("From", "First day the policy applies.", ["2026-04-01"], ref("date")),
                    "to": p("To", "Last day the policy applies (optional).", ["2027-03-31"], ref("date")),
                },
                required=["from"],
            ),
        ),
        "rounding": p("Default rounding", "Rounding of the steps that round but do not say how: the period blend and promotion points.", [{"mode": "half_up", "places": 2}], ref("rounding")),
        "sources": p(
            "Sources",
            "Where the rules come from: source documents and their titles.",
            [[{"seed": "002_05fb3aa4c551a899.txt", "title": "7.評価制度(3)目標管理制度"}]],
            arr(
                obj(
                    {
                        "seed": p("Seed file", "File name of the source document.", ["002_05fb3aa4c551a899.txt"], {"type": "string", "minLength": 1}),
                        "title": p("Title", "Title of the source document.", ["7.評価制度(3)目標管理制度"], {"type": "string", "minLength": 1}),
                    },
                    required=["title"],
                ),
                minItems=1,
            ),
        ),
    },
    required=["id", "name", "version", "effective", "rounding"],
)

# ---------------------------------------------------------------- inputs
inputs = obj(
    {
        "employee": p("Employee fields", "Fields each employee record supplies (one record per person).", [{"segment": {"type": "enum", "values": ["manager", "general"], "label": {"en": "Segment"}}}], ref("fields")),
        "indicator": p("Indicator fields", "Fields each goal-sheet line (indicator) supplies.", [{"weight": {"type": "decimal", "unit": "percent", "min": 0, "max": 100, "label": {"en": "Weight"}}}], ref("fields")),
        "parameters": p("Run-time parameters", "Parameters given once per run (e.g. the base raise rate X), read by name in formulas.", [{"X": {"type": "decimal", "unit": "percent", "label": {"en": "Base raise rate"}}}], ref("fields")),
    },
    required=["employee", "indicator"],
)

# ---------------------------------------------------------------- scales
level = obj(
    {
        "code": p("Level code", "Code of the level, unique within the scale.", ["S", "O"], ref("code")),
        "label": LBL("the level", [{"en": "Superior"}]),
        "points": p("Points", "Numeric value of the level, read by points('scale', code); optional.", [100, 80], {"type": "number"}),
        "description": DESC("the level"),
    },
    required=["code"],
)
scale = obj(
    {
        "label": LBL("the scale", [{"ja": "5段階評価", "en": "Five-level rating"}]),
        "levels": p("Levels", "The levels of the scale, best first.", [[{"code": "S", "points": 100}, {"code": "A", "points": 80}]], arr(level, minItems=1)),
    },
    required=["levels"],
)

# ---------------------------------------------------------------- indicator_rules
fixed = obj(
    {
        "id": p("Fixed indicator id", "Id of the mandatory indicator.", ["work_improvement"], ref("id")),
        "label": LBL("the indicator", [{"ko": "업무개선 노력도"}]),
        "kind": p("Kind", "Kind of the indicator (one of the category's kinds).", ["non_quantitative"], ref("id")),
    },
    required=["id"],
)
category = obj(
    {
        "label": LBL("the category", [{"ja": "業績", "en": "Performance"}]),
        "count": p("Line count", "How many goal lines of this category.", [{"min": 3, "max": 5}], ref("count_bounds")),
        "kinds": p("Kinds", "Allowed values of the indicator's kind field in this category.", [["quantitative", "non_quantitative"]], arr(ref("id"), minItems=1, uniqueItems=True)),
        "share": PCT("Share", "This category's share of the score; shares add up to 100.", [80]),
        "fixed": p("Fixed indicators", "Mandatory indicators every sheet must hold in this category.", [[{"id": "work_improvement", "label": {"ko": "업무개선 노력도"}, "kind": "non_quantitative"}]], arr(fixed, minItems=1)),
    }
)
weight_rules = obj(
    {
        "field": p("Weight field", "Indicator field holding the weight (default weight).", ["weight"], ref("name")),
        "min": PCT("Minimum weight", "Smallest weight of one indicator (inclusive).", [5]),
        "max": PCT("Maximum weight", "Largest weight of one indicator (inclusive).", [30]),
        "total": PCT("Weight total", "The sum the weights must reach.", [100]),
        "total_scope": p("Total scope", "sheet: all lines sum to total; category: each category sums to total.", ["sheet"], {"type": "string", "enum": ["sheet", "category"]}),
    },
    required=["total"],
)
relax = obj(
    {
        "weight_min": PCT("Relaxed minimum weight", "Replaces the per-indicator minimum weight.", [0]),
        "weight_max": PCT("Relaxed maximum weight", "Replaces the per-indicator maximum weight.", [100]),
        "count_min": p("Relaxed minimum count", "Replaces the minimum number of lines.", [1], {"type": "integer", "minimum": 0}),
        "count_max": p("Relaxed maximum count", "Replaces the maximum number of lines.", [10], {"type": "integer", "minimum": 0}),
    },
    minProperties=1,
)
exception = obj(
    {
        "id": p("Exception id", "Identifier of the exception.", ["dedicated_large_project"], ref("id")),
        "label": LBL("the exception", [{"en": "Dedicated to one large project"}]),
        "when": WHEN("When the exception applies (a condition over employee fields).", ["dedicated_large_project"]),
        "relax": p("Relaxed bounds", "The bounds the exception replaces.", [{"weight_max": 100}], relax),
        "lines": p(
            "Goal lines relaxed",
            "A condition over a goal line's fields: the relaxed weight band applies only to the lines where it"
            " holds (the others keep the policy's band). Without it the band is relaxed on every line.",
            ["large_project"],
            ref("condition"),
        ),
    },
    required=["id", "when", "relax"],
)
difficulty = obj(
    {
        "field": p("Difficulty field", "Indicator field holding the difficulty factor.", ["difficulty"], ref("name")),
        "min": p("Minimum difficulty", "Smallest allowed factor (inclusive).", [1.0], {"type": "number", "minimum": 0}),
        "max": p("Maximum difficulty", "Largest allowed factor (inclusive).", [1.3], {"type": "number", "minimum": 0}),
        "default": p("Default difficulty", "Factor used when a line states none.", [1.0], {"type": "number", "minimum": 0}),
        "steps": p("Allowed steps", "The only allowed values (optional).", [[1.0, 1.1, 1.2, 1.3]], arr({"type": "number", "minimum": 0}, minItems=1, uniqueItems=True)),
    }
)
constraint = obj(
    {
        "id": p("Constraint id", "Identifier of the rule.", ["branch_job_kpi_quantitative"], ref("id")),
        "when": WHEN("When the rule applies (optional; always if omitted).", ["unit == 'branch' and has_job_kpi"]),
        "check": p("Check", "Condition every sheet it applies to must satisfy.", ["count(kind, category='own_duties', kind='quantitative') >= 1"], ref("condition")),
        "message": p("Message", "What to tell the owner of a sheet that fails the check.", [{"en": "Branch staff with a job KPI score own duties by a quantitative job KPI"}], ref("text")),
    },
    required=["id", "check", "message"],
)
indicator_rules = obj(
    {
        "count": p("Total line count", "How many goal lines a sheet holds: {min, max} or {exact}.", [{"min": 5, "max": 8}, {"exact": 4}], ref("count_bounds")),
        "categories": p("Categories", "Indicator categories by id.", [{"performance": {"label": {"en": "Performance"}, "count": {"min": 3, "max": 5}, "share": 80}}], idmap(category)),
        "category_field": p("Category field", "Indicator field holding the category (default category).", ["category"], ref("name")),
        "kind_field": p("Kind field", "Indicator field holding the kind (default kind).", ["kind"], ref("name")),
        "fixed_field": p("Fixed-indicator field", "Indicator field naming the fixed indicator a line is (default fixed_id).", ["fixed_id"], ref("name")),
        "weight": p("Weight rules", "Per-indicator weight band and the required total.", [{"field": "weight", "min": 5, "max": 30, "total": 100, "total_scope": "sheet"}], weight_rules),
        "exceptions": p("Exceptions", "Named exceptions that relax the bounds for some employees.", [[{"id": "dedicated_large_project", "when": "dedicated_large_project", "relax": {"weight_max": 100}}]], arr(exception, minItems=1)),
        "difficulty": p("Difficulty", "Difficulty factor rules.", [{"field": "difficulty", "min": 1.0, "max": 1.3, "default": 1.0, "steps": [1.0, 1.1, 1.2, 1.3]}], difficulty),
        "required_fields": p("Required goal fields", "Indicator fields every goal must state (non-empty).", [["what", "how_much", "how", "by_when"]], arr(ref("name"), minItems=1, uniqueItems=True)),
        "required_when": p(
            "Goal fields required on some lines",
            "Indicator fields the goal lines where `when` holds (a condition over the line's fields) must state.",
            [[{"when": "category == 'own_duties'", "fields": ["target", "schedule"]}]],
            arr(
                obj(
                    {
                        "when": WHEN("The lines the rule applies to.", ["category == 'own_duties'"]),
                        "fields": p("Fields", "Indicator fields those lines must state (non-empty).", [["schedule"]], arr(ref("name"), minItems=1, uniqueItems=True)),
                    },
                    required=["when", "fields"],
                ),
                minItems=1,
            ),
        ),
        "constraints": p("Constraints", "Further sheet rules, each a condition.", [[{"id": "min_one_quantitative", "check": "count(kind, kind='quantitative') >= 1", "message": {"en": "At least one quantitative goal"}}]], arr(constraint, minItems=1)),
    }
)

# ---------------------------------------------------------------- tables
table = obj(
    {
        "label": LBL("the table", [{"ko": "인상률 매트릭스", "en": "Merit matrix"}]),
        "unit": p("Unit", "Unit of the values (percent, points, KRW, ...).", ["percent"], {"type": "string", "minLength": 1}),
        "keys": p("Keys (1-D)", "The keys of a one-dimensional table.", [{"name": "grade", "keys": ["I", "II", "III", "IV", "V"]}], ref("axis")),
        "rows": p("Rows (2-D)", "The row keys of a two-dimensional table.", [{"name": "zone", "keys": ["P", "T", "E"]}], ref("axis")),
        "columns": p("Columns (2-D)", "The column keys of a two-dimensional table.", [{"name": "grade", "keys": ["I", "II", "III", "IV", "V"]}], ref("axis")),
        "values": p(
            "Values",
            "1-D: key -> number. 2-D: row key -> column key -> number.",
            [{"I": 10, "II": 8}, {"P": {"I": 1.5, "II": 0.5}}],
            {"type": "object", "minProperties": 1},
        ),
    },
    required=["values"],
    dependentSchemas={
        "keys": {
            "not": {"anyOf": [{"required": ["rows"]}, {"required": ["columns"]}]},
            "errorMessage": "a 1-D table has keys, a 2-D table has rows and columns; do not mix them",
        }
    },
    allOf=[
        {
            "if": {"required": ["keys"]},
            "then": {"properties": {"values": codemap({"type": "number"})}},
            "else": {
                "required": ["rows", "columns"],
                "properties": {"values": codemap(codemap({"type": "number"}))},
            },
        }
    ],
)

# ---------------------------------------------------------------- formulas
formula_def = obj(
    {
        "label": LBL("the value", [{"en": "Achievement rate"}]),
        "expr": p("Expression", "The formula computing the value.", ["weight * achievement * difficulty / 100"], ref("formula")),
        "round": p("Rounding", "Rounding applied to this value (optional).", [{"mode": "half_up", "places": 1}], ref("rounding")),
    },
    required=["expr"],
)
formula_map = idmap(formula_def, NAME_KEY_RE, NAME_KEY_HINT)
formulas = obj(
    {
        "indicator": p("Indicator formulas", "Values computed once per goal line.", [{"weighted": {"expr": "weight * achievement * difficulty / 100"}}], formula_map),
        "employee": p("Employee formulas", "Values computed once per person.", [{"score": {"expr": "sum(weighted)", "round": {"mode": "half_up", "places": 1}}}], formula_map),
    }
)

# ---------------------------------------------------------------- grade_tables
segment = obj(
    {
        "label": LBL("the segment", [{"ja": "管理職", "en": "Managers"}]),
        "when": WHEN("Which employees the segment grades; the first match wins; one segment may omit it.", ["segment == 'manager'"]),
        "bands": p("Bands", "Grade bands, best first.", [[{"grade": "S", "min": 110}, {"grade": "A", "min": 100, "max": 110}]], arr(ref("band"), minItems=1)),
    },
    required=["bands"],
)
grade_table = obj(
    {
        "label": LBL("the grade table", [{"ja": "5段階評価", "en": "Five-level rating"}]),
        "input": p("Graded value", "The formula or input field graded.", ["score"], ref("name")),
        "scale": p("Scale", "Scale whose codes the grades are (optional).", ["s_to_d"], ref("id")),
        "round": p("Rounding before comparison", "Rounding applied to the input before it is compared with the bands.", [{"mode": "half_up", "places": 0}], ref("rounding")),
        "range": p("Covered range", "The domain the bands must cover.", [{"min": 0}], ref("grade_range")),
        "segments": p("Segments", "Segments by id, each with its own bands.", [{"all": {"bands": [{"grade": "pass", "min": 60}, {"grade": "fail", "max": 60}]}}], idmap(segment, minProperties=1)),
    },
    required=["input", "segments"],
)

# ---------------------------------------------------------------- distributions
ORDER = {"type": "string", "enum": ["ascending", "descending"]}
distribution = obj(
    {
        "label": LBL("the distribution", [{"ko": "업적 종합판정", "en": "Overall performance grade"}]),
        "scale": p("Scale", "Scale whose codes are the grades, best first.", ["i_to_v"], ref("id")),
        "score": p("Ranked value", "Formula or field ranked.", ["performance_score"], ref("name")),
        "order": p("Order", "descending: higher is better; ascending to invert.", ["descending"], ORDER),
        "group_by": p("Group by", "Employee fields forming the groups ranked apart.", [["org", "role_grade"]], arr(ref("name"), minItems=1, uniqueItems=True)),
        "quotas": p("Quotas", "Grade code -> share of the group in percent; sum 100.", [{"I": 10, "II": 20, "III": 40, "IV": 20, "V": 10}], codemap(ref("percent"), minProperties=1)),
        "quota_rounding": p("Quota rounding", "largest_remainder or top_down (round the top grades down, fill the bottom).", ["largest_remainder"], {"type": "string", "enum": ["largest_remainder", "top_down"]}),
        "remainder_ties": p("Remainder ties", "Which grade gets the seat when remainders are equal.", ["better_grade"], {"type": "string", "enum": ["better_grade", "worse_grade"]}),
        "tolerance": p("Tolerance", "Grade code -> people allowed above or below the quota.", [{"I": 0, "II": 1}], codemap({"type": "integer", "minimum": 0})),
        "min_group_size": p("Minimum group size", "Smaller groups merge into the parent org's group.", [5], {"type": "integer", "minimum": 1}),
        "merge": p(
            "Merging",
            "How small groups merge into the parent organisation's group.",
            [{"parent_field": "parent_org", "keep": ["role_grade"]}],
            obj(
                {
                    "parent_field": p("Parent field", "Field giving the parent organisation (from the org tree).", ["parent_org"], ref("name")),
                    "keep": p("Kept keys", "Group keys kept when merging.", [["role_grade"]], arr(ref("name"), uniqueItems=True)),
                    "pool": p(
                        "Parent-level group",
                        "What the group formed at the parent holds: 'own' (default) the parent's own members plus the"
                        " small groups moved up; 'subtree' every member with the kept keys anywhere under the parent"
                        " (sibling groups included), so nobody is left ungraded while the parent holds enough people.",
                        ["subtree"],
                        {"enum": ["own", "subtree"]},
                    ),
                },
                required=["parent_field"],
            ),
        ),
        "ties": p(
            "Tie-breakers",
            "Keys ordering people with equal scores, in order.",
            [[{"field": "competency_score", "order": "descending"}, {"field": "id", "order": "ascending"}]],
            arr(
                obj(
                    {
                        "field": p("Field", "Field or formula compared.", ["competency_score"], ref("name")),
                        "order": p("Order", "ascending or descending.", ["descending"], ORDER),
                    },
                    required=["field", "order"],
                ),
                minItems=1,
            ),
        ),
    },
    required=["scale", "score", "quotas"],
)

# ---------------------------------------------------------------- periods
CYCLE_DATE = {
    "type": "string",
    "pattern": "^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$",
    "patternErrorMessage": "a date YYYY-MM-DD, or MM-DD for the first such day in the effective period",
}
DATE_WINDOW = obj(
    {
        "from": p("From", "First day: YYYY-MM-DD, or MM-DD for the first such day on or after metadata.effective.from.", ["07-01"], CYCLE_DATE),
        "to": p("To", "Last day (inclusive): YYYY-MM-DD, or MM-DD for the first such day on or after 'from'.", ["07-31"], CYCLE_DATE),
    },
    required=["from", "to"],
)
period = obj(
    {
        "label": LBL("the period", [{"ko": "중간점검(7월)"}]),
        "weight": PCT("Blend weight", "Weight of the period in the blended score.", [10]),
        "dates": p("Dates", "When the period's check takes place; MM-DD dates stay right when the policy is carried into the next cycle.", [{"from": "07-01", "to": "07-31"}], DATE_WINDOW),
        "missing": p(
            "When the sheet is missing",
            "A record without this period's goal sheet is a per-employee problem unless a rule here applies: the first whose "
            "condition holds (employee fields, and period_from / period_to: the period's dates) names the period whose sheet stands in.",
            [[{"when": "joined > period_to", "use_period": "final"}]],
            arr(
                obj(
                    {
                        "when": WHEN("Which employees the rule covers (none: everyone).", ["joined > period_to"]),
                        "use_period": p("Use period", "The period whose goal sheet stands in for the missing one.", ["final"], ref("id")),
                    },
                    required=["use_period"],
                ),
                minItems=1,
            ),
        ),
    },
    required=["weight"],
)
periods = {
    "type": "object",
    "propertyNames": {"pattern": KEY_RE, "patternErrorMessage": KEY_HINT},
    "properties": {
        "blend": p("Blended formula", "The employee formula blended across periods.", ["score"], ref("name")),
        "round": p("Blend rounding", "Rounding of the blended value (default: metadata.rounding).", [{"mode": "half_up", "places": 2}], ref("rounding")),
    },
    "patternProperties": {"^x-": X},
    "additionalProperties": period,
}

# ---------------------------------------------------------------- evaluator_chains
stage = obj(
    {
        "id": p("Stage id", "Identifier of the stage.", ["first"], ref("id")),
        "evaluator": p("Evaluator", "Role that evaluates at this stage.", ["department_head"], ref("id")),
        "mode": p("Mode", "absolute (against thresholds) or relative (ranked).", ["absolute"], {"type": "string", "enum": ["absolute", "relative"]}),
        "label": LBL("the stage", [{"ko": "1차 부서장"}]),
        "override_needs_reason": p("Override needs reason", "Whether changing an earlier stage's rating needs a written reason.", [True], {"type": "boolean"}),
        "evaluator_level": p("Evaluator level", "The level the evaluator at this stage must hold (checked against the evaluation record's evaluator_level).", ["executive"], ref("id")),
        "weight": PCT("Stage weight", "Weight of this stage's result (all stages sum to 100 when any has one).", [50]),
        "field": p(
            "Recorded in",
            "An employee field recording who did this stage (the evaluator's id): where the record has no"
            " evaluation for the stage, a value there stands for it (a table carries no evaluations).",
            ["midterm_checked_by"],
            ref("name"),
        ),
    },
    required=["id", "evaluator", "mode"],
)
chain = obj(
    {
        "label": LBL("the chain", [{"ko": "본부 부장"}]),
        "when": WHEN("Who the chain applies to; the first matching chain of its period applies.", ["unit == 'hq' and position == 'section_head'"]),
        "period": p(
            "Period",
            "The period (of `periods`) whose goal sheet the chain reviews; without it, the last declared period"
            " (the final evaluation), or the only sheet of a policy without periods.",
            ["midterm"],
            ref("id"),
        ),
        "confirms_period": p(
            "Confirms the period",
            "Every stage must be on record (an evaluation, or the stage's `field`) before the period's result"
            " counts in a score: `evaluate` and `explain` refuse the employee otherwise.",
            [True],
            {"type": "boolean"},
        ),
        "stages": p("Stages", "The evaluation stages in order.", [[{"id": "first", "evaluator": "department_head", "mode": "absolute"}]], arr(stage, minItems=1)),
    },
    required=["stages"],
)

# ---------------------------------------------------------------- confirmations
confirmation = obj(
    {
        "label": LBL("the confirmation", [{"ko": "탁월(O) 등급은 임원급 2차 평가자의 확인 서명"}]),
        "when": WHEN("Which ratings need the confirmation (indicator-level condition).", ["rating == 'O'"]),
        "requires": p(
            "Requirement",
            "Who must confirm.",
            [{"stage": "second", "evaluator_level": "executive"}],
            obj(
                {
                    "stage": p("Stage", "The chain stage that must confirm.", ["second"], ref("id")),
                    "evaluator_level": p("Evaluator level", "The level the confirming evaluator must hold.", ["executive"], ref("id")),
                    "field": p(
                        "Signature field",
                        "An indicator field recording the confirming signature (the evaluator's id). Set, it stands for the confirmation; "
                        "when the record also has the required stage's evaluation, the signature must be that evaluator's, of the required level.",
                        ["confirmed_by"],
                        ref("name"),
                    ),
                },
                minProperties=1,
            ),
        ),
    },
    required=["when", "requires"],
)

# ---------------------------------------------------------------- record_requirements
requirement_party = obj(
    {
        "field": p("Signature field", "Employee field holding the signer's id.", ["goals_agreed_by"], ref("name")),
        "label": LBL("the party", [{"ja": "上司", "en": "Superior"}]),
        "stage": p("Stage", "The chain stage whose evaluator signs (where that evaluation is on record, the signature must name its evaluator; never the employee).", ["first"], ref("id")),
        "self": p("The employee", "The employee signs: the field holds the employee's own id.", [True], {"type": "boolean", "const": True}),
    },
    required=["field"],
    oneOf=[{"required": ["stage"]}, {"required": ["self"]}],
)
requirement_date = obj(
    {
        "from": p("From", "Earliest date allowed (inclusive).", ["2026-04-01"], ref("date")),
        "to": p("To", "Latest date allowed (inclusive).", ["2026-04-30"], ref("date")),
        "after": p("Not before", "Another date field this date may not be earlier than.", ["development_plan_agreed_on"], ref("name")),
    }
)
requirement_check = obj(
    {
        "id": p("Check id", "Identifier of the check (the rule id is requirement-check-<id>).", ["one_measure"], ref("id")),
        "check": p("Check", "Condition over the employee's fields that must hold.", ["development_measure != 'none'"], ref("condition")),
        "message": p("Message", "What to tell the owner of a record that fails the check.", [{"en": "Choose a development measure"}], ref("text")),
    },
    required=["id", "check", "message"],
)
record_requirement = obj(
    {
        "label": LBL("the requirement", [{"ja": "目標の合意", "en": "Goal agreement"}]),
        "when": WHEN("Which employees the requirement applies to (none: everyone).", ["segment == 'manager'"]),
        "severity": p("Severity", "error: the employee is not evaluated; warning: reported, and the employee is evaluated.", ["error"], {"type": "string", "enum": ["error", "warning"]}),
        "fields": p("Required fields", "Employee fields that must be filled in.", [["development_plan_short_term"]], arr(ref("name"), minItems=1, uniqueItems=True)),
        "parties": p("Parties", "Who must sign (agree): a chain stage's evaluator or the employee.", [[{"field": "goals_agreed_by", "stage": "first"}, {"field": "goals_agreed_by_employee", "self": True}]], arr(requirement_party, minItems=1)),
        "dates": p("Dates", "Date fields that must be filled in, each within its window.", [{"goals_agreed_on": {"from": "2026-04-01", "to": "2026-04-30"}}], idmap(requirement_date, key_re=NAME_KEY_RE, key_hint=NAME_KEY_HINT)),
        "checks": p("Checks", "Conditions over the employee's fields, each with its message.", [[{"id": "one_measure", "check": "development_measure != 'none'", "message": {"en": "Choose a development measure"}}]], arr(requirement_check, minItems=1)),
    },
    minProperties=1,
)

# ---------------------------------------------------------------- workflows
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
calendar = obj(
    {
        "weekend": p("Weekend days", "Days of the week that are not working days.", [["sat", "sun"]], arr({"type": "string", "enum": DAYS}, uniqueItems=True)),
        "country": p(
            "Country",
            "ISO 3166 country code whose public holidays (with substitute holidays) are not working days, for any year, "
            "from the maintained holidays package (KR, JP, ...).",
            ["KR", "JP"],
            {"type": "string", "pattern": "^[A-Z]{2}$", "patternErrorMessage": "a two-letter country code in capitals, e.g. KR"},
        ),
        "holidays": p("Holidays", "Dates that are not working days (the company's own days, added to the country's).", [["2026-01-01", "2026-02-16"]], arr(ref("date"), uniqueItems=True)),
        "worked_holidays": p("Worked holidays", "Dates the country calendar lists as holidays that are working days for the company.", [["2026-05-01"]], arr(ref("date"), uniqueItems=True)),
    }
)
objections = obj(
    {
        "window": p(
            "Objection window",
            "How long an employee has to object.",
            [{"working_days": 5, "from": "result_notice"}],
            obj(
                {
                    "working_days": p("Working days", "Length of the window in working days.", [5], {"type": "integer", "minimum": 1}),
                    "from": p("From event", "The event the window counts from.", ["result_notice"], ref("id")),
                },
                required=["working_days", "from"],
            ),
        ),
        "per_indicator": p("Per indicator", "Whether an objection names individual indicators.", [True], {"type": "boolean"}),
        "periods": p("Periods", "Periods whose results can be objected to.", [["midterm", "final"]], arr(ref("id"), minItems=1, uniqueItems=True)),
        "rounds": p(
            "Rounds",
            "The rounds of handling, in order.",
            [[{"round": 1, "handler": "section_head"}, {"round": 2, "handler": "department_head"}]],
            arr(
                obj(
                    {
                        "round": p("Round", "Round number, from 1.", [1], {"type": "integer", "minimum": 1}),
                        "handler": p("Handler", "Role handling the round.", ["section_head"], ref("id")),
                        "label": LBL("the round", [{"ko": "부장 재협의"}]),
                    },
                    required=["round", "handler"],
                ),
                minItems=1,
            ),
        ),
    },
    required=["window"],
)
goal_changes = obj(
    {
        "reasons": p(
            "Reasons",
            "Valid reasons for a goal change.",
            [[{"id": "uncontrollable", "label": {"ko": "천재지변·정부정책 변경 등 통제 불가능 요인"}}]],
            arr(
                obj(
                    {
                        "id": p("Reason id", "Identifier of the reason.", ["uncontrollable"], ref("id")),
                        "label": LBL("the reason", [{"ko": "조직개편 또는 전보"}]),
                    },
                    required=["id"],
                ),
                minItems=1,
            ),
        ),
        "windows": p(
            "Windows",
            "When changes are allowed, phase by phase.",
            [[{"phase": "before_midterm", "allowed": False}, {"phase": "at_midterm", "allowed": True, "batch": True}]],
            arr(
                obj(
                    {
                        "phase": p("Phase", "Phase of the period.", ["at_midterm"], ref("id")),
                        "allowed": p("Allowed", "Whether changes are allowed in the phase.", [True], {"type": "boolean"}),
                        "batch": p("Batch", "Whether changes are made in one batch.", [True], {"type": "boolean"}),
                        "reasons": p("Reasons", "The only reasons accepted in the phase (ids of reasons).", [["uncontrollable"]], arr(ref("id"), minItems=1, uniqueItems=True)),
                        "from": p("From", "First day of the phase: YYYY-MM-DD, or MM-DD within the effective period (default: its first day). With dates, a change's phase follows from its made_on date.", ["07-01"], CYCLE_DATE),
                        "to": p("To", "Last day of the phase (inclusive): YYYY-MM-DD, or MM-DD on or after 'from' (default: the effective period's last day).", ["07-31"], CYCLE_DATE),
                    },
                    required=["phase", "allowed"],
                ),
                minItems=1,
            ),
        ),
        "history": p(
            "Keep history",
            "Every change is kept in one history per employee: each change is dated (made_on) and starts from the"
            " sheet the previous change left (goal-change-history).",
            [True],
            {"type": "boolean"},
        ),
        "justify_target_changes": p(
            "Justify target changes",
            "A line whose target changes (or a new line with a target) states its `justification`"
            " (goal-change-justification).",
            [True],
            {"type": "boolean"},
        ),
        "midterm_uses": p("Mid-term targets", "Targets the mid-term check scores against: original_targets (before any change) or current_targets.", ["original_targets"], {"type": "string", "enum": ["original_targets", "current_targets"]}),
        "removal_needs_replacement": p("Removal needs replacement", "Whether a removed indicator needs a replacement (with re-balanced weights).", [True], {"type": "boolean"}),
    }
)
workflows = obj(
    {
        "calendar": p("Calendar", "Working-day calendar.", [{"weekend": ["sat", "sun"], "holidays": ["2026-01-01"]}], calendar),
        "objections": p("Objections", "How results can be objected to.", [{"window": {"working_days": 5, "from": "result_notice"}, "per_indicator": True}], objections),
        "goal_changes": p("Goal changes", "When and why goals may change.", [{"history": True, "midterm_uses": "original_targets"}], goal_changes),
    }
)

# ---------------------------------------------------------------- job_evaluation
factor = obj(
    {
        "id": p("Factor id", "Identifier of the factor.", ["problem_solving"], ref("id")),
        "label": LBL("the factor", [{"ko": "문제해결력"}]),
        "weight": PCT("Factor weight", "Weight of the factor; factors add up to 100 per table.", [19]),
        "points": p("Points per level", "Points for levels 1..levels, level 1 first.", [[190, 162, 137, 117, 99]], arr({"type": "number"}, minItems=1)),
    },
    required=["id", "weight", "points"],
)
point_table = obj(
    {
        "label": LBL("the point table", [{"ko": "관리직(부점장/팀장)"}]),
        "families": p("Job families", "Job families the table scores.", [["branch_head", "team_leader"]], arr(ref("id"), minItems=1, uniqueItems=True)),
        "factors": p("Factors", "The factors of the table.", [[{"id": "problem_solving", "weight": 19, "points": [190, 162, 137, 117, 99]}]], arr(factor, minItems=1)),
    },
    required=["factors"],
)
panel_group = obj(
    {
        "id": p("Group id", "Identifier of the rater group.", ["superior"], ref("id")),
        "relation": p("Relation", "How the raters relate to the job evaluated.", ["same_division_superior"], ref("id")),
        "count": p("Raters", "Number of raters in the group.", [1, 4], {"type": "integer", "minimum": 1}),
        "weight": PCT("Group weight", "Weight of the group's scores.", [10]),
        "label": LBL("the group", [{"ko": "직속 팀장"}]),
        "division": p(
            "Division of the raters",
            "same: every rater of the group is of the job's division; other: of another division (checked"
            " against the job's and the raters' `division`).",
            ["same"],
            {"enum": ["same", "other"]},
        ),
        "position": p(
            "Position of the raters",
            "same: the raters hold the job's position (the job's `position`, else its family); superior: the"
            " rater is the job's direct superior (the job's `superior`).",
            ["same"],
            {"enum": ["same", "superior"]},
        ),
    },
    required=["id", "relation", "count", "weight"],
)
panel = obj(
    {
        "label": LBL("the panel", [{"ko": "팀원"}]),
        "exclude_own_job": p("Exclude own job", "Whether raters never score their own job.", [True], {"type": "boolean"}),
        "min_sme": p("Subject-matter experts", "Fewest raters marked `sme: true` the panel must hold.", [1], {"type": "integer", "minimum": 0}),
        "groups": p("Rater groups", "The groups of raters and their weights.", [[{"id": "superior", "relation": "same_division_superior", "count": 1, "weight": 10}]], arr(panel_group, minItems=1)),
    },
    required=["groups"],
)
grade_bands = obj(
    {
        "round": p("Rounding before comparison", "Rounding applied to job points before comparison.", [{"mode": "half_up", "places": 0}], ref("rounding")),
        "range": p("Covered range", "The domain the bands must cover.", [{"min": 0}], ref("grade_range")),
        "bands": p("Bands", "Job-grade bands, best first.", [[{"grade": "J1", "min": 800}, {"grade": "J2", "max": 800}]], arr(ref("band"), minItems=1)),
    },
    required=["bands"],
)
job_evaluation = obj(
    {
        "cycle_years": p("Cycle", "Years between job analyses.", [3], {"type": "integer", "minimum": 1}),
        "levels": p("Levels", "Number of levels per factor; level 1 is the highest.", [5], {"type": "integer", "minimum": 1}),
        "point_tables": p("Point tables", "Point-factor tables by id.", [{"managerial": {"factors": [{"id": "problem_solving", "weight": 100, "points": [190, 162, 137, 117, 99]}]}}], idmap(point_table, minProperties=1)),
        "panels": p("Panels", "Rater panels by id.", [{"team_member": {"exclude_own_job": True, "groups": [{"id": "superior", "relation": "same_division_superior", "count": 1, "weight": 100}]}}], idmap(panel)),
        "grade_bands": p("Job-grade bands", "Bands turning job points into job grades.", [{"round": {"mode": "half_up", "places": 0}, "bands": [{"grade": "J1", "min": 800}]}], grade_bands),
        "final_grade": p(
            "Final grade",
            "What makes a job grade final: the committee whose decision sets it and the approvals recorded after it.",
            [{"decided_by": "job_grade_committee", "approvals": [{"id": "president", "label": {"ko": "사장 승인"}}]}],
            obj(
                {
                    "decided_by": p("Deciding committee", "The committee (of `committees`) whose decision sets the grade.", ["job_grade_committee"], ref("id")),
                    "approvals": p(
                        "Approval steps",
                        "Steps recorded after the decision, in order, each by id.",
                        [[{"id": "president", "label": {"ko": "사장 승인"}}]],
                        arr(obj({"id": p("Step id", "Identifier of the approval step.", ["president"], ref("id")), "label": LBL("the step", [{"ko": "사장 승인"}])}, required=["id"])),
                    ),
                },
                required=["decided_by"],
            ),
        ),
        "approvals_by": p(
            "Exceptions approved by",
            "Who may approve each exception to the survey (seed 003: 평가관리부점장): `survey_skip` (a job graded"
            " without the survey), `panel_change` (a panel composed otherwise when raters are short).",
            [{"survey_skip": "evaluation_manager", "panel_change": "evaluation_manager"}],
            obj(
                {
                    "survey_skip": p("Survey skipped", "Role that may skip the survey for a job.", ["evaluation_manager"], ref("id")),
                    "panel_change": p("Panel changed", "Role that may compose a short panel otherwise.", ["evaluation_manager"], ref("id")),
                }
            ),
        ),
    },
    required=["levels", "point_tables"],
)

# ---------------------------------------------------------------- committees
committee = obj(
    {
        "label": LBL("the committee", [{"ko": "직무평가위원회"}]),
        "opens_when": p("Quorum", "Condition over the meeting record for the meeting to open.", ["present * 2 > registered"], ref("condition")),
        "passes_when": p("Decision rule", "Condition over the meeting record for a decision to pass.", ["yes * 2 > present - recused"], ref("condition")),
        "min_external_members": p("Minimum external members", "Fewest external members the committee must have.", [0, 2], {"type": "integer", "minimum": 0}),
        "acting_chair": p(
            "Acting chair",
            "Whether a member the chair designates may chair a meeting (the record's `chair` then may be any"
            " listed member); otherwise a chair the record names must hold the seat declared `chair: true`.",
            [True],
            {"type": "boolean"},
        ),
        "members": p(
            "Seats",
            "The committee's seats by role: `count` (exactly) or `min` (at least) members each; a meeting record"
            " then lists its members ({id, role}) and the seats are checked against it.",
            [[{"role": "evaluation_manager", "count": 1, "chair": True}, {"role": "external", "min": 2, "external": True}]],
            arr(
                obj(
                    {
                        "role": p("Role", "Identifier of the seat's role.", ["evaluation_manager"], ref("id")),
                        "count": p("Members", "Exactly this many members.", [1], {"type": "integer", "minimum": 1}),
                        "min": p("At least", "At least this many members.", [2], {"type": "integer", "minimum": 1}),
                        "chair": p("Chair", "The seat of the chair.", [True], {"type": "boolean"}),
                        "external": p("External", "Members from outside the organisation.", [True], {"type": "boolean"}),
                        "label": LBL("the seat", [{"ko": "평가관리부점장"}]),
                    },
                    required=["role"],
                ),
                minItems=1,
            ),
        ),
    },
    required=["opens_when", "passes_when"],
)

# ---------------------------------------------------------------- pay
pay_grade = obj(
    {
        "lower": p("Lower bound", "Bottom of the pay range.", [60000000], {"type": "number", "minimum": 0}),
        "upper": p("Upper bound", "Top of the pay range.", [108000000], {"type": "number", "minimum": 0}),
        "zone_bounds": p("Zone bounds", "Boundaries between the zones, ascending.", [[76000000, 92000000]], arr({"type": "number", "minimum": 0}, minItems=1)),
    },
    required=["lower", "upper"],
)
ranges = obj(
    {
        "spread": p("Spread", "upper = lower x spread.", [1.8], {"type": "number", "exclusiveMinimum": 0}),
        "spread_tolerance": p("Spread tolerance", "Allowed deviation from the spread (+-).", [0.1], {"type": "number", "minimum": 0}),
        "zones": p("Zones", "Zone codes, lowest pay first.", [["E", "T", "P"]], arr(ref("code"), minItems=1, uniqueItems=True)),
        "grades": p("Grade ranges", "Role grade -> pay range.", [{"K1": {"lower": 60000000, "upper": 108000000, "zone_bounds": [76000000, 92000000]}}], codemap(pay_grade, minProperties=1)),
    },
    required=["grades"],
)
merit = obj(
    {
        "base_rate": p("Base rate parameter", "Name of the run-time parameter holding the base raise rate.", ["X"], ref("name")),
        "table": p("Merit table", "The 2-D table (zone x grade) of offsets.", ["merit_offset"], ref("id")),
        "expr": p("Raise formula", "Formula giving the raise rate.", ["X + lookup('merit_offset', zone, grade)"], ref("formula")),
    },
    required=["expr"],
)
incentive = obj(
    {
        "eligibility": p(
            "Eligibility",
            "Conditions the company must meet for any incentive to be paid.",
            [[{"id": "no_capital_impairment", "when": "not capital_impaired"}]],
            arr(
                obj(
                    {
                        "id": p("Condition id", "Identifier of the condition.", ["no_capital_impairment"], ref("id")),
                        "when": WHEN("The condition that must hold.", ["not capital_impaired"]),
                    },
                    required=["id", "when"],
                ),
                minItems=1,
            ),
        ),
        "pool": p("Pool", "Formula giving the incentive pool.", ["min(company_pool, total_base_pay * 17 / 100)"], ref("formula")),
        "individual": p("Individual amount", "Formula giving each person's raw amount before scaling to the pool.", ["(vp_performance * 30 + division_performance * 30 + team_performance * 40) / 100 * coefficient"], ref("formula")),
        "spread": p(
            "Spread adjustment",
            "An adjustment coefficient widens or narrows the differences between the individual values before"
            " the pool is shared: adjusted = pivot + (individual - pivot) x coefficient (0 below 0). The coefficient"
            " 1 keeps the values, 0 shares the pool equally, 2 doubles every distance from the pivot.",
            [{"coefficient": "coefficient", "pivot": 100}],
            obj(
                {
                    "coefficient": p("Coefficient", "Formula (usually a parameter name) giving the coefficient.", ["coefficient"], ref("formula")),
                    "pivot": p("Pivot", "The value the distances are measured from.", [100], {"type": "number"}),
                },
                required=["coefficient", "pivot"],
            ),
        ),
        "rounding": p(
            "Amount rounding",
            "Rounding of amounts to a currency unit, with leftover units shared out.",
            [{"unit": 1000, "mode": "down", "remainder": "largest_remainder"}],
            obj(
                {
                    "unit": p("Unit", "Amounts are multiples of this unit.", [1000], {"type": "number", "exclusiveMinimum": 0}),
                    "mode": p("Rounding mode", "How amounts are rounded to the unit.", ["down"], {"type": "string", "enum": MODES}),
                    "remainder": p("Remainder", "How the leftover units are shared out.", ["largest_remainder"], {"type": "string", "enum": ["largest_remainder"]}),
                },
                required=["unit", "mode"],
            ),
        ),
    },
    required=["pool", "individual"],
)
promotion = obj(
    {
        "points_table": p("Points table", "1-D table: grade -> promotion points.", ["promotion_points"], ref("id")),
        "performance_share": p(
            "Performance share",
            "Formula over the candidate's fields: the percent of a year's points from its performance grade, the"
            " rest from its competency grade, for a history year given as {performance, competency}.",
            ["lookup('promotion_performance_share', role_grade)"],
            ref("formula"),
        ),
        "years": p("Years counted", "Appraisal years counted (optional: all years in grade).", [3], {"type": "integer", "minimum": 1}),
        "education_deduction": p(
            "Education deduction",
            "Deduction when education credits fall short.",
            [{"max_percent": 2}],
            obj({"max_percent": PCT("Maximum deduction", "Largest deduction.", [2])}, required=["max_percent"]),
        ),
        "bonuses": p(
            "Bonus points",
            "Optional extra points by id, each a formula over the employee record with an optional cap.",
            [{"language": {"expr": "language_points", "max": 2, "label": {"en": "Language"}}}],
            idmap(
                obj(
                    {
                        "expr": p("Bonus formula", "Formula giving the bonus points.", ["language_points"], ref("formula")),
                        "max": p("Cap", "Most bonus points counted.", [2], {"type": "number", "minimum": 0}),
                        "min": p("Floor", "Fewest bonus points counted (may be negative: a deduction).", [-1], {"type": "number"}),
                        "label": LBL("the bonus", [{"en": "Language"}]),
                    },
                    required=["expr"],
                )
            ),
        ),
        "round": p("Rounding", "Rounding of the promotion points (default: metadata.rounding).", [{"mode": "half_up", "places": 2}], ref("rounding")),
    },
    required=["points_table"],
)
pay = obj(
    {
        "currency": p("Currency", "ISO 4217 currency code.", ["KRW", "JPY"], {"type": "string", "pattern": "^[A-Z]{3}$", "patternErrorMessage": "must be a three-letter ISO currency code such as KRW"}),
        "bonus": p(
            "Bonus",
            "An amount per employee: a formula over the employee's pay fields, the parameters and the evaluated employee formulas"
            " (the score, given with `hrpolicy pay --records`), rounded to the unit; a negative amount is an error.",
            [{"expr": "bonus_base * score / 100", "rounding": {"unit": 1, "mode": "down"}}],
            obj(
                {
                    "label": LBL("the bonus", [{"ja": "賞与", "en": "Bonus"}]),
                    "expr": p("Formula", "The amount before rounding.", ["bonus_base * score / 100"], ref("formula")),
                    "rounding": p(
                        "Rounding",
                        "Unit and mode of the amount.",
                        [{"unit": 1, "mode": "down"}],
                        obj({"unit": p("Unit", "Amounts are multiples of this.", [1, 1000], {"type": "number", "exclusiveMinimum": 0}), "mode": p("Mode", "Rounding mode.", ["down"], {"type": "string", "enum": MODES})}, required=["unit", "mode"]),
                    ),
                },
                required=["expr", "rounding"],
            ),
        ),
        "mix": p("Pay mix", "Pay component -> share in percent; sum 100.", [{"base": 90, "variable": 10}], idmap(ref("percent"), minProperties=1)),
        "mix_target": p(
            "What the pay mix governs",
            "Each employee's target for one mix component from the pay in another: target = field x mix[target] /"
            " mix[of], rounded to the unit (e.g. the variable pay budget from the base pay at 9 : 1).",
            [{"field": "base_pay", "of": "base", "target": "variable", "rounding": {"unit": 1000, "mode": "down"}}],
            obj(
                {
                    "field": p("Field", "Employee field holding the pay of component `of`.", ["base_pay"], ref("name")),
                    "of": p("Component held", "The mix component the field holds.", ["base"], ref("id")),
                    "target": p("Component computed", "The mix component computed.", ["variable"], ref("id")),
                    "rounding": p(
                        "Rounding",
                        "Rounding of each target to a currency unit.",
                        [{"unit": 1000, "mode": "down"}],
                        obj(
                            {
                                "unit": p("Unit", "Targets are multiples of this unit.", [1000], {"type": "number", "exclusiveMinimum": 0}),
                                "mode": p("Rounding mode", "How targets are rounded to the unit.", ["down"], {"type": "string", "enum": MODES}),
                            },
                            required=["unit", "mode"],
                        ),
                    ),
                },
                required=["field", "of", "target", "rounding"],
            ),
        ),
        "ranges": p("Pay ranges", "Pay ranges per role grade with zones.", [{"spread": 1.8, "spread_tolerance": 0.1, "zones": ["E", "T", "P"], "grades": {"K1": {"lower": 60000000, "upper": 108000000}}}], ranges),
        "merit": p("Merit raise", "Base rate plus a matrix offset.", [{"base_rate": "X", "table": "merit_offset", "expr": "X + lookup('merit_offset', zone, grade)"}], merit),
        "incentive": p("Incentive", "Eligibility, pool and individual amounts.", [{"pool": "company_pool", "individual": "coefficient"}], incentive),
        "promotion": p("Promotion points", "Promotion points from appraisal grades.", [{"points_table": "promotion_points", "education_deduction": {"max_percent": 2}}], promotion),
        "grade_change": p(
            "Grade changes",
            "Promotion and demotion between role grades and the base pay after them.",
            [{"order": ["K4", "K3", "K2", "K1"], "grade_field": "role_grade", "new_grade_field": "new_role_grade", "base_field": "base_pay", "new_base_field": "new_base_pay"}],
            obj(
                {
                    "order": p("Order", "The role grades, lowest first.", [["K4", "K3", "K2", "K1"]], arr(ref("code"), minItems=2, uniqueItems=True)),
                    "grade_field": p("Grade field", "Employee field: the role grade held.", ["role_grade"], ref("name")),
                    "new_grade_field": p("New grade field", "Employee field: the role grade after the change.", ["new_role_grade"], ref("name")),
                    "job_grade_field": p("Job grade field", "Employee field: the role grade of the job held.", ["job_grade"], ref("name")),
                    "demote_to_job_grade": p("Demote to the job's grade", "Holding a job of a lower grade demotes to that grade.", [True], {"type": "boolean"}),
                    "base_field": p("Base pay field", "Employee field: the base pay before the change.", ["base_pay"], ref("name")),
                    "new_base_field": p("New base pay field", "Employee field: the base pay after the change.", ["new_base_pay"], ref("name")),
                    "promotion_raise_min": p("Least promotion raise", "Formula over the employee's fields: the least raise of base pay on promotion.", ["promotion_raise_standard / 3"], ref("formula")),
                    "demotion_keeps_base_pay": p("Base pay kept on demotion", "On demotion the base pay stays as it was.", [True], {"type": "boolean"}),
                },
                required=["order", "grade_field", "new_grade_field", "base_field", "new_base_field"],
            ),
        ),
    }
)

# ---------------------------------------------------------------- top level
MINI_INPUTS = {"employee": {"id": {"type": "string", "label": {"en": "Employee number"}}}, "indicator": {"weight": {"type": "decimal", "label": {"en": "Weight"}}}}
top = {
    "hrpolicy": p("Language version", "Version of the policy language: the integer 1.", [1], {"const": 1}),
    "metadata": p("Metadata", "Id, names, version, effective period, default rounding and sources.", [{"id": "japan_mbo", "name": {"en": "Japanese MBO"}, "version": "2026.1", "effective": {"from": "2026-04-01"}, "rounding": {"mode": "half_up", "places": 2}}], metadata),
    "inputs": p("Inputs", "Fields an employee record, a goal-sheet line and a run supply.", [MINI_INPUTS], inputs),
    "scales": p("Scales", "Named rating scales.", [{"s_to_d": {"levels": [{"code": "S", "points": 100}, {"code": "A", "points": 80}]}}], idmap(scale)),
    "indicator_rules": p("Indicator rules", "Categories, counts, weight bands, exceptions, difficulty and required goal fields.", [{"count": {"min": 5, "max": 8}, "weight": {"min": 5, "max": 30, "total": 100}}], indicator_rules),
    "tables": p("Tables", "Named lookup tables (1-D or 2-D).", [{"promotion_points": {"keys": {"name": "grade", "keys": ["I", "II"]}, "values": {"I": 10, "II": 8}}}], idmap(table)),
    "formulas": p("Formulas", "Named computed values per goal line and per person.", [{"employee": {"score": {"expr": "sum(weighted)"}}}], formulas),
    "grade_tables": p("Grade tables", "Absolute grade thresholds, per segment.", [{"pass_fail": {"input": "score", "segments": {"all": {"bands": [{"grade": "pass", "min": 60}, {"grade": "fail", "max": 60}]}}}}], idmap(grade_table)),
    "distributions": p("Distributions", "Relative (forced) grade distributions.", [{"performance": {"scale": "i_to_v", "score": "performance_score", "quotas": {"I": 10, "II": 20, "III": 40, "IV": 20, "V": 10}}}], idmap(distribution)),
    "periods": p("Periods", "Evaluation periods, their blend weights and the blended formula.", [{"midterm": {"weight": 10}, "final": {"weight": 90}, "blend": "score"}], periods),
    "evaluator_chains": p("Evaluator chains", "Who evaluates whom, stage by stage.", [{"default": {"stages": [{"id": "first", "evaluator": "manager", "mode": "absolute"}]}}], idmap(chain)),
    "confirmations": p("Confirmations", "Ratings that need a confirmation.", [{"o_needs_executive": {"when": "rating == 'O'", "requires": {"stage": "second", "evaluator_level": "executive"}}}], idmap(confirmation)),
    "record_requirements": p("Record requirements", "What an employee's record must hold besides the goal sheet: fields, agreements signed by a stage's evaluator or the employee, dates in a window, checks.", [{"goal_agreement": {"parties": [{"field": "goals_agreed_by", "stage": "first"}, {"field": "goals_agreed_by_employee", "self": True}]}}], idmap(record_requirement)),
    "workflows": p("Workflows", "Calendar, objections and goal changes.", [{"calendar": {"weekend": ["sat", "sun"]}}], workflows),
    "job_evaluation": p("Job evaluation", "Point tables, panels and job-grade bands.", [{"levels": 5, "point_tables": {"managerial": {"factors": [{"id": "problem_solving", "weight": 100, "points": [190, 162, 137, 117, 99]}]}}}], job_evaluation),
    "committees": p("Committees", "Quorum and decision rules by committee.", [{"job_evaluation_committee": {"opens_when": "present * 2 > registered", "passes_when": "yes * 2 > present - recused"}}], idmap(committee)),
    "pay": p("Pay", "Pay mix, pay ranges, merit matrix, incentive pool and promotion points.", [{"currency": "KRW", "mix": {"base": 90, "variable": 10}}], pay),
}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://hrpolicy.dev/schema/policy.schema.json",
    "title": "hrpolicy policy",
    "description": "An organisation's HR evaluation rulebook in the hrpolicy policy language, version 1 (see docs/policy-language.md).",
    **obj(top, required=["hrpolicy", "metadata", "inputs"]),
    "$defs": defs,
}

HERE = pathlib.Path(__file__).resolve().parent
PACKAGED = HERE.parent / "engine" / "schemas"
text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
targets = [pathlib.Path(sys.argv[1])] if len(sys.argv) > 1 else [HERE / "policy.schema.json", PACKAGED / "policy.schema.json"]
for target in targets:
    target.write_text(text, encoding="utf-8")
if len(sys.argv) == 1:
    shutil.copyfile(HERE / "records.schema.json", PACKAGED / "records.schema.json")
    shutil.copyfile(HERE / "policy-test.schema.json", PACKAGED / "policy-test.schema.json")
