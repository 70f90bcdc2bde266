"""`smdebug.pytorch`: jupyter_ext's torch Hook and its configuration under smdebug's names.

    import smdebug.pytorch as smd
    hook = smd.Hook.create_from_json_file()     # or smd.get_hook(create_if_not_exists=True)
    hook.register_module(model)
    hook.register_loss(loss_fn)
    hook.set_mode(smd.modes.TRAIN)
"""

from __future__ import annotations

from jupyter_ext.debugger import (
    Collection, CollectionKeys, Hook, ReductionConfig, SaveConfig, SaveConfigMode, create_trial, del_hook, get_hook,
    modes, set_hook,
)

__all__ = ["Collection", "CollectionKeys", "Hook", "ReductionConfig", "SaveConfig", "SaveConfigMode", "create_trial",
           "del_hook", "get_hook", "modes", "set_hook"]
