"""A small threaded TCP proxy on 127.0.0.1 in front of PostgreSQL, able to cut the network.

Sync tests point a branch's central URL at the proxy (``proxied_url``) and then cut every connection
at a moment of their choosing: after a number of bytes (``cut_after``), when the client sends a given
statement (``cut_on``) or at once (``cut_now``). A cut closes both ends abruptly, as a pulled cable or
a dead Wi-Fi would look to the client and the server: the client's driver sees the socket die in the
middle of whatever it was doing, the server rolls back the open transaction. New connections are
accepted again unless ``refuse`` is set, so "the network came back" is ``heal()``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url


@dataclass
class _Plan:
    """When to cut: bytes left before the cut, or a statement (and which occurrence of it)."""

    bytes_left: int | None = None
    pattern: bytes | None = None
    occurrences_left: int = 0
    seen_tail: bytes = b""


@dataclass
class TcpProxy:
    target: tuple[str, int] = ("127.0.0.1", 5432)
    #: Bytes forwarded so far, both directions together.
    forwarded: int = 0
    #: How many times the proxy cut the connections.
    cuts: int = 0
    #: While set, new connections are closed as soon as they are accepted (the central is unreachable).
    refuse: bool = False
    _plan: _Plan = field(default_factory=_Plan)
    _pairs: list[tuple[socket.socket, socket.socket]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _listener: socket.socket | None = None

    # -- life -----------------------------------------------------------------------------------

    def start(self) -> TcpProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, name="tcp-proxy-accept", daemon=True).start()
        return self

    @property
    def port(self) -> int:
        assert self._listener is not None, "start() first"
        return int(self._listener.getsockname()[1])

    def proxied_url(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's (user, password, database kept)."""
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def close(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        self._cut_all(count=False)

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- faults ---------------------------------------------------------------------------------

    def cut_after(self, n_bytes: int) -> None:
        """Cut every connection once ``n_bytes`` more have passed (a message may be cut in two)."""
        with self._lock:
            self._plan = _Plan(bytes_left=n_bytes)

    def cut_on(self, statement: bytes, occurrence: int = 1) -> None:
        """Cut every connection when the client sends ``statement`` for the ``occurrence``-th time;
        the chunk holding it never reaches the server."""
        with self._lock:
            self._plan = _Plan(pattern=statement, occurrences_left=occurrence)

    def cut_now(self) -> None:
        self._cut_all(count=True)

    def heal(self) -> None:
        """No cut planned and new connections accepted again."""
        with self._lock:
            self._plan = _Plan()
        self.refuse = False

    # -- plumbing -------------------------------------------------------------------------------

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                client, _addr = self._listener.accept()
            except OSError:
                return  # closed
            if self.refuse:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            for sock in (client, server):  # as libpq does: no Nagle delay on each small message
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        while True:
            try:
                chunk = source.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            chunk, cut = self._admit(chunk, from_client)
            if chunk:
                try:
                    sink.sendall(chunk)
                except OSError:
                    break
            if cut:
                self._cut_all(count=True)
                break
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _admit(self, chunk: bytes, from_client: bool) -> tuple[bytes, bool]:
        """The part of ``chunk`` to forward, and whether to cut after it."""
        with self._lock:
            plan = self._plan
            if plan.bytes_left is not None:
                if len(chunk) >= plan.bytes_left:
                    chunk, plan.bytes_left = chunk[: plan.bytes_left], None
                    self.forwarded += len(chunk)
                    return chunk, True
                plan.bytes_left -= len(chunk)
            elif plan.pattern is not None and from_client:
                window = plan.seen_tail + chunk
                hits = window.count(plan.pattern)
                plan.seen_tail = window[-(len(plan.pattern) - 1) :] if len(plan.pattern) > 1 else b""
                if hits >= plan.occurrences_left:
                    plan.pattern = None
                    return b"", True
                plan.occurrences_left -= hits
            self.forwarded += len(chunk)
            return chunk, False

    def _cut_all(self, *, count: bool) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
            if count and pairs:
                self.cuts += 1
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
