"""`%livy`: the embedded Livy gateway from a notebook, and sparkmagic pointed at it.

    %livy serve [--port 0] [--master local[*]] [--conf KEY=VALUE]...
    %load_ext sparkmagic.magics
    %spark add -s demo -l python -u {livy_url}     (sparkmagic's own %spark)
    %livy status | stop | token | configure [--url URL]

The verbs and options are `jupyter-ext livy`'s (jupyter_ext.commands.livy); in a kernel,
serve, stop, status and configure act on a gateway served from the kernel. Named `%livy`
so it never clashes with sparkmagic's `%spark`/`%%spark`/`%%sql`.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from ..commands.livy import LIVY, gateway_options, install_kernel, print_overview, serve_detached, token_line
from ..errors import ValidationError
from .dispatch import run_table

__all__ = ["LivyMagics"]


def _read_config() -> str | None:
    from ..spark import sparkmagic_config_path

    path = sparkmagic_config_path()
    return path.read_text() if path.exists() else None


def _reload_sparkmagic_config() -> None:
    """sparkmagic caches its config on first use; forget it so the new file is read."""
    configuration = sys.modules.get("sparkmagic.utils.configuration")
    if configuration is not None:
        configuration.override_all({})


@magics_class
class LivyMagics(Magics):
    """`%livy serve|stop|status|token|configure`."""

    gateway: Any = None

    @line_magic
    def livy(self, line: str) -> None:
        """Serve Livy from this kernel (`serve`, `stop`), show it (`status`), or point
        sparkmagic at a Livy URL (`configure`). `serve` sets `livy_url` in the notebook,
        configures sparkmagic for unattended runs and makes it PySparkProcessor's default;
        `serve --detach` starts a gateway that outlives the kernel, as `jupyter-ext livy
        serve --detach` does. Callers need the gateway's token (`%livy token`); sparkmagic and
        our clients send it themselves. `%livy VERB -h` lists a verb's options."""
        handlers = {"serve": self._serve, "stop": self._stop, "status": self._status, "configure": self._configure}
        return run_table(LIVY, line, self.shell, handlers=handlers)

    def _serve(self, args: Any) -> None:
        from ..spark import LivyGateway

        if args.detach:
            serve_detached(args, show_token=False)  # notebook outputs get saved and shared
            return
        if self.gateway is not None:
            raise ValidationError(f"A gateway already serves {self.gateway.url}; `%livy stop` it first.")
        self.gateway = LivyGateway(**gateway_options(args)).start()
        self._saved_config = _read_config()
        atexit.register(self._restore_config)  # the gateway dies with the kernel: so does its config
        self._configure_for(self.gateway.url)
        print(f"Livy gateway on {self.gateway.url} (spark.master {args.master}); sparkmagic configured "
              "until `%livy stop` or the kernel's end")
        if self.gateway.token:  # not the token itself: notebook outputs get kept and shared
            print(token_line(False))

    def _restore_config(self) -> None:
        """sparkmagic's config as it was before `%livy serve` (removed if there was none)."""
        from ..spark import sparkmagic_config_path

        path, saved = sparkmagic_config_path(), getattr(self, "_saved_config", False)
        if saved is False:
            return
        self._saved_config = False
        atexit.unregister(self._restore_config)
        if saved is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(saved)
        _reload_sparkmagic_config()

    def _configure_for(self, url: str, args: Any = None) -> None:
        from ..spark import configure_sparkmagic

        if args is None:
            configure_sparkmagic(url)
        else:
            configure_sparkmagic(url, args.config, headless=not args.interactive,
                                 username=args.username, password=args.password)
        _reload_sparkmagic_config()
        os.environ["JUPYTER_EXT_LIVY_URL"] = url
        self.shell.user_ns["livy_url"] = url

    def _stop(self, args: Any) -> None:
        if self.gateway is None:
            raise ValidationError("No gateway runs in this kernel; start one with `%livy serve`.")
        gateway, self.gateway = self.gateway, None
        gateway.stop()
        self._restore_config()
        if os.environ.get("JUPYTER_EXT_LIVY_URL") == gateway.url:
            del os.environ["JUPYTER_EXT_LIVY_URL"]
        print(f"Stopped the Livy gateway at {gateway.url} and its sessions; sparkmagic's config is as before")

    def _status(self, args: Any) -> None:
        print_overview(args.url or (self.gateway.url if self.gateway else None))

    def _configure(self, args: Any) -> None:
        from ..spark import default_livy_url

        url = args.url or (self.gateway.url if self.gateway else default_livy_url())
        self._configure_for(url, args)
        print(f"sparkmagic now uses Livy at {url}")
        install_kernel(args)
