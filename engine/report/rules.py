"""The catalogue of rule ids ``validate`` reports: a short name and a help text per rule.

Machine-readable reports (SARIF's ``tool.driver.rules``, JUnit's failure types) describe each
rule once from here; the golden cases under ``tests/cases/invalid/`` hold one failing policy
per rule id, and a test keeps this catalogue and the checks in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import UNREADABLE


@dataclass(frozen=True)
class RuleInfo:
    """What a rule id means (``short``) and how to satisfy it (``help``)."""

    short: str
    help: str


def _r(short: str, help_text: str) -> RuleInfo:
    return RuleInfo(short, help_text)


RULES: dict[str, RuleInfo] = {
    # Reading the file (engine.loader)
    "yaml-alias-bomb": _r(
        "Aliases expand the document too far", "Write the repeated part with fewer aliases."
    ),
    "yaml-ambiguous-word": _r(
        "Unquoted yes/no/on/off", "Quote the word if you mean text, or write true/false for a boolean."
    ),
    "yaml-bom": _r(
        "Byte order mark inside the file",
        "Remove the byte order mark; only the file's first character may be one.",
    ),
    "yaml-duplicate-key": _r("Duplicate mapping key", "Keep one entry per key."),
    "yaml-empty": _r("Empty document", "Start from 'hrpolicy init' or write the policy's sections."),
    "yaml-encoding": _r("File is not UTF-8", "Save the file as UTF-8."),
    "yaml-key-type": _r("Mapping key is not a string", "Quote the key to make it a string."),
    "yaml-multiple-documents": _r("More than one YAML document", "Keep one document per file."),
    "yaml-non-finite": _r("Infinite or NaN number", "Write a finite number."),
    "yaml-number-range": _r(
        "Number out of range", "Use at most 100 characters and a decimal exponent between -100 and 100."
    ),
    "yaml-syntax": _r(
        "YAML syntax error", "Fix the YAML at the position shown (indentation, colons, quotes)."
    ),
    "yaml-tag": _r("Tag not allowed", "Remove the tag; a policy holds plain data only."),
    "yaml-too-deep": _r("Document nests too deep", "Flatten the structure (at most 100 levels)."),
    "yaml-too-large": _r("File too large", "Split the policy; a policy file holds at most 2 MiB."),
    # Shape (JSON Schema, engine.schema)
    "schema-enum": _r("Value is not one of the allowed values", "Use one of the values the message lists."),
    "schema-format": _r("Value has the wrong format", "Write the value in the format named (e.g. a date)."),
    "schema-invalid": _r("Shape not allowed", "Follow the schema's description of this key."),
    "schema-missing-key": _r("Required key missing", "Add the key the message names."),
    "schema-pattern": _r("Value does not match the pattern", "Reshape the value as the message says."),
    "schema-range": _r("Number out of range", "Use a number within the bounds the message gives."),
    "schema-size": _r("Too few or too many items", "Give as many items as the message says."),
    "schema-type": _r("Value of the wrong type", "Write a value of the type the message names."),
    "schema-unknown-key": _r("Unknown key", "Fix the spelling (see the suggestion) or remove the key."),
    # Meaning (engine.checks)
    "chain-condition": _r(
        "Evaluator chain condition is invalid", "Write the chain's when as a valid formula."
    ),
    "count-bounds": _r("Count min greater than max", "Swap min and max."),
    "count-category-total": _r(
        "Category counts cannot meet the total", "Make the categories' bounds reach the sheet's total bounds."
    ),
    "count-fixed": _r("Too many fixed indicators", "Raise the category's max or drop a fixed indicator."),
    "distribution-merge-keys": _r(
        "Merging needs one organisation key", "List every group_by key but the organisation under merge.keep."
    ),
    "distribution-option": _r("Distribution option invalid", "Use one of the options the schema lists."),
    "distribution-quota-sum": _r(
        "Distribution quotas do not add up to 100", "Make the quotas add up to 100."
    ),
    "distribution-scale": _r("Distribution scale has no codes", "Give the scale its level codes."),
    "distribution-unknown-grade": _r(
        "Distribution names a grade its scale lacks", "Use the scale's level codes."
    ),
    "duplicate-id": _r("Id declared twice", "Give each item its own id."),
    "formula-arity": _r("Wrong number of arguments", "Call the function with the arguments it takes."),
    "formula-bad-literal": _r("Literal out of bounds", "Write a smaller number."),
    "formula-cycle": _r("Formulas form a cycle", "One formula of the cycle must not need the next."),
    "formula-forbidden": _r(
        "Construct not allowed in formulas", "Use only the formula language's operators."
    ),
    "formula-syntax": _r("Formula syntax error", "Fix the formula at the column shown."),
    "formula-too-deep": _r("Formula nests too deep", "Split it into named formulas."),
    "formula-too-long": _r("Formula too long", "Split it into named formulas."),
    "formula-type": _r("Formula types do not fit", "Give the operator values of the kind it needs."),
    "formula-unknown-function": _r("Unknown function", "Use a function the formula language provides."),
    "formula-unknown-name": _r(
        "Unknown name", "Use a declared input, parameter or formula (see the suggestion)."
    ),
    "formula-unknown-ref": _r("Unknown table or scale", "Name a declared table (see the suggestion)."),
    "grade-gap": _r(
        "Values fall in no grade band", "Make each band end where the next starts, or round first."
    ),
    "grade-order": _r("Grade bands out of order", "List the bands from the highest values to the lowest."),
    "grade-overlap": _r("Grade bands overlap", "Make each band end where the one above starts."),
    "grade-unknown": _r("Grade is not a level of its scale", "Use a level code of the scale."),
    "pay-incentive-rounding": _r(
        "Incentive rounding can exceed the pool", "Round incentive shares down (mode: down or floor)."
    ),
    "pay-mix-target": _r(
        "Pay mix target is not a component of the mix", "Name a component of pay.mix with a share above 0."
    ),
    "pay-range-spread": _r("Pay range spread out of bounds", "Set upper / lower within the declared spread."),
    "pay-zone-bounds": _r("Pay zone bounds do not rise", "List the zone bounds from low to high."),
    "points-levels": _r(
        "Point table has the wrong number of levels", "Give one value per level, level 1 first."
    ),
    "points-monotone": _r("Points do not fall with the level", "List the points from level 1 down."),
    "policy-modeline": _r(
        "No yaml-language-server modeline",
        "Make the first line '# yaml-language-server: $schema=<path or URL of policy.schema.json>'.",
    ),
    "ref-unknown": _r("Unknown reference", "Name a declared item (see the suggestion)."),
    "scale-duplicate-code": _r("Scale lists a code twice", "Give each level its own code."),
    "segment-when": _r("Segment can never apply", "Move the catch-all segment last."),
    "table-extra-cell": _r("Table cell for an unknown key", "Declare the key or remove the value."),
    "table-missing-cell": _r("Table cell missing", "Add the missing value."),
    "weight-band": _r("Weight band min greater than max", "Swap min and max."),
    "weight-band-infeasible": _r(
        "Weights can never add up to the total", "Raise weight.max or allow more indicators."
    ),
    "weight-sum": _r("Weights or quotas do not add up to 100", "Adjust one of them as the suggestion says."),
    "workflow-calendar": _r("Calendar has no working day", "List only the days off."),
    "workflow-calendar-country": _r(
        "No public-holiday calendar for the country",
        "Use an ISO 3166 code the holidays package supports (KR, JP).",
    ),
    "workflow-date": _r(
        "Period or window date is not a day",
        "Write YYYY-MM-DD or MM-DD, and end a window on or after its start.",
    ),
}

RULES[UNREADABLE] = _r("File cannot be read", "Check that the path exists and is a readable file.")


RULES["test-failed"] = _r(
    "A policy test's expectation does not hold",
    "Fix the policy, or the expectation if the policy is right (the message says what differs).",
)
RULES["test-file"] = _r("The policy test file is malformed", "Write the test file as the message says.")


def rule_info(rule: str) -> RuleInfo:
    """The catalogue entry of ``rule``; a rule missing from it still gets a usable description."""
    return RULES.get(rule) or RuleInfo(rule, f"See the message of rule '{rule}'.")
