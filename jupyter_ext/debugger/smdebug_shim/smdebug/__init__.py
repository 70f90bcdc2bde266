"""`smdebug` for training jobs whose Python has none: jupyter_ext's debugger under
smdebug's names (SageMaker's PyTorch containers ship smdebug, and scripts import it).

This folder is put last on a training job's PYTHONPATH only when the launching Python
cannot import a real `smdebug`; where one is installed, it is used instead.
"""

from __future__ import annotations

from jupyter_ext.debugger.config import CollectionKeys, ReductionConfig, SaveConfig, SaveConfigMode, modes

__all__ = ["CollectionKeys", "ReductionConfig", "SaveConfig", "SaveConfigMode", "modes"]
