"""SageMaker's built-in algorithms, run here with their open-source packages.

The built-in XGBoost algorithm (a training job of the `sagemaker-xgboost` image without a
`sagemaker_program` script) trains with the xgboost package (`pip install xgboost-cpu`, or
`jupyter_ext[xgboost]`): xgboost_algorithm.py is its program, xgboost_data.py its input
formats. Serving its `xgboost-model` is jupyter_ext.serving's.
"""

from __future__ import annotations

from .xgboost_algorithm import CHANNELS, ENTRY_SCRIPT, metric_definitions, metric_names, training_parameters
from .xgboost_data import AlgorithmInputError, ChannelData, content_format, parse_libsvm, read_channel

__all__ = ["CHANNELS", "ENTRY_SCRIPT", "metric_definitions", "metric_names", "training_parameters",
           "AlgorithmInputError", "ChannelData", "content_format", "parse_libsvm", "read_channel"]
