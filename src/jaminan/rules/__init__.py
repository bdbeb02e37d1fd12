"""jaminan.rules: dated parameters and calculations by name (shared/spec/calculations.md).

Pure Python: nothing here imports Django or the rest of the project.
"""

from jaminan.rules.core import RulesError, UnknownCalculation
from jaminan.rules.registry import calculate, catalogue

__all__ = ["RulesError", "UnknownCalculation", "calculate", "catalogue"]
