"""How an AutoML model answers requests, as Autopilot's inference containers do.

The serving process loads this file as the model's entry point (AutoML.create_model sets
it). `SAGEMAKER_INFERENCE_OUTPUT` names what each answer carries, in order, from
`predicted_label`, `probability`, `probabilities` and `labels` (default: predicted_label
alone). Answers are CSV unless JSON or JSON Lines is asked for (`Accept`); JSON answers
are `{"predictions": [{"predicted_label": ...}, ...]}`. A record may hold every column of
the training table but the target (the identifier columns AutoML left out included), or
just the columns the model uses; CSV records are in the training table's column order
(a body without a content type, or application/octet-stream, is taken as CSV).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from jupyter_ext.serving.handlers import default_model_fn
from jupyter_ext.serving.payloads import CSV, JSON, JSONLINES, PayloadError, base_type, decode

RESPONSE_KEYS = ("predicted_label", "probability", "probabilities", "labels")
OUTPUT_VARIABLE = "SAGEMAKER_INFERENCE_OUTPUT"
COLUMNS_VARIABLE = "JUPYTER_EXT_AUTOML_INPUT_COLUMNS"
MODE_VARIABLE = "JUPYTER_EXT_AUTOML_MODE"


def response_keys() -> list[str]:
    """The keys each answer carries, from SAGEMAKER_INFERENCE_OUTPUT."""
    text = os.environ.get(OUTPUT_VARIABLE) or "predicted_label"
    return [key.strip() for key in text.split(",") if key.strip()]


def input_fn(body: bytes, content_type: str | None) -> Any:
    """The records in the request; a body sent without a content type (or as
    application/octet-stream, as the SDK's default serializer sends it) is read as CSV,
    which Autopilot's containers take."""
    if not content_type or base_type(content_type) == "application/octet-stream":
        content_type = CSV
    return decode(body, content_type)


def model_fn(model_dir: str) -> Any:
    """The pipeline (or ensemble) in the model artifact."""
    return default_model_fn(Path(model_dir))


def _frame(data: Any, model: Any) -> Any:
    """The records as a DataFrame of the model's columns."""
    import pandas

    used = [str(c) for c in model.feature_names_in_]
    if hasattr(data, "columns"):
        frame = data
    elif isinstance(data, dict) or (isinstance(data, list) and data and isinstance(data[0], dict)):
        frame = pandas.DataFrame(data if isinstance(data, list) else [data])
    else:
        rows = data.tolist() if hasattr(data, "tolist") else data
        rows = [rows] if rows and not isinstance(rows[0], (list, tuple)) else rows
        every = [str(c) for c in json.loads(os.environ.get(COLUMNS_VARIABLE) or "[]")] or used
        if len(rows) > 1 and [str(v) for v in rows[0]] in (every, used):
            rows = rows[1:]  # a header row
        width = len(rows[0]) if rows else 0
        names = every if width == len(every) else used if width == len(used) else None
        if names is None:
            raise PayloadError(f"Each record needs {len(every)} values ({', '.join(every)}) or the model's "
                               f"{len(used)} ({', '.join(used)}); got {width}.")
        frame = pandas.DataFrame(list(rows), columns=names)
    frame.columns = [str(c) for c in frame.columns]
    missing = [c for c in used if c not in frame.columns]
    if missing:
        raise PayloadError(f"Records lack the column(s) {missing}; the model uses {used}.")
    return frame[used]


def predict_fn(data: Any, model: Any) -> list[dict[str, Any]]:
    """One answer per record with the keys SAGEMAKER_INFERENCE_OUTPUT names."""
    keys = response_keys()
    unknown = [k for k in keys if k not in RESPONSE_KEYS]
    if unknown:
        raise PayloadError(f"{OUTPUT_VARIABLE} names unknown key(s) {unknown}; use {', '.join(RESPONSE_KEYS)}.",
                           status=500)
    frame = _frame(data, model)
    try:
        labels = model.predict(frame)
        probabilities = model.predict_proba(frame) if set(keys) - {"predicted_label"} else None
    except (ValueError, TypeError, KeyError) as error:
        raise PayloadError(f"The model cannot take these records: {type(error).__name__}: {error}") from None
    if probabilities is None:
        return [{"predicted_label": _plain(label)} for label in labels]
    classes = [_plain(c) for c in model.classes_]
    # Autopilot's tuned binary models give the positive (second) class's probability; its
    # ensembles, and every multiclass model, the predicted label's.
    positive = len(classes) == 2 and os.environ.get(MODE_VARIABLE) == "HYPERPARAMETER_TUNING"
    answers = []
    for label, row in zip(labels, probabilities):
        values = [float(p) for p in row]
        every = {"predicted_label": _plain(label), "probabilities": values, "labels": classes,
                 "probability": values[1] if positive else max(values)}
        answers.append({key: every[key] for key in keys})
    return answers


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _csv_value(value: Any) -> str:
    text = str(value) if not isinstance(value, list) else str([str(v) if isinstance(v, str) else v for v in value])
    return f'"{text}"' if "," in text else text


def output_fn(answers: list[dict[str, Any]], accept: str | None) -> tuple[str, str]:
    """CSV (one line per record, values in key order) unless JSON or JSON Lines is asked for."""
    kind = base_type(accept) if accept and accept != "*/*" else CSV
    if kind == CSV:
        return "\n".join(",".join(_csv_value(v) for v in answer.values()) for answer in answers) + "\n", CSV
    if kind == JSON:
        return json.dumps({"predictions": answers}), JSON
    if kind == JSONLINES:
        return "\n".join(json.dumps(answer) for answer in answers) + "\n", JSONLINES
    raise PayloadError(f"Accept {accept!r} is not supported by AutoML models; ask for text/csv, "
                       "application/json or application/jsonlines.", status=406)
