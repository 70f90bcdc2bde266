"""Serving the built-in XGBoost algorithm's `xgboost-model` as its container does, with the
xgboost package.

Requests: `text/csv` (no header, no label column) and `text/libsvm` (`text/x-libsvm`); JSON,
JSON Lines and NPY rows too. Answers: `text/csv` when the request asks for nothing else
(or for `*/*`; `SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT` changes that) with one score per line
(a record's class probabilities on one line for multi:softprob); `application/json` as
`{"predictions": [{"score": 0.93}, ...]}`; `application/jsonlines` one such record a line.
The model file is what xgboost's `save_model` writes (UBJSON or JSON), or a pickled Booster
(SageMaker's 0.90 images); XGBoost's old binary format, which xgboost 3.1 stopped reading,
fails naming it.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .payloads import CSV, JSON, JSONLINES, PayloadError, base_type, decode

__all__ = ["XGBOOST_MODEL", "model_fn", "input_fn", "predict_fn", "output_fn"]

XGBOOST_MODEL = "xgboost-model"
LIBSVM = "text/libsvm"
_LIBSVM_TYPES = ("text/libsvm", "text/x-libsvm")
_ACCEPTS = (CSV, JSON, JSONLINES)


def _xgboost() -> Any:
    try:
        import xgboost
    except ImportError:
        raise ValidationError(f"The model artifact holds {XGBOOST_MODEL} (SageMaker's built-in XGBoost algorithm), "
                              "and serving it needs the xgboost package: pip install xgboost-cpu "
                              "(or pip install xgboost)") from None
    return xgboost


def model_fn(model_dir: Path | str) -> Any:
    """The Booster in `model_dir/xgboost-model`."""
    xgboost = _xgboost()
    data = (Path(model_dir) / XGBOOST_MODEL).read_bytes()
    booster = xgboost.Booster()
    try:
        booster.load_model(bytearray(data))
        return booster
    except xgboost.core.XGBoostError as error:
        native_error = error
    try:
        loaded = pickle.loads(data)  # SageMaker's older XGBoost images pickle the Booster
    except Exception:
        loaded = None
    if isinstance(loaded, xgboost.Booster):
        return loaded
    raise ValidationError(f"{XGBOOST_MODEL} cannot be read by xgboost {xgboost.__version__}: it is neither a model "
                          "save_model wrote (JSON/UBJSON) nor a pickled Booster; a model in XGBoost's old binary "
                          "format (xgboost < 2.0 with no .json file name) must be saved again as JSON with an "
                          f"older xgboost. ({str(native_error).strip().splitlines()[0]})")


def input_fn(body: bytes, content_type: str | None) -> Any:
    """The request as a DMatrix (CSV, libsvm) or as rows (JSON, JSON Lines, NPY)."""
    kind = base_type(content_type) or CSV  # the container reads a request without a type as CSV
    if kind in _LIBSVM_TYPES:
        from ..algorithms import AlgorithmInputError, parse_libsvm

        try:
            return parse_libsvm(body.decode("utf-8").splitlines(), "The libsvm payload", labelled=False).features
        except (AlgorithmInputError, UnicodeDecodeError) as error:
            raise PayloadError(str(error)) from None
    return decode(body, kind)


def _dense(data: Any) -> Any:
    """Rows (CSV's, with None for an empty cell; JSON's; an array) as a float32 matrix, NaN missing."""
    import numpy

    rows = data.tolist() if hasattr(data, "tolist") else data
    if not isinstance(rows, list) or rows and not isinstance(rows[0], (list, tuple)):
        rows = [rows]  # one record
    try:
        return numpy.asarray([[numpy.nan if v is None else v for v in row] for row in rows], dtype="float32")
    except (TypeError, ValueError) as error:
        raise PayloadError(f"The payload is not numeric: {error}.") from None


def predict_fn(data: Any, booster: Any) -> Any:
    """The booster's predictions for the records (every tree, or up to the best iteration)."""
    xgboost = _xgboost()
    if hasattr(data, "tocsr"):
        data = data.tocsr()
        width = booster.num_features()
        if data.shape[1] > width:
            raise PayloadError(f"The libsvm records have {data.shape[1]} features; the model takes {width}.")
        data.resize((data.shape[0], width))
    else:
        data = _dense(data)
        if data.ndim != 2 or data.shape[1] != booster.num_features():
            raise PayloadError(f"The model takes {booster.num_features()} features per record (no label column); "
                               f"got shape {list(data.shape)}.")
    best = booster.attr("best_iteration")
    window = (0, int(best) + 1) if best is not None else (0, 0)
    return booster.predict(xgboost.DMatrix(data), iteration_range=window, validate_features=False)


def output_fn(prediction: Any, accept: str | None) -> tuple[bytes, str]:
    """The predictions as the container answers them in `accept`."""
    kind = base_type(accept) if accept and accept != "*/*" else ""
    kind = kind or base_type(os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT")) or CSV
    if kind not in _ACCEPTS:
        raise PayloadError(f"Accept {accept!r} is not supported; ask for one of: {', '.join(_ACCEPTS)}.", status=406)
    values = prediction.tolist()
    if kind == CSV:
        lines = [",".join(map(str, v)) if isinstance(v, list) else str(v) for v in values]
        if not os.environ.get("SAGEMAKER_BATCH") and not any(isinstance(v, list) for v in values):
            return ",".join(lines).encode(), CSV  # an endpoint's scores: one line, as the container answers
        return ("\n".join(lines) + "\n").encode(), CSV
    records = [{"score": value} for value in values]
    if kind == JSON:
        return json.dumps({"predictions": records}).encode(), JSON
    return "\n".join(json.dumps(record) for record in records).encode(), JSONLINES
