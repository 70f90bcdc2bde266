"""`/opt/ml` inside a job: the program sees its own job folder there, as in a container.

SageMaker scripts often write `/opt/ml/model/...` literally. Each job's program gets a
private mount namespace in which `/opt/ml` is its job folder; nothing changes outside it,
so two jobs at once each see their own, and the host's `/opt` is left as it was.

How: the runner starts this file as a small stdlib-only script (`python -I -S
container_root.py --report-fd N JOB_DIR -- PROGRAM...`); it enters a new mount namespace
with unshare(2) (as root: `CLONE_NEWNS`; otherwise, or where that is refused, a user
namespace too, mapping the caller's own uid and gid to themselves, so the program keeps
its identity and loses the capabilities at exec), makes every mount private (nothing
propagates back to the host), maps `/opt/ml`, and execs the program. The exec keeps the
pid and the process group, so the runner's signals, stop, max_run and exit code reach
the program itself, and its stdout and stderr are the runner's pipes as before.

`/opt/ml` needs a mount point, and creating one in the host's `/opt` would leave a
folder behind. So the script mounts a tmpfs on `/opt` (in the namespace only), binds each
original `/opt` entry back into it (recursively, reached through a descriptor opened
before the tmpfs covered them; symlinks are re-created), creates `ml` in the tmpfs and
binds the job folder there. A host `/opt/ml` is hidden from the job, not touched.
The syscalls are made through ctypes, so neither util-linux's `unshare` nor bubblewrap
is needed.

Where none of that is possible (not Linux, namespaces refused, `/opt` missing, the job
folder itself under `/opt/ml`), the program runs as before and the runner logs one line
saying /opt/ml is not mapped and why; programs can always use `SAGEMAKER_BASE_DIR`.
`JUPYTER_EXT_OPT_ML=off` (in the environment, or in a job's `environment=`) turns the
mapping off.
"""

from __future__ import annotations

import ctypes
import os
import select
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["OPT_ML_VARIABLE", "OptMlMapping", "opt_ml_wanted", "map_opt_ml", "main"]

OPT_ML_VARIABLE = "JUPYTER_EXT_OPT_ML"
CONTAINER_ROOT = "/opt/ml"
_OPT = "/opt"
_OFF = ("off", "0", "false", "no")
# From <sched.h> and <sys/mount.h>.
_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
_MNT_DETACH = 2
_REPORT_TIMEOUT_SECONDS = 30.0


def opt_ml_wanted(env: Mapping[str, str]) -> bool:
    """Whether a program run with `env` should see its job folder at /opt/ml (the default;
    JUPYTER_EXT_OPT_ML=off says no)."""
    return env.get(OPT_ML_VARIABLE, "on").strip().lower() not in _OFF


class OptMlMapping:
    """The runner's side: the command that maps /opt/ml and then runs the program, and the
    note the script sends back when it could not map it.

        mapping = OptMlMapping(job_dir, env)
        process = Popen(mapping.command(program), pass_fds=mapping.pass_fds, ...)
        note = mapping.note()      # None when mapped (or not wanted)
    """

    def __init__(self, job_dir: Path, env: Mapping[str, str]) -> None:
        self.job_dir = job_dir
        self.wanted = opt_ml_wanted(env)
        self.linux = sys.platform.startswith("linux")
        self._read, self._write = os.pipe() if self.wanted and self.linux else (-1, -1)

    @property
    def pass_fds(self) -> tuple[int, ...]:
        """The descriptor the script reports on (to pass to the child)."""
        return (self._write,) if self._write >= 0 else ()

    def command(self, program: Sequence[str]) -> list[str]:
        """`program`, wrapped by this script when the mapping is wanted on this system."""
        if self._write < 0:
            return list(program)
        return [sys.executable, "-I", "-S", str(Path(__file__).resolve()), "--report-fd", str(self._write),
                str(self.job_dir), "--", *program]

    def note(self) -> str | None:
        """Once the child is started: why /opt/ml is not mapped, or None. Call it after a
        failed start too (it closes the report pipe)."""
        if self.wanted and not self.linux:
            return f"Note: {CONTAINER_ROOT} is not mapped to the job folder (private mount namespaces need Linux)."
        if self._write < 0:
            return None
        os.close(self._write)
        # EOF once the script execs the program or exits; a mount that hangs (a dead network
        # share under /opt) must not hold up supervision, so the wait is bounded.
        ready, _, _ = select.select([self._read], [], [], _REPORT_TIMEOUT_SECONDS)
        text = ""
        if ready:
            with os.fdopen(self._read, "rb") as report:
                text = report.read().decode("utf-8", "replace").strip()
        else:
            os.close(self._read)
            text = (f"Note: mapping {CONTAINER_ROOT} took over {_REPORT_TIMEOUT_SECONDS:g} s; "
                    "the program starts once it is done.")
        self._read = self._write = -1
        return text or None


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    libc.unshare.argtypes = [ctypes.c_int]
    return libc


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def _mount(libc: ctypes.CDLL, source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    def encoded(text: str | None) -> bytes | None:
        return None if text is None else os.fsencode(text)
    _check(libc.mount(encoded(source), encoded(target), encoded(fstype), flags, encoded(data)), f"mount {target}")


def _write_file(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _enter_namespace(libc: ctypes.CDLL) -> None:
    """A mount namespace of our own: plainly when allowed (root), else inside a user
    namespace mapping our uid and gid to themselves."""
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(_CLONE_NEWNS) != 0:
        _check(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS), "unshare (user and mount namespaces)")
        _write_file("/proc/self/setgroups", "deny")
        _write_file("/proc/self/uid_map", f"{uid} {uid} 1")
        _write_file("/proc/self/gid_map", f"{gid} {gid} 1")
    # Private from the root down: none of our mounts may reach the host's namespace.
    _mount(libc, None, "/", None, _MS_REC | _MS_PRIVATE)


def _bind_back(libc: ctypes.CDLL, opt_fd: int, name: str) -> None:
    """Re-create `/opt/<name>` in the tmpfs from the original reached through `opt_fd`."""
    source, target = f"/proc/self/fd/{opt_fd}/{name}", f"{_OPT}/{name}"
    if os.path.islink(source):
        os.symlink(os.readlink(source), target)
    elif os.path.isdir(source):
        os.mkdir(target)
        _mount(libc, source, target, None, _MS_BIND | _MS_REC)
    else:
        open(target, "w").close()
        _mount(libc, source, target, None, _MS_BIND)


def map_opt_ml(job_dir: str) -> None:
    """In a new private mount namespace, show `job_dir` at /opt/ml (see the module
    docstring). Raises OSError saying which step the system refused."""
    job = os.path.realpath(job_dir)
    if job == CONTAINER_ROOT or job.startswith(CONTAINER_ROOT + "/"):
        raise OSError(0, f"the job folder {job} is itself under {CONTAINER_ROOT}")
    if not os.path.isdir(_OPT) or os.path.islink(_OPT):
        raise OSError(0, f"this system has no {_OPT} folder to mount on")
    libc = _libc()
    try:
        _enter_namespace(libc)
    except OSError as error:
        raise OSError(error.errno, f"a private mount namespace was refused: {error.strerror}") from None
    opt_fd, job_fd = os.open(_OPT, os.O_RDONLY | os.O_DIRECTORY), os.open(job, os.O_PATH | os.O_DIRECTORY)
    entries = [name for name in os.listdir(opt_fd) if name != "ml"]
    mode = os.stat(opt_fd).st_mode & 0o7777
    _mount(libc, "tmpfs", _OPT, "tmpfs", _MS_NOSUID | _MS_NODEV, f"mode={mode:o}")
    try:
        for name in entries:
            _bind_back(libc, opt_fd, name)
        os.mkdir(CONTAINER_ROOT)
        _mount(libc, f"/proc/self/fd/{job_fd}", CONTAINER_ROOT, None, _MS_BIND | _MS_REC)
    except OSError:
        libc.umount2(os.fsencode(_OPT), _MNT_DETACH)  # the program must not see a half-built /opt
        raise
    finally:
        os.close(opt_fd)
        os.close(job_fd)


def main(argv: Sequence[str]) -> None:
    """`container_root.py --report-fd N JOB_DIR -- PROGRAM...`: map /opt/ml (or report
    on fd N why not) and exec PROGRAM; exit code 127 if it cannot be started."""
    if len(argv) < 5 or argv[0] != "--report-fd" or argv[3] != "--":
        sys.exit("usage: container_root.py --report-fd N JOB_DIR -- PROGRAM...")
    report, job_dir, program = int(argv[1]), argv[2], list(argv[4:])
    try:
        map_opt_ml(job_dir)
    except OSError as error:
        why = error.strerror or str(error)
        try:  # the runner may have stopped listening (it waits only so long)
            os.write(report, (f"Note: {CONTAINER_ROOT} is not mapped to the job folder ({why}); the program runs "
                              "without it, so build paths from SAGEMAKER_BASE_DIR. "
                              f"{OPT_ML_VARIABLE}=off skips the attempt.").encode())
        except OSError:
            pass
    os.close(report)
    try:
        os.execvp(program[0], program)
    except OSError as error:
        sys.stderr.write(f"Cannot run {program[0]}: {error.strerror or error}\n")
        sys.stderr.flush()
        os._exit(127)


if __name__ == "__main__":
    main(sys.argv[1:])
