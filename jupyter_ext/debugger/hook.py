"""The torch Hook: smdebug's API and decisions, writing smdebug's on-disk format.

    hook = Hook.create_from_json_file()      # in a job started with debugger_hook_config
    hook.register_module(model)
    hook.register_loss(loss_fn)

Each forward of the registered root module starts a step; tensors of collections whose
save config selects that step are copied and handed to the writer thread.
"""

from __future__ import annotations

import atexit
import os
import re
import warnings
import weakref
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .config import (
    SCALAR_COLLECTIONS, Collection, ModeKeys, ReductionConfig, SaveConfig, default_collections,
)
from .hook_config import hook_arguments, hook_config_given, read_hook_config
from .tensorboard import TensorBoardWriter
from .writer import EventWriter, StepBuffer

__all__ = ["Hook", "DEFAULT_INCLUDE_COLLECTIONS", "get_hook", "set_hook", "del_hook"]

DEFAULT_INCLUDE_COLLECTIONS = ("losses",)


def _check_out_dir(out_dir: str | os.PathLike[str]) -> Path:
    path = Path(out_dir).expanduser().resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ValidationError(
            f"out_dir {path} is already used by another run; smdebug never merges runs. "
            "Give a new (or empty) out_dir."
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


class Hook:
    """smdebug's torch hook: saves weights, biases, gradients, losses, module inputs and
    outputs and scalars by collection, per SaveConfig, as full tensors or reductions.

    With `tensorboard_dir` (or `export_tensorboard`, which means `<out_dir>/tensorboard`), the
    saved losses, metrics and `save_scalar` values are TensorBoard scalars there too.

    Raises ValidationError for an out_dir already used, an unknown collection name, or a
    bad regex; warns at close about include_regex patterns that matched no tensor.
    """

    def __init__(self, out_dir: str | os.PathLike[str], export_tensorboard: bool = False,
                 tensorboard_dir: str | None = None, dry_run: bool = False,
                 reduction_config: ReductionConfig | None = None, save_config: SaveConfig | None = None,
                 include_regex: list[str] | str | None = None,
                 include_collections: list[str | Collection] | None = None, save_all: bool = False,
                 include_workers: str = "one", collections: list[Collection] | None = None) -> None:
        self.out_dir = _check_out_dir(out_dir)
        self.dry_run = dry_run
        self.tensorboard_dir = (Path(tensorboard_dir).expanduser() if tensorboard_dir
                                else self.out_dir / "tensorboard" if export_tensorboard else None)
        self.save_config = save_config or SaveConfig()
        self.reduction_config = reduction_config or ReductionConfig(save_raw_tensor=True)
        self.collections = default_collections()
        for collection in collections or []:
            self.collections[collection.name] = collection
        self.collections["default"].include(include_regex or [])
        self.include_regex = [include_regex] if isinstance(include_regex, str) else list(include_regex or [])
        wanted = list(include_collections or DEFAULT_INCLUDE_COLLECTIONS)
        wanted += ["default"] if self.include_regex else []
        wanted += ["all"] if save_all else []
        wanted += [c.name for c in collections or []]
        self.included: dict[str, Collection] = {}
        for item in wanted:
            self._include(item)
        self.step, self.mode = -1, ModeKeys.GLOBAL
        self.mode_steps: dict[ModeKeys, int] = {}
        self._active: list[Collection] = []
        self._membership: dict[str, list[Collection]] = {}
        self._buffer: StepBuffer | None = None
        self._root: Any = None
        self._seen: set[str] = set()
        self.worker = "worker_0"
        tensorboard = None if self.tensorboard_dir is None or dry_run else TensorBoardWriter(
            self.tensorboard_dir, f"{os.getpid()}_{self.worker}")
        self._writer = EventWriter(self.out_dir, self.worker, self._collections_json, dry_run, tensorboard)
        self._closed = False
        atexit.register(_close_at_exit, weakref.ref(self))
        global _hook
        _hook = _hook or self  # the first hook made is the process's, for get_hook()

    # --- configuration -------------------------------------------------------------

    def _include(self, item: str | Collection) -> None:
        if isinstance(item, Collection):
            self.collections[item.name] = item
            self.included[item.name] = item
            return
        if item not in self.collections:
            raise ValidationError(
                f"Unknown collection {item!r}; valid names: {', '.join(sorted(self.collections))}. "
                "Make your own with hook.get_collection(name).include(regex)."
            )
        self.included[item] = self.collections[item]

    def get_collection(self, name: str) -> Collection:
        """The collection `name`, created (and saved) if it does not exist yet."""
        if name not in self.collections:
            self.collections[name] = Collection(name)
        self.included.setdefault(name, self.collections[name])
        self._membership.clear()
        return self.collections[name]

    def get_collections(self) -> dict[str, Collection]:
        """Every collection by name."""
        return dict(self.collections)

    def add_collection(self, collection: Collection) -> None:
        """Add (and save) a user collection."""
        self._include(collection)
        self._membership.clear()

    def set_mode(self, mode: ModeKeys) -> None:
        """Switch to TRAIN, EVAL or PREDICT (each counts its own steps)."""
        if not isinstance(mode, ModeKeys):
            raise ValidationError(f"mode must be one of modes.TRAIN, modes.EVAL, modes.PREDICT; got {mode!r}.")
        self.mode = mode

    @classmethod
    def create_from_json_file(cls, json_file_path: str | None = None) -> Hook:
        """The hook a job's debugger config describes: `json_file_path`, else
        $SMDEBUG_CONFIG_FILE_PATH, else the job's input/config/debughookconfig.json."""
        return cls(**hook_arguments(read_hook_config(json_file_path)))

    # --- torch ---------------------------------------------------------------------

    def register_module(self, module: Any) -> None:
        """Watch `module`: each forward starts a step; parameters, gradients and submodule
        inputs/outputs are saved as their collections say."""
        import torch

        if not isinstance(module, torch.nn.Module):
            raise ValidationError(f"register_module needs a torch.nn.Module; got {type(module).__name__}.")
        if self._root is not None:
            raise ValidationError("This hook has a module registered already; use one hook per model.")
        self._root, self._root_name = module, type(module).__name__
        module.register_forward_pre_hook(lambda *_: self._start_step())
        for name, sub in module.named_modules():
            if sub is not module:
                sub.register_forward_hook(self._module_hook(name))
        for name, parameter in module.named_parameters():
            if parameter.requires_grad:
                parameter.register_hook(self._gradient_hook(f"gradient/{self._root_name}_{name}"))

    def register_loss(self, loss_module: Any) -> None:
        """Save the loss module's output (tensor `<LossClass>_output_0`) in `losses`."""
        import torch

        if not isinstance(loss_module, torch.nn.modules.loss._Loss):
            raise ValidationError(f"register_loss needs a torch loss module (nn.MSELoss(), ...); got {type(loss_module).__name__}.")
        loss_module.register_forward_hook(self._module_hook(type(loss_module).__name__))

    def _module_hook(self, name: str) -> Any:
        def hook(_module: Any, inputs: Any, outputs: Any) -> None:
            if not self._active:
                return
            for index, tensor in enumerate(_tensors(inputs)):
                self._save(f"{name}_input_{index}", tensor)
            for index, tensor in enumerate(_tensors(outputs)):
                self._save(f"{name}_output_{index}", tensor)
        return hook

    def _gradient_hook(self, name: str) -> Any:
        def hook(gradient: Any) -> None:
            if self._active:
                self._save(name, gradient)
        return hook

    # --- steps and saving ----------------------------------------------------------

    def _include_module_tensors(self) -> None:
        """Collections given modules with add_module_tensors get those modules' tensor names."""
        names = {id(m): (n or self._root_name) for n, m in self._root.named_modules()}
        for collection in self.collections.values():
            for module, inputs, outputs in getattr(collection, "_modules", []):
                if id(module) not in names:
                    raise ValidationError(f"Collection {collection.name}: add_module_tensors got a module that is "
                                          "not part of the registered model.")
                kinds = [k for k, wanted in (("input", inputs), ("output", outputs)) if wanted]
                collection.include([f"^{re.escape(names[id(module)])}_{kind}_" for kind in kinds])
        self._membership.clear()

    def _start_step(self) -> None:
        if self.step < 0:
            self._include_module_tensors()
        self._flush()
        self.step += 1
        self.mode_steps[self.mode] = self.mode_steps.get(self.mode, -1) + 1
        mode_step = self.mode_steps[self.mode]
        self._active = [c for c in self.included.values()
                        if (c.save_config or self.save_config).should_save(self.mode, mode_step)]
        if self._active:
            self._buffer = StepBuffer(self.step, self.mode, mode_step)
            for name, parameter in self._root.named_parameters():
                self._save(f"{self._root_name}_{name}", parameter)

    def _flush(self) -> None:
        if self._buffer is not None:
            self._writer.submit(self._buffer)
        self._buffer, self._active = None, []

    def _members(self, name: str) -> list[Collection]:
        members = self._membership.get(name)
        if members is None:
            members = self._membership[name] = [c for c in self.included.values() if c.matches(name)]
        return members

    def _save(self, name: str, tensor: Any, collections: list[Collection] | None = None) -> None:
        buffer = self._buffer
        if buffer is None or name in buffer.names:
            return
        chosen = [c for c in (collections or self._members(name)) if c in self._active]
        if not chosen:
            return
        reductions: set[tuple[str, bool]] = set()
        raw = False
        for collection in chosen:
            collection.add_tensor_name(name)
            config = collection.reduction_config or self.reduction_config
            if collection.name in SCALAR_COLLECTIONS or not config.names():
                raw = True
            else:
                raw = raw or config.save_raw_tensor
                reductions.update(config.names())
        self._seen.add(name)
        buffer.names.add(name)
        if any(c.name in SCALAR_COLLECTIONS for c in chosen):
            buffer.summaries.add(name)
        buffer.items.append((name, tensor.detach().to("cpu", copy=True), sorted(reductions), raw))

    def save_scalar(self, name: str, value: float, sm_metric: bool = False, timestamp: float | None = None) -> None:
        """Save a number as tensor `scalar/<name>` at the current step (every step)."""
        import numpy as np

        array = np.asarray(value, dtype=np.float64).reshape(())
        if self._buffer is None:
            self._buffer = StepBuffer(max(self.step, 0), self.mode, max(self.mode_steps.get(self.mode, 0), 0))
        full = f"scalar/{name}"
        self.collections["scalars"].add_tensor_name(full)
        if full not in self._buffer.names:
            self._buffer.names.add(full)
            self._buffer.summaries.add(full)
            self._buffer.items.append((full, array, [], True))

    def save_tensor(self, tensor_name: str, tensor_value: Any, collections_to_write: str | list[str] = "default") -> None:
        """Save any tensor under `tensor_name` in the named collections, if they save this step."""
        import torch

        names = [collections_to_write] if isinstance(collections_to_write, str) else list(collections_to_write)
        chosen = [self.get_collection(n) for n in names]
        if self._buffer is not None and set(chosen) & set(self._active):
            self._save(tensor_name, torch.as_tensor(tensor_value), chosen)

    def close(self) -> None:
        """Write the last step, the collections file and the end-of-training marker."""
        if self._closed:
            return
        self._closed = True
        self._flush()
        self._writer.close()
        for regex in self.include_regex:
            if self._seen and not any(re.search(regex, name) for name in self._seen):
                warnings.warn(f"include_regex {regex!r} matched no tensor; check the tensor names "
                              f"(e.g. {sorted(self._seen)[:3]}).", stacklevel=2)

    def _collections_json(self) -> dict[str, Any]:
        return {"collections": {name: c.to_json(self.save_config, self.reduction_config)
                                for name, c in self.collections.items()},
                "_meta": {"num_workers": 1}}


# The process's hook, as smdebug keeps one: what get_hook() returns.
_hook: Hook | None = None


def get_hook(json_config_path: str | None = None, create_if_not_exists: bool = False) -> Hook | None:
    """The process's hook: the first one made (or the one given to set_hook). With
    `create_if_not_exists`, one is made from the job's debugger config when the job has
    one; without a config (no debugger_hook_config), None, as in smdebug."""
    if _hook is None and create_if_not_exists and hook_config_given(json_config_path):
        Hook.create_from_json_file(json_config_path)
    return _hook


def set_hook(custom_hook: Hook) -> None:
    """Make `custom_hook` the process's hook (what get_hook returns)."""
    global _hook
    if not isinstance(custom_hook, Hook):
        raise ValidationError(f"set_hook needs a Hook; got {type(custom_hook).__name__}.")
    _hook = custom_hook


def del_hook() -> None:
    """Forget the process's hook (get_hook returns None until another is made)."""
    global _hook
    _hook = None


def _tensors(value: Any) -> list[Any]:
    import torch

    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [v for v in value if isinstance(v, torch.Tensor)]
    return []


def _close_at_exit(reference: weakref.ref[Hook]) -> None:
    hook = reference()
    if hook is not None:
        hook.close()
