"""Connections of the HTTP client: a pool whose every new connection's peer address is checked
(safety.py), and a watchdog that cuts a request's connection when its deadline passes."""
from __future__ import annotations

import contextlib
import socket
import threading

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from transforms.fetch.safety import Blocked, check_address


class Watchdog:
    """Cuts the connection of the requests made in its `with` block (in this thread) once
    `seconds` have passed: a blocked read then returns at once, whatever the server does."""

    _current = threading.local()

    def __init__(self, seconds: float):
        self.expired = False
        self._connection = None
        self._socket = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._cut)
        self._timer.daemon = True

    def __enter__(self) -> "Watchdog":
        Watchdog._current.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        Watchdog._current.watchdog = None

    @classmethod
    def watch(cls, connection) -> None:
        """Called by a connection as it sends a request: it is the one to cut."""
        watchdog = getattr(cls._current, "watchdog", None)
        if watchdog is not None:
            with watchdog._lock:
                watchdog._connection = connection
                # http.client lets go of connection.sock when a response ends with the connection
                # (no Content-Length), while the body is still read from that socket: keep it.
                watchdog._socket = getattr(connection, "sock", None) or watchdog._socket
                expired = watchdog.expired
            if expired:
                watchdog._cut()

    def _cut(self) -> None:
        with self._lock:
            self.expired = True
            sockets = {id(s): s for s in (getattr(self._connection, "sock", None), self._socket) if s is not None}
        for sock in sockets.values():
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _checked_connection(base, allow_private: bool):
    class Checked(base):
        def _new_conn(self):
            sock = super()._new_conn()
            if not allow_private:
                try:
                    check_address(sock.getpeername()[0], self.host)
                except Blocked:
                    sock.close()
                    raise
            return sock

        def connect(self):
            super().connect()
            Watchdog.watch(self)  # again now that it has a socket: the watchdog may have fired meanwhile

        def request(self, *args, **kwargs):
            Watchdog.watch(self)
            return super().request(*args, **kwargs)
    return Checked


def make_pool(cfg) -> urllib3.PoolManager:
    """A connection pool whose every new connection is checked against the address policy."""
    pool = urllib3.PoolManager(num_pools=64, maxsize=max(2, cfg.threads), retries=False)
    pool.pool_classes_by_scheme = dict(pool.pool_classes_by_scheme)  # this pool's own, not urllib3's shared map
    for scheme, pool_cls, conn_cls in (("http", HTTPConnectionPool, HTTPConnection),
                                       ("https", HTTPSConnectionPool, HTTPSConnection)):
        pool.pool_classes_by_scheme[scheme] = type(f"Checked{pool_cls.__name__}", (pool_cls,), {
            "ConnectionCls": _checked_connection(conn_cls, cfg.allow_private)})
    return pool
