"""Free local TCP ports for the servers the tests start."""

from __future__ import annotations

import random
import socket
import threading

_handed_out: set[int] = set()
_lock = threading.Lock()


def free_port() -> int:
    """A TCP port nothing listens on now and that no earlier call in this process handed out.

    Once a probing socket is closed the kernel may give the same port to the next probe, so two servers of one
    test (the action server and a fake Twilio, both started later) could otherwise be given one port and the
    second fail to bind.
    """
    with _lock:
        for _ in range(1000):
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port: int = sock.getsockname()[1]
            if port not in _handed_out:
                _handed_out.add(port)
                return port
    raise RuntimeError("no free local port left that this process has not handed out already")


def free_port_block(count: int) -> int:
    """A base port such that base+1 … base+count are free now and none of them was handed out by this process."""
    with _lock:
        for _ in range(200):
            base = random.randrange(20000, 60000)
            block = range(base + 1, base + count + 1)
            if _handed_out.intersection(block):
                continue
            try:
                for port in block:
                    with socket.socket() as sock:
                        sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            _handed_out.update(block)
            return base
    raise RuntimeError("no block of free local ports")
