"""Reading and checking IR text: parsing with source locations, verification that
reports every bad op with where it was written."""

from stepwell.ir.diagnostics import Diagnostic, DiagnosticError
from stepwell.ir.parse import parse_module, verify_module

__all__ = ["Diagnostic", "DiagnosticError", "parse_module", "verify_module"]
