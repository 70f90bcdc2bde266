"""smdebug's exceptions, under our error family, with the same names."""

from __future__ import annotations

from ..errors import JupyterExtError, NotFoundError

__all__ = ["TensorUnavailableForStep", "TensorUnavailable", "StepUnavailable", "StepNotYetAvailable",
           "NoMoreData", "RuleEvaluationConditionMet", "MissingCollectionFiles"]


class TensorUnavailableForStep(NotFoundError):
    """The tensor was not saved at that step (or not in the asked form)."""

    def __init__(self, tname: str, step: int, mode: object = None, has_reductions: bool = False) -> None:
        hint = " (only reductions were saved: use reduction_value)" if has_reductions else ""
        super().__init__(f"Tensor {tname} is not available for step {step} of mode {mode}{hint}.")
        self.tname, self.step, self.mode = tname, step, mode


class TensorUnavailable(NotFoundError):
    """No tensor of that name was saved in the trial."""

    def __init__(self, tname: str) -> None:
        super().__init__(f"Tensor {tname} was not saved; trial.tensor_names() lists the saved ones.")
        self.tname = tname


class StepUnavailable(NotFoundError):
    """The step was not saved (and training has gone past it)."""

    def __init__(self, step: int, mode: object = None) -> None:
        super().__init__(f"Step {step} of mode {mode} was not saved.")
        self.step, self.mode = step, mode


class StepNotYetAvailable(JupyterExtError):
    """The step is not written yet; training may still reach it."""

    def __init__(self, step: int, mode: object = None) -> None:
        super().__init__(f"Step {step} of mode {mode} is not available yet.")
        self.step, self.mode = step, mode


class NoMoreData(JupyterExtError):
    """Training has ended: no further steps will come."""


class RuleEvaluationConditionMet(JupyterExtError):
    """A rule found an issue at `step` (raised by `Rule.invoke`)."""

    def __init__(self, rule_name: str, step: int, end_of_rule: bool = False) -> None:
        super().__init__(f"Evaluation of the rule {rule_name} at step {step} resulted in the condition being met")
        self.rule_name, self.step, self.end_of_rule = rule_name, step, end_of_rule


class MissingCollectionFiles(NotFoundError):
    """Training ended without writing a collections file: nothing was saved."""

    def __init__(self, path: str = "") -> None:
        super().__init__(f"No collections file under {path}: the run ended without saving any step. "
                         "Check the hook's save_config and include_collections.")
