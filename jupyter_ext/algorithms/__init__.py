"""SageMaker's built-in algorithms, run here with their open-source packages.

The built-in XGBoost algorithm (a training job of the `sagemaker-xgboost` image without a
`sagemaker_program` script) trains with the xgboost package (`pip install xgboost-cpu`, or
`jupyter_ext[xgboost]`): run_xgboost.py is its program, xgboost_hyperparameters.py its
hyperparameters and metrics, xgboost_data.py its input formats. Serving its
`xgboost-model` is jupyter_ext.serving's (builtin_xgboost.py).
"""

from __future__ import annotations

from .run_xgboost import ENTRY_SCRIPT, MODEL_FILE
from .xgboost_data import AlgorithmInputError, ChannelData, content_format, parse_libsvm, read_channel
from .xgboost_hyperparameters import CHANNELS, metric_definitions, metric_names, training_parameters

__all__ = ["CHANNELS", "ENTRY_SCRIPT", "MODEL_FILE", "metric_definitions", "metric_names", "training_parameters",
           "AlgorithmInputError", "ChannelData", "content_format", "parse_libsvm", "read_channel"]
