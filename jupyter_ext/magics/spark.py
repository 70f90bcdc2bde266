"""`%livy`: the embedded Livy gateway from a notebook, and sparkmagic pointed at it.

    %livy serve [--port 0] [--master local[*]] [--conf KEY=VALUE]...
    %load_ext sparkmagic.magics
    %spark add -s demo -l python -u {livy_url}     (sparkmagic's own %spark)
    %livy status | stop | configure [--url URL]

Named `%livy` so it never clashes with sparkmagic's `%spark`/`%%spark`/`%%sql`.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from ..errors import ValidationError
from . import parse_argstring, parse_pairs

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
    """`%livy serve|stop|status|configure`."""

    gateway: Any = None

    @magic_arguments()
    @argument("action", choices=["serve", "stop", "status", "configure"])
    @argument("--port", type=int, default=0, help="gateway port (0: any free port)")
    @argument("--master", default="local[*]", help="spark.master of sessions and batches")
    @argument("--conf", action="append", default=[], help="a Spark setting KEY=VALUE")
    @argument("--url", help="Livy URL for configure (default: this kernel's gateway, or the configured one)")
    @line_magic
    def livy(self, line: str) -> None:
        """Serve Livy from this kernel (`serve`, `stop`), show it (`status`), or point
        sparkmagic at a Livy URL (`configure`). `serve` sets `livy_url` in the notebook,
        configures sparkmagic for unattended runs and makes it PySparkProcessor's default."""
        args = parse_argstring(self.livy, line)
        getattr(self, f"_{args.action}")(args)

    def _serve(self, args: Any) -> None:
        from ..spark import LivyGateway

        if self.gateway is not None:
            raise ValidationError(f"A gateway already serves {self.gateway.url}; `%livy stop` it first.")
        conf = parse_pairs(args.conf, "--conf")
        self.gateway = LivyGateway(port=args.port, master=args.master, conf=conf).start()
        self._saved_config = _read_config()
        atexit.register(self._restore_config)  # the gateway dies with the kernel: so does its config
        self._configure_for(self.gateway.url)
        print(f"Livy gateway on {self.gateway.url} (spark.master {args.master}); sparkmagic configured "
              "until `%livy stop` or the kernel's end")

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

    def _configure_for(self, url: str) -> None:
        from ..spark import configure_sparkmagic

        configure_sparkmagic(url)
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
        from ..spark.overview import describe_livy

        overview = describe_livy(self.gateway.url if self.gateway else args.url)
        if not overview.reachable:
            print(f"Livy at {overview.url}: unreachable ({overview.message})")
            return
        print(f"Livy {overview.version} at {overview.url}: {len(overview.sessions)} session(s), "
              f"{len(overview.batches)} batch(es)")
        for session in overview.sessions:
            print(f"  session {session.id} {session.name or ''} {session.kind} {session.state}")
        for batch in overview.batches:
            print(f"  batch {batch.id} {batch.name or ''} {batch.state}")

    def _configure(self, args: Any) -> None:
        from ..spark import default_livy_url

        url = args.url or (self.gateway.url if self.gateway else default_livy_url())
        self._configure_for(url)
        print(f"sparkmagic now uses Livy at {url}")
