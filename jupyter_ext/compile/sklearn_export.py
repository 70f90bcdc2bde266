"""Exporting scikit-learn estimators and pipelines (AutoML's among them) with skl2onnx, and
XGBoost boosters with onnxmltools.

A pipeline fitted on a DataFrame keeps its column names: the ONNX model takes one input
per column, and is served records with those columns. Numbers are float32 in ONNX (what
ONNX Runtime's ML operators take), so tree thresholds can flip a label on a value that
lies on one; the check shows how many.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .exporters import ConversionError, Exporter, first_line

__all__ = ["SklearnExporter", "XGBoostExporter"]

_PICKLES = (".joblib", ".pkl", ".pickle")


def _load_estimator(model_dir: Path) -> Any:
    import joblib

    files = sorted((p for p in model_dir.iterdir() if p.suffix in _PICKLES), key=lambda p: p.name != "model.joblib")
    if not files:
        raise ValidationError("No scikit-learn model in the artifact: give a model.joblib (or *.pkl) of a fitted "
                              "estimator or pipeline.")
    return joblib.load(files[0])


def _draw(count: int, width: int, seed: int) -> Any:
    import numpy

    return numpy.random.default_rng(seed).standard_normal([count, width]).astype("float32")


class SklearnExporter(Exporter):
    """A fitted scikit-learn estimator or pipeline from `model.joblib`."""

    framework = "sklearn"

    def __init__(self, model_dir: Path, code: Mapping[str, Any]) -> None:
        from sklearn.base import is_classifier

        self.model = _load_estimator(model_dir)
        self.classifier = bool(is_classifier(self.model))
        names = getattr(self.model, "feature_names_in_", None)
        self.columns = [str(n) for n in names] if names is not None else None
        self.answer = {"output": None, "flatten": not self.classifier}
        if getattr(getattr(self.model, "classes_", None), "dtype", None) == bool:
            self.answer["bool_labels"] = True  # ONNX labels them 0/1; the answer says True/False as predict does
        self.label_output = 0 if self.classifier else None

    def samples(self, input_shape: Mapping[str, list[int]], count: int, seed: int) -> Any:
        width = getattr(self.model, "n_features_in_", None)
        if width is None and input_shape:
            width = list(input_shape.values())[0][-1]
        if width is None:
            raise ValidationError("The model does not say how many features it takes: give input_shape, "
                                  "e.g. {'input0': [1, 4]}, or sample inputs.")
        drawn = _draw(count, int(width), seed)
        if self.columns:
            import pandas

            return pandas.DataFrame(drawn, columns=self.columns)
        return drawn

    def _typed(self, samples: Any) -> Any:
        """Numbers as float32 (what ONNX Runtime's ML operators take); other columns kept."""
        if hasattr(samples, "columns"):
            numeric = samples.select_dtypes("number").columns
            return samples.astype({c: "float32" for c in numeric})
        return samples.astype("float32")

    def export(self, samples: Any, input_shape: Mapping[str, list[int]]) -> bytes:
        from skl2onnx import to_onnx

        try:
            model = to_onnx(self.model, self._typed(samples[:1]), options={"zipmap": False})
        except Exception as error:
            raise ConversionError(f"skl2onnx cannot convert this model: {first_line(error)}",
                                  hint="Replace the estimator or transformer named by one skl2onnx converts "
                                       "(custom functions such as FunctionTransformer have no converter), or "
                                       "serve the pipeline uncompiled.") from None
        self.answer["output"] = model.graph.output[0].name
        return model.SerializeToString()

    def outputs(self, samples: Any) -> list[Any]:
        typed = self._typed(samples)
        if self.classifier:
            return [self.model.predict(typed), self.model.predict_proba(typed)]
        return [self.model.predict(typed).reshape(len(samples), -1)]


class XGBoostExporter(Exporter):
    """The built-in XGBoost algorithm's Booster (`xgboost-model`), with onnxmltools."""

    framework = "xgboost"

    def __init__(self, model_dir: Path, code: Mapping[str, Any]) -> None:
        from ..serving.builtin_xgboost import model_fn

        self.booster = model_fn(model_dir)
        self.answer = {"output": None, "flatten": True}

    def samples(self, input_shape: Mapping[str, list[int]], count: int, seed: int) -> Any:
        return _draw(count, self.booster.num_features(), seed)

    def export(self, samples: Any, input_shape: Mapping[str, list[int]]) -> bytes:
        try:
            from onnxmltools import convert_xgboost
            from onnxmltools.convert.common.data_types import FloatTensorType
        except ImportError:
            raise ConversionError("Compiling an XGBoost model needs onnxmltools, which is not installed.",
                                  hint="pip install onnxmltools, then compile again.") from None
        try:
            model = convert_xgboost(self.booster, initial_types=[("input", FloatTensorType([None, samples.shape[1]]))])
        except Exception as error:
            raise ConversionError(f"onnxmltools cannot convert this booster: {first_line(error)}",
                                  hint="Serve the booster uncompiled (the built-in XGBoost handlers).") from None
        names = [o.name for o in model.graph.output]
        # A classifier's ONNX model gives (label, probabilities); the booster predicts the probability.
        self.answer = {"output": names[-1], "column": 1 if len(names) > 1 else None, "flatten": True}
        self.classifier = len(names) > 1
        self.label_output = 0 if self.classifier else None
        return model.SerializeToString()

    def outputs(self, samples: Any) -> list[Any]:
        import numpy
        import xgboost

        scores = self.booster.predict(xgboost.DMatrix(samples))
        if not self.classifier:
            return [scores.reshape(len(samples), -1)]
        probabilities = scores if scores.ndim == 2 else numpy.stack([1 - scores, scores], axis=1)
        return [probabilities.argmax(axis=1), probabilities]
