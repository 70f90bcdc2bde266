"""An instance of an endpoint's variant: `python -m jupyter_ext.serving.run_instance FD`.

The endpoint process starts it holding one end of a socket pair (descriptor FD) and
sends it the variant's containers. It loads them, answers `ready` (or the error that
stopped the model loading), then answers requests one at a time until the endpoint
closes the socket. It listens on no port: only the endpoint that started it reaches it.
SIGTERM and SIGINT are ignored, so requests in flight are answered while the endpoint
shuts down; the socket closing ends it.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .frames import error_body, message, receive
from .handlers import ContainerChain, load_chain
from .payloads import JSON, PayloadError

__all__ = ["main", "answer", "FAULT_VARIABLE"]

FAULT_VARIABLE = "JUPYTER_EXT_FAULT"  # jobs.faults.FAULT_VARIABLE


def _fault_point() -> Callable[[str, str], None]:
    """jobs.faults.fault_point when a fault is asked for, else nothing: importing the jobs
    package would add a tenth of a second to every instance's start."""
    if FAULT_VARIABLE not in os.environ:
        return lambda point, name: None
    from ..jobs.faults import fault_point

    return fault_point


def answer(chain: ContainerChain, header: dict[str, Any], body: bytes) -> tuple[dict[str, Any], bytes]:
    """One request's answer: (header with status, content type and model latency in ms, body).
    A request the model cannot take is a 4xx; the model's own failure a 500 with its message."""
    started = time.perf_counter()
    try:
        result, kind = chain.invoke(body, header.get("content_type"), header.get("accept"))
    except PayloadError as error:
        code = "UnsupportedMediaType" if error.status == 415 else "ValidationError"
        return {"status": error.status, "content_type": JSON}, error_body(code, str(error))
    except Exception as error:  # the model's own failure: 500 with its message, and serve on
        traceback.print_exc()
        sys.stderr.flush()
        return {"status": 500, "content_type": JSON}, error_body("ModelError", f"{type(error).__name__}: {error}")
    return {"status": 200, "content_type": kind, "latency_ms": (time.perf_counter() - started) * 1000}, result


def _load(link: socket.socket, stream: Any) -> tuple[ContainerChain, str] | None:
    first = receive(stream)
    if first is None:
        return None
    header, _ = first
    try:
        chain = load_chain(header["containers"], Path(header["scratch"]))
    except Exception as error:
        traceback.print_exc()
        sys.stderr.flush()
        link.sendall(message({"error": f"{type(error).__name__}: {error}"}))
        return None
    link.sendall(message({"ready": True, "pid": os.getpid()}))
    return chain, header["instance"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of an instance process."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        sys.exit("usage: python -m jupyter_ext.serving.run_instance FD (started by an endpoint process)")
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)
    link = socket.socket(fileno=int(args[0]))
    stream = link.makefile("rb")
    try:
        loaded = _load(link, stream)
        if loaded is None:
            return 1
        chain, instance = loaded
        fault_point = _fault_point()
        while (request := receive(stream)) is not None:
            fault_point("instance-invoked", instance)
            link.sendall(message(*answer(chain, *request)))
    except (BrokenPipeError, ConnectionError):  # the endpoint is gone
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
