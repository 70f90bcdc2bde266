"""Small real models for the serving tests: scikit-learn, torch and entry-point scripts."""

from __future__ import annotations

import tarfile
import textwrap
from pathlib import Path

import numpy

FEATURES = numpy.random.RandomState(0).rand(200, 3)
LABELS = (FEATURES[:, 0] + FEATURES[:, 1] > 1).astype(int)


def pack(folder: Path, *files: Path) -> Path:
    """A model.tar.gz in `folder` holding `files` at the top level."""
    archive = folder / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=path.name)
    return archive


def sklearn_model(folder: Path, width: int = 3) -> tuple[Path, object]:
    """A logistic regression on `width` numeric features (3: FEATURES), packed; and the fitted model."""
    import joblib
    from sklearn.linear_model import LogisticRegression

    folder.mkdir(parents=True, exist_ok=True)
    features = FEATURES if width == 3 else numpy.random.RandomState(0).rand(200, width)
    model = LogisticRegression().fit(features, (features[:, 0] + features[:, 1] > 1).astype(int))
    joblib.dump(model, folder / "model.joblib")
    return pack(folder, folder / "model.joblib"), model


def script(folder: Path, name: str, text: str) -> Path:
    """A dedented entry-point script."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


CONSTANT = """
    import json

    def model_fn(model_dir):
        return {value!r}

    def predict_fn(data, model):
        if data == [[-1]] or data == [-1]:
            raise RuntimeError("the model cannot take -1")
        return [model] * len(data)
"""
