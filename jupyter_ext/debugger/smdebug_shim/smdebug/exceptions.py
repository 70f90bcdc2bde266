"""`smdebug.exceptions`: what trials and rules raise."""

from __future__ import annotations

from jupyter_ext.debugger.exceptions import (
    MissingCollectionFiles, NoMoreData, RuleEvaluationConditionMet, StepNotYetAvailable, StepUnavailable,
    TensorUnavailable, TensorUnavailableForStep,
)

__all__ = ["MissingCollectionFiles", "NoMoreData", "RuleEvaluationConditionMet", "StepNotYetAvailable",
           "StepUnavailable", "TensorUnavailable", "TensorUnavailableForStep"]
