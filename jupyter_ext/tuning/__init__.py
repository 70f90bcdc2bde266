"""Hyperparameter tuning: HyperparameterTuner and its ranges, strategies and analytics."""

from __future__ import annotations

from .analytics import HyperparameterTuningJobAnalytics
from .parameters import CategoricalParameter, ContinuousParameter, IntegerParameter, ParameterRange
from .strategies import STRATEGIES, get_strategy
from .tuner import HyperparameterTuner, TuningJobCompletionCriteriaConfig, WarmStartConfig, WarmStartTypes

__all__ = [
    "CategoricalParameter",
    "ContinuousParameter",
    "HyperparameterTuner",
    "HyperparameterTuningJobAnalytics",
    "IntegerParameter",
    "ParameterRange",
    "STRATEGIES",
    "TuningJobCompletionCriteriaConfig",
    "WarmStartConfig",
    "WarmStartTypes",
    "get_strategy",
]
