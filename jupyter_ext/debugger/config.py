"""What a hook saves and when: modes, SaveConfig, ReductionConfig and collections, with
smdebug's names, defaults and decision rule."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ..errors import ValidationError

__all__ = ["modes", "ModeKeys", "SaveConfigMode", "SaveConfig", "ReductionConfig", "Collection", "CollectionKeys",
           "ALLOWED_REDUCTIONS", "ALLOWED_NORMS", "SCALAR_COLLECTIONS", "default_collections",
           "BUILTIN_COLLECTIONS"]


class ModeKeys(IntEnum):
    """Training phases; each has its own step count. GLOBAL is the default."""

    TRAIN = 1
    EVAL = 2
    PREDICT = 3
    GLOBAL = 4


modes = ModeKeys

ALLOWED_REDUCTIONS = ("min", "max", "mean", "std", "variance", "sum", "prod")
ALLOWED_NORMS = ("l1", "l2")
SCALAR_COLLECTIONS = ("losses", "metrics", "sm_metrics", "feature_importance", "average_shap")

# Built-in collections and their regexes (searched anywhere in a tensor name).
BUILTIN_COLLECTIONS: dict[str, list[str]] = {
    "all": [".*"], "default": [], "weights": ["^(?!gradient).*weight"], "biases": ["^(?!gradient).*bias"],
    "gradients": ["^gradient"], "losses": ["[Ll]oss_(?!input).*output"],
    "inputs": ["_input_"], "outputs": ["_output_"], "relu_output": [".*relu_output"],
    "relu_input": [".*relu_input"], "tanh_input": [".*tanh_input"], "sigmoid_input": [".*sigmoid_input"],
    "scalars": ["^scalar/"], "metrics": [], "sm_metrics": [],
}


class CollectionKeys:
    """smdebug's names for the built-in collections: `CollectionKeys.WEIGHTS == "weights"`."""

    ALL, DEFAULT, WEIGHTS, BIASES, GRADIENTS, LOSSES = "all", "default", "weights", "biases", "gradients", "losses"
    INPUTS, OUTPUTS, SCALARS, METRICS, SM_METRICS = "inputs", "outputs", "scalars", "metrics", "sm_metrics"
    RELU_OUTPUT, RELU_INPUT, TANH_INPUT, SIGMOID_INPUT = "relu_output", "relu_input", "tanh_input", "sigmoid_input"


@dataclass
class SaveConfigMode:
    """When to save in one mode: every `save_interval` mode steps in [start_step, end_step),
    plus the steps in `save_steps`. The interval counts from 0, not from start_step."""

    save_interval: int = 500
    start_step: int = 0
    end_step: int | None = None
    save_steps: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.save_interval = _whole(self.save_interval, "save_interval", 1)
        self.start_step = _whole(self.start_step, "start_step", 0)
        if self.end_step is not None:
            self.end_step = _whole(self.end_step, "end_step", 0)
        self.save_steps = [_whole(s, "save_steps", 0) for s in self.save_steps or []]

    def should_save(self, step: int) -> bool:
        """smdebug's rule: in save_steps, or in range and on the interval."""
        if step in self.save_steps:
            return True
        in_range = self.start_step <= step and (self.end_step is None or step < self.end_step)
        return in_range and step % self.save_interval == 0

    def to_json(self) -> dict[str, Any]:
        """The collections file's form of this config."""
        return {"save_interval": self.save_interval, "save_steps": list(self.save_steps),
                "start_step": self.start_step, "end_step": self.end_step}


def _whole(value: Any, what: str, low: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number < low or (isinstance(value, float) and value != number):
        raise ValidationError(f"SaveConfig {what} must be a whole number >= {low}; got {value!r}.")
    return number


class SaveConfig:
    """Per-mode save configs: `SaveConfig(save_interval=100)` for every mode, or
    `SaveConfig(mode_save_configs={modes.TRAIN: SaveConfigMode(save_interval=1)})`;
    modes left out take the other arguments (default: every 500 steps from step 0)."""

    def __init__(self, mode_save_configs: Mapping[Any, SaveConfigMode | Mapping[str, Any]] | None = None,
                 save_interval: int | None = None, start_step: int | None = None,
                 end_step: int | None = None, save_steps: Iterable[int] | None = None) -> None:
        base = {k: v for k, v in (("save_interval", save_interval), ("start_step", start_step),
                                  ("end_step", end_step), ("save_steps", list(save_steps or []))) if v is not None}
        self.modes: dict[ModeKeys, SaveConfigMode] = {mode: SaveConfigMode(**base) for mode in ModeKeys}
        for key, config in (mode_save_configs or {}).items():
            mode = _mode(key)
            self.modes[mode] = config if isinstance(config, SaveConfigMode) else SaveConfigMode(**{**base, **config})

    def should_save(self, mode: ModeKeys, mode_step: int) -> bool:
        """Whether `mode_step` of `mode` is saved."""
        return self.modes[mode].should_save(mode_step)

    def to_json(self) -> dict[str, Any]:
        """`{"TRAIN": {...}, "EVAL": ..., "PREDICT": ..., "GLOBAL": ...}`."""
        return {mode.name: self.modes[mode].to_json() for mode in ModeKeys}

    def __repr__(self) -> str:
        return f"SaveConfig({ {m.name: v for m, v in self.modes.items()} })"


def _mode(key: Any) -> ModeKeys:
    if isinstance(key, ModeKeys):
        return key
    try:
        return ModeKeys[str(key).upper()]
    except KeyError:
        raise ValidationError(f"Unknown mode {key!r}; choose one of: {', '.join(m.name for m in ModeKeys)}.") from None


@dataclass
class ReductionConfig:
    """Save reductions of tensors instead of (or beside, with save_raw_tensor) the tensors.

    `reductions` from min, max, mean, std, variance, sum, prod; `norms` from l1, l2;
    `abs_*` apply to absolute values. Each is saved as `smdebug/reductions/<red>/<tensor>`.
    """

    reductions: list[str] = field(default_factory=list)
    abs_reductions: list[str] = field(default_factory=list)
    norms: list[str] = field(default_factory=list)
    abs_norms: list[str] = field(default_factory=list)
    save_raw_tensor: bool = False
    save_shape: bool = False

    def __post_init__(self) -> None:
        for what, names, allowed in (("reduction", self.reductions + self.abs_reductions, ALLOWED_REDUCTIONS),
                                     ("norm", self.norms + self.abs_norms, ALLOWED_NORMS)):
            for name in names:
                if name not in allowed:
                    raise ValidationError(f"Unknown {what} {name!r}; choose from: {', '.join(allowed)}.")

    @classmethod
    def from_string(cls, text: str, save_raw_tensor: bool = False, save_shape: bool = False) -> ReductionConfig:
        """`"mean,l1_norm,abs_max,abs_l2_norm"` → a ReductionConfig."""
        parts: dict[str, list[str]] = {"reductions": [], "abs_reductions": [], "norms": [], "abs_norms": []}
        for item in filter(None, (p.strip() for p in text.split(","))):
            absolute = item.startswith("abs_")
            base = item[4:] if absolute else item
            kind = "norms" if base.endswith("_norm") else "reductions"
            parts[("abs_" if absolute else "") + kind].append(base[:-5] if kind == "norms" else base)
        return cls(**parts, save_raw_tensor=save_raw_tensor, save_shape=save_shape)

    def names(self) -> list[tuple[str, bool]]:
        """(reduction name as saved, absolute) pairs: norms are named `l1`/`l2`."""
        return ([(r, False) for r in self.reductions + self.norms]
                + [(r, True) for r in self.abs_reductions + self.abs_norms])

    def to_json(self) -> dict[str, Any]:
        """The collections file's form."""
        text = ",".join([*self.reductions, *(f"{n}_norm" for n in self.norms),
                         *(f"abs_{r}" for r in self.abs_reductions), *(f"abs_{n}_norm" for n in self.abs_norms)])
        return {"save_raw_tensor": self.save_raw_tensor, "reductions": text, "save_shape": self.save_shape}


class Collection:
    """A named group of tensors: regexes (searched in tensor names) and explicit names, with
    optional own save and reduction configs (else the hook's)."""

    def __init__(self, name: str, include_regex: Iterable[str] | None = None,
                 save_config: SaveConfig | None = None, reduction_config: ReductionConfig | None = None) -> None:
        self.name = name
        self.include_regex: list[str] = []
        self.tensor_names: set[str] = set()
        self.save_config, self.reduction_config = save_config, reduction_config
        for regex in include_regex or []:
            self.include(regex)

    def include(self, regex: str | Iterable[str]) -> None:
        """Add one regex (or several) to the collection."""
        for item in [regex] if isinstance(regex, str) else list(regex):
            try:
                re.compile(item)
            except re.error as error:
                raise ValidationError(f"Collection {self.name}: {item!r} is not a valid regex ({error}).") from None
            if item not in self.include_regex:
                self.include_regex.append(item)
        self._patterns = [re.compile(r) for r in self.include_regex]

    def matches(self, tensor_name: str) -> bool:
        """Whether the tensor belongs here (by regex or by name)."""
        return tensor_name in self.tensor_names or any(p.search(tensor_name) for p in getattr(self, "_patterns", []))

    def add_tensor_name(self, name: str) -> None:
        """Put one tensor in the collection by name."""
        self.tensor_names.add(name)

    def add_module_tensors(self, module: Any, inputs: bool = False, outputs: bool = True) -> None:
        """Save a registered module's inputs and/or outputs (matched by its name at run time)."""
        self._modules = [*getattr(self, "_modules", []), (module, inputs, outputs)]

    def to_json(self, save_config: SaveConfig, reduction_config: ReductionConfig) -> dict[str, Any]:
        """The collections file's entry."""
        return {"name": self.name, "include_regex": list(self.include_regex),
                "tensor_names": sorted(self.tensor_names),
                "reduction_config": (self.reduction_config or reduction_config).to_json(),
                "save_config": (self.save_config or save_config).to_json(), "save_histogram": True}

    def __repr__(self) -> str:
        return f"Collection({self.name!r}, include_regex={self.include_regex})"


def default_collections() -> dict[str, Collection]:
    """A fresh set of the built-in collections."""
    return {name: Collection(name, regexes) for name, regexes in BUILTIN_COLLECTIONS.items()}
