"""`smdebug.trials`: reading a run's tensors back."""

from __future__ import annotations

from jupyter_ext.debugger.trial import StepState, Trial, create_trial

__all__ = ["StepState", "Trial", "create_trial"]
