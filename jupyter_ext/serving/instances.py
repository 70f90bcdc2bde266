"""The instances of an endpoint's variant (SageMaker's `initial_instance_count`): processes
that each load the variant's model and answer one request at a time, behind the
endpoint's one port.

The endpoint process hands each request to the instance of its variant that has been
idle longest, or queues it until one is free. An instance that dies (SIGKILL, a crash in
the model) is noticed at once — its socket closes, its process ends — and another is
started in its place; the request it was answering goes back to the head of the queue
and a live instance of the same variant answers it, so the client sees no failure. A
request during which `ATTEMPTS` instances died in a row is answered 500 instead (a model
that crashes on it). Instances hold one end of a socket pair and listen on no port:
nothing but their endpoint reaches them.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..jobs.process import spawn_child
from .frames import error_body, message, read_message
from .payloads import JSON

__all__ = ["ATTEMPTS", "Instance", "InstancePool"]

ATTEMPTS = 3
# Seconds before each try at replacing a dead instance; the last one repeats.
_RESTART_DELAYS = (0.0, 1.0, 5.0, 15.0, 30.0)
_STOP_SECONDS = 10.0
_Answer = tuple[dict[str, Any], bytes]


class _Died(Exception):
    """The instance's connection closed while it had a request: it died."""


class _Unavailable(Exception):
    """No instance of the variant runs, and none could be started."""


def _failure(reason: str) -> _Answer:
    return {"status": 500, "content_type": JSON}, error_body("ModelError", reason)


class Instance:
    """One instance process: its name (`<variant>-<n>`), process, connection and scratch folder."""

    def __init__(self, name: str, process: subprocess.Popen[bytes], reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, scratch: Path) -> None:
        self.name, self.process, self.scratch = name, process, scratch
        self.reader, self.writer = reader, writer
        self.started_at = time.time()
        self.invocations = 0
        self.alive = True
        self.retiring = False

    async def call(self, header: dict[str, Any], body: bytes) -> _Answer:
        """Send one request and await its answer; _Died if the instance is gone."""
        try:
            self.writer.write(message(header, body))
            return await read_message(self.reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            raise _Died from None

    def summary(self) -> dict[str, Any]:
        """What DescribeEndpoint shows of this instance."""
        return {"instance_name": self.name, "pid": self.process.pid, "invocations": self.invocations,
                "started_at": self.started_at}


class InstancePool:
    """The instances of variant `variant` of endpoint `endpoint` serving `containers`
    (each unpacks them under `scratch`/<instance name>), and the requests waiting for one.

    `on_change()` is called in the event loop whenever an instance joins or leaves.
    Every method runs in the endpoint's event loop.
    """

    def __init__(self, endpoint: str, variant: str, containers: list[dict[str, Any]], scratch: Path,
                 on_change: Callable[[], None]) -> None:
        self.endpoint, self.variant, self.containers, self.scratch = endpoint, variant, containers, scratch
        self.on_change = on_change
        self.instances: list[Instance] = []  # alive and answering, the retiring ones too
        self.idle: deque[Instance] = deque()
        self.waiters: deque[asyncio.Future[Instance]] = deque()
        self.desired = 0
        self.replacing = 0
        self.numbered = 0
        self.failure: str | None = None  # why the last try at starting an instance failed
        self.tasks: set[asyncio.Task[None]] = set()

    def serving(self) -> list[Instance]:
        """The instances that take requests (not the retiring ones)."""
        return [i for i in self.instances if not i.retiring]

    async def invoke(self, header: dict[str, Any], body: bytes) -> _Answer:
        """An instance's answer to one request, retried on another instance if its instance dies."""
        for attempt in range(ATTEMPTS):
            try:
                instance = await self._acquire(retry=attempt > 0)
            except _Unavailable as error:
                return _failure(f"No instance of variant {self.variant} runs: {error}")
            try:
                answer = await instance.call(header, body)
            except _Died:
                self._lost(instance)
                continue
            except BaseException:  # cancelled mid-request: its answer would reach the next request
                instance.process.kill()
                self._lost(instance)
                raise
            instance.invocations += 1
            self._release(instance)
            return answer
        return _failure(f"{ATTEMPTS} instances of variant {self.variant} died while answering this request; the "
                        "model may crash on it (see the endpoint's log).")

    async def _acquire(self, retry: bool) -> Instance:
        if self.idle:
            return self.idle.popleft()
        if not self.serving() and (self.failure or not self.replacing):
            raise _Unavailable(self.failure or "every instance ended")
        waiter: asyncio.Future[Instance] = asyncio.get_running_loop().create_future()
        (self.waiters.appendleft if retry else self.waiters.append)(waiter)  # a retried request goes first
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())
            elif waiter in self.waiters:
                self.waiters.remove(waiter)
            raise

    def _release(self, instance: Instance) -> None:
        if not instance.alive:
            return
        while self.waiters and self.waiters[0].done():
            self.waiters.popleft()
        if self.waiters and (not instance.retiring or not self.serving()):  # retiring ones drain a closed pool
            self.waiters.popleft().set_result(instance)
        elif instance.retiring:
            self._stop(instance)
        else:
            self.idle.append(instance)

    async def grow(self, count: int) -> None:
        """At least `count` instances: start the missing ones and return once they answer.
        ValidationError with the model's error if one fails to load (no new one is kept then)."""
        missing = count - len(self.serving()) - self.replacing
        if missing > 0:
            results = await asyncio.gather(*(self._start() for _ in range(missing)), return_exceptions=True)
            started = [r for r in results if isinstance(r, Instance)]
            if len(started) < missing:
                for instance in started:
                    self._stop(instance)
                raise next(r for r in results if not isinstance(r, Instance))
            for instance in started:
                self._join(instance)
        self.desired = max(self.desired, count)
        self._replenish()

    def shrink(self, count: int) -> None:
        """At most `count` instances (0 closes the pool): idle ones end now, busy ones once
        they have answered; requests already queued here are still answered."""
        self.desired = count
        extra = len(self.serving()) - count
        for instance in [*self.idle, *(i for i in self.serving() if i not in self.idle)][:max(0, extra)]:
            instance.retiring = True
            if instance in self.idle:
                self._stop(instance)
        self.on_change()

    async def shutdown(self) -> None:
        """End every instance (they are idle once the server stopped) and wait for them."""
        processes = [i.process for i in self.instances]
        self.shrink(0)
        for task in list(self.tasks):
            task.cancel()
        for instance in list(self.instances):
            self._stop(instance)
        await asyncio.to_thread(_wait_all, processes)

    async def _start(self) -> Instance:
        self.numbered += 1
        name = f"{self.variant}-{self.numbered}"
        ours, theirs = socket.socketpair()
        try:
            process = spawn_child([sys.executable, "-m", "jupyter_ext.serving.run_instance", str(theirs.fileno())],
                                  pass_fds=[theirs.fileno()])
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        instance = Instance(name, process, reader, writer, self.scratch / name)
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._watch, args=(instance, loop), name=f"watch-{name}", daemon=True).start()
        try:
            writer.write(message({"containers": self.containers, "scratch": str(instance.scratch),
                                  "instance": f"{self.endpoint}/{name}"}))
            header, _ = await read_message(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            status = await asyncio.to_thread(process.wait)
            header = {"error": f"Instance {name} exited (status {status}) before its model was loaded; see the "
                               "endpoint's log."}
        if "error" in header:
            self._stop(instance)
            raise ValidationError(header["error"])
        print(f"Instance {name} (pid {process.pid}) of variant {self.variant} serves", file=sys.stderr, flush=True)
        return instance

    def _watch(self, instance: Instance, loop: asyncio.AbstractEventLoop) -> None:
        """Wait for the instance's process to end (in a thread), then tell the pool."""
        status = instance.process.wait()
        shutil.rmtree(instance.scratch, ignore_errors=True)
        try:
            loop.call_soon_threadsafe(self._lost, instance, status)
        except RuntimeError:  # the loop is closed: the endpoint is ending
            pass

    def _join(self, instance: Instance) -> None:
        if instance.alive:
            self.instances.append(instance)
            self.failure = None
            self.on_change()
            self._release(instance)

    def _stop(self, instance: Instance) -> None:
        """End an instance on purpose: closing its socket ends it once it has answered."""
        instance.alive = False
        self._remove(instance)
        instance.writer.close()

    def _remove(self, instance: Instance) -> None:
        if instance in self.instances:
            self.instances.remove(instance)
            self.on_change()
        if instance in self.idle:
            self.idle.remove(instance)

    def _lost(self, instance: Instance, status: int | None = None) -> None:
        """An instance died (its socket closed, or its process ended): replace it."""
        if not instance.alive:
            return  # ended on purpose, or noticed already
        instance.alive = False
        self._remove(instance)
        instance.writer.close()
        how = f" with status {status}" if status is not None else ""
        print(f"Instance {instance.name} (pid {instance.process.pid}) of variant {self.variant} ended{how}; "
              "its requests go to the other instances", file=sys.stderr, flush=True)
        self._replenish()
        if not self.serving() and not self.replacing:
            self._fail_waiters(f"instance {instance.name} ended")

    def _replenish(self) -> None:
        for _ in range(self.desired - len(self.serving()) - self.replacing):
            self.replacing += 1
            task = asyncio.get_running_loop().create_task(self._replace())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _replace(self) -> None:
        """Start an instance in place of one that died, trying again (later each time) until one serves."""
        try:
            for attempt in range(sys.maxsize):
                await asyncio.sleep(_RESTART_DELAYS[min(attempt, len(_RESTART_DELAYS) - 1)])
                if len(self.serving()) >= self.desired:
                    return
                try:
                    instance = await self._start()
                except Exception as error:
                    self.failure = str(error)
                    print(f"Variant {self.variant}: could not start another instance ({error}); trying again",
                          file=sys.stderr, flush=True)
                    if not self.serving():
                        self._fail_waiters(self.failure)
                    continue
                if len(self.serving()) >= self.desired:
                    self._stop(instance)
                else:
                    self._join(instance)
                return
        finally:
            self.replacing -= 1

    def _fail_waiters(self, reason: str) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_exception(_Unavailable(reason))


def _wait_all(processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + _STOP_SECONDS
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
