"""TCP ports on 127.0.0.1 for the local broker and the tests: pick a free one, probe one."""

from __future__ import annotations

import os
import socket

HOST = "127.0.0.1"

_HANDED_OUT: set[int] = set()


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now.

    The port is taken below the kernel's ephemeral range, so that an outgoing
    connection of any process cannot be given it between this call and the
    server binding it (asking the kernel for port 0 returns an ephemeral port,
    which is exactly that race), and it is never handed out twice by this
    process.
    """
    low = _ephemeral_low()
    pid_offset = os.getpid() * 7919  # different processes start at different places
    for attempt in range(2000):
        port = 20000 + (pid_offset + attempt * 97) % max(low - 20000, 1)
        if port in _HANDED_OUT:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # crowded: any port
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, timeout: float = 0.5) -> bool:
    """Return True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False
