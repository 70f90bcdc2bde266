"""A small torch multi-layer perceptron with scikit-learn's estimator interface, so it fits
in a candidate pipeline (after scaling and one-hot encoding) and pickles with it."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

__all__ = ["TorchMLPClassifier", "TorchMLPRegressor"]


class _TorchMLP(BaseEstimator):
    """Full-batch Adam on a ReLU network; one thread, CPU, seeded."""

    def __init__(self, hidden: int = 64, layers: int = 2, learning_rate: float = 1e-3,
                 weight_decay: float = 1e-4, epochs: int = 200, seed: int = 0) -> None:
        self.hidden, self.layers, self.learning_rate = hidden, layers, learning_rate
        self.weight_decay, self.epochs, self.seed = weight_decay, epochs, seed

    def _network(self, inputs: int, outputs: int) -> Any:
        import torch

        parts: list[Any] = []
        width = inputs
        for _ in range(int(self.layers)):
            parts += [torch.nn.Linear(width, int(self.hidden)), torch.nn.ReLU()]
            width = int(self.hidden)
        return torch.nn.Sequential(*parts, torch.nn.Linear(width, outputs))

    def _train(self, features: np.ndarray, targets: Any, outputs: int, loss: Any) -> None:
        import torch

        torch.set_num_threads(1)
        torch.manual_seed(int(self.seed))
        x = torch.as_tensor(np.asarray(features, dtype=np.float32))
        self.network_ = self._network(x.shape[1], outputs)
        optimizer = torch.optim.Adam(self.network_.parameters(), lr=float(self.learning_rate),
                                     weight_decay=float(self.weight_decay))
        for _ in range(int(self.epochs)):
            optimizer.zero_grad()
            value = loss(self.network_(x), targets)
            value.backward()
            optimizer.step()
        self.network_.eval()

    def _forward(self, features: np.ndarray) -> Any:
        import torch

        with torch.no_grad():
            return self.network_(torch.as_tensor(np.asarray(features, dtype=np.float32)))


class TorchMLPClassifier(ClassifierMixin, _TorchMLP):
    """MLP classifier (cross-entropy)."""

    def fit(self, features: np.ndarray, labels: Any) -> TorchMLPClassifier:
        import torch

        self.classes_, indices = np.unique(np.asarray(labels), return_inverse=True)
        self._train(features, torch.as_tensor(indices, dtype=torch.long), len(self.classes_),
                    torch.nn.functional.cross_entropy)
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        import torch

        return torch.softmax(self._forward(features), dim=1).numpy()

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(features).argmax(axis=1)]


class TorchMLPRegressor(RegressorMixin, _TorchMLP):
    """MLP regressor (mean squared error on a standardised target)."""

    def fit(self, features: np.ndarray, targets: Any) -> TorchMLPRegressor:
        import torch

        values = np.asarray(targets, dtype=np.float32)
        self.mean_, self.scale_ = float(values.mean()), float(values.std() or 1.0)
        scaled = torch.as_tensor((values - self.mean_) / self.scale_).reshape(-1, 1)
        self._train(features, scaled, 1, torch.nn.functional.mse_loss)
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self._forward(features).numpy().ravel() * self.scale_ + self.mean_
