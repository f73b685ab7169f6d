"""The safe formula language: parse once, check names and types against a scope, compile to
exact Decimal code, fuse a sheet's formulas into one function, explain with values substituted."""

from engine.formula.codegen import Generator
from engine.formula.compiler import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_EXPR_LENGTH,
    MAX_STRING,
    Column,
    CompiledFormula,
    FormulaError,
    FormulaProblem,
    FormulaRuntimeError,
    FunctionSpec,
    check_formula,
    compile_formula,
    fast_or_checked,
    find_cycle,
    names_used,
    reference_interpreter,
)
from engine.formula.flat import FlatFunction, FlatGrade, FlatPlan, RecordFuser
from engine.formula.fuse import FuseStep, SheetFuser, SheetPlan
from engine.formula.parse import parse
from engine.formula.scopes import MEETING_FIELDS, RECORD_FIELDS, formula_scope, table_axes
from engine.formula.types import Scope

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_EXPR_LENGTH",
    "MAX_STRING",
    "MEETING_FIELDS",
    "RECORD_FIELDS",
    "Column",
    "CompiledFormula",
    "FlatFunction",
    "FlatGrade",
    "FlatPlan",
    "FormulaError",
    "FormulaProblem",
    "FormulaRuntimeError",
    "FunctionSpec",
    "FuseStep",
    "Generator",
    "RecordFuser",
    "Scope",
    "SheetFuser",
    "SheetPlan",
    "check_formula",
    "compile_formula",
    "fast_or_checked",
    "find_cycle",
    "formula_scope",
    "names_used",
    "parse",
    "reference_interpreter",
    "table_axes",
]
