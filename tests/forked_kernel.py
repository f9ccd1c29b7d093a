"""Fresh Jupyter kernels without paying for torch's import in each.

A kernel that runs a chapter spends 4-5 s importing torch, torchvision and
matplotlib before the chapter's first line, ten chapters over. As the
build's snippet runner does (``hooks/tutorial/runner.py``), a server
process imports them once and forks each kernel from itself; a forked
kernel is a real ipykernel in a process no chapter has run in, with its
own namespace, matplotlib state and random generators. It has the heavy
libraries already in ``sys.modules``, as a reader's kernel has after its
first cell, but not snnTorch, whose submodules a chapter must import itself.

Two roles in one file:

* ``python forked_kernel.py serve SOCKET``: import the libraries, then fork
  a kernel for each request on the Unix socket ``SOCKET``. It ends when the
  test process that started it does.
* ``python forked_kernel.py SOCKET -f CONNECTION_FILE ...``: the command in
  the kernel spec that jupyter_client runs for each kernel (the arguments
  after ``SOCKET`` are the kernel's, as for ``python -m ipykernel_launcher``).
  It asks the server for a kernel (handing over its working folder,
  environment and standard streams), passes on the signals jupyter_client
  sends, and lasts as long as the kernel does; if it is killed, the kernel
  ends too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import select
import signal
import socket
import sys
import threading
import time

HOOKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "hooks")
sys.path.insert(0, HOOKS)
from tutorial.runner import _alive, _die_with_parent, _preload  # noqa: E402


def serve(path: str) -> None:
    import ipykernel.kernelapp  # noqa: F401  (imported, not started: no ZMQ yet)

    _preload()
    # what a kernel started by `python -m ipykernel_launcher` has on its path
    kernel_path = [p for p in sys.path if p not in (HOOKS, os.path.dirname(__file__))]
    _die_with_parent()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # whole messages
    server.bind(path)
    server.listen()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernels are reaped by themselves
    print("ready", flush=True)
    while True:
        connection, _ = server.accept()
        message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            server.close()
            connection.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _start_kernel(request, fds, kernel_path)
        for fd in fds:
            os.close(fd)
        connection.sendall(str(pid).encode())
        connection.close()


def _start_kernel(request: dict, fds: list[int], kernel_path: list[str]) -> None:
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[:] = kernel_path
    sys.argv[:] = [importlib.util.find_spec("ipykernel_launcher").origin, *request["argv"]]

    def end_with_launcher() -> None:
        _wait_until_ended(request["launcher"])
        os._exit(1)

    threading.Thread(target=end_with_launcher, daemon=True).start()
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=request["argv"])
    os._exit(0)


def launch(path: str, argv: list[str]) -> None:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    client.connect(path)
    request = {
        # the process to poll, as for a kernel jupyter_client starts itself
        "argv": [*argv, f"--IPKernelApp.parent_handle={os.getpid()}"],
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "launcher": os.getpid(),
    }
    socket.send_fds(client, [json.dumps(request).encode()], [0, 1, 2])
    kernel = int(client.recv(64))
    client.close()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(number, lambda received, _: os.kill(kernel, received))
    _die_with_parent()  # (SIGTERM, passed on to the kernel)
    _wait_until_ended(kernel)


def _wait_until_ended(pid: int) -> None:
    """Return once process ``pid`` (not a child of this one) has ended."""
    try:
        ended = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except OSError:  # Linux before 5.3: ask every 0.2 s
        while _alive(pid):
            time.sleep(0.2)
        return
    select.select([ended], [], [])


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        launch(sys.argv[1], sys.argv[2:])
