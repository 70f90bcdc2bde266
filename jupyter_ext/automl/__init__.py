"""AutoML: infer the problem, tune candidate pipelines as training jobs, rank them."""

from __future__ import annotations

from .automl import AutoML
from .problem import OBJECTIVES, PROBLEM_TYPES

__all__ = ["AutoML", "OBJECTIVES", "PROBLEM_TYPES"]
