"""Two servers of one test are never given the same port (tests/support/ports.py).

A clean-clone run once failed twelve end-to-end tests: the stack's action server and its fake Twilio were both
given port 53631, because the kernel handed the same free port to two probes in a row, and the fake could not
bind. Here the kernel's answers are replayed with such a repeat.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import ports


class ProbeSocket:
    """Stands for socket.socket: a probe on port 0 is given the next port of `answers`; a port in `taken` is busy."""

    answers: Iterator[int] = iter(())
    taken: set[int] = set()
    port = 0

    def __enter__(self) -> ProbeSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def bind(self, address: tuple[str, int]) -> None:
        if address[1] == 0:
            self.port = next(self.answers)
        elif address[1] in ProbeSocket.taken:
            raise OSError(98, "address already in use")
        else:
            self.port = address[1]

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> type[ProbeSocket]:
    monkeypatch.setattr(ports, "_handed_out", set())
    monkeypatch.setattr(ports.socket, "socket", lambda *a, **k: ProbeSocket())
    ProbeSocket.answers, ProbeSocket.taken = iter(()), set()
    return ProbeSocket


def test_a_port_the_kernel_gives_twice_is_handed_out_once(kernel: Any) -> None:
    kernel.answers = iter([53631, 53631, 53631, 40001, 40001, 40003])
    assert [ports.free_port(), ports.free_port(), ports.free_port()] == [53631, 40001, 40003]


def test_a_block_never_overlaps_a_port_handed_out(kernel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    kernel.answers = iter([30005])
    assert ports.free_port() == 30005
    # the first random base would cover 30005; the second is clear
    bases = iter([30000, 41000])
    monkeypatch.setattr(ports.random, "randrange", lambda *a: next(bases))
    assert ports.free_port_block(10) == 41000
    kernel.answers = iter([41004, 41011])
    assert ports.free_port() == 41011


def test_a_block_with_a_port_in_use_is_skipped(kernel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    kernel.taken = {20003}
    bases = iter([20000, 25000])
    monkeypatch.setattr(ports.random, "randrange", lambda *a: next(bases))
    assert ports.free_port_block(4) == 25000


def test_the_real_kernel_gives_distinct_ports() -> None:
    handed = [ports.free_port() for _ in range(50)]
    assert len(set(handed)) == 50
    for port in handed:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
