"""httpx with one deadline for the whole exchange: connect, headers, body.

httpx's timeouts apply to each socket operation: a camera that sends its answer one byte at a time never
trips them, and its grab would hang for as long as it trickles. Here every connect, read, write and TLS
handshake of the exchange waits at most until the grab's deadline, so the exchange ends by then.
"""

from __future__ import annotations

import functools
import ssl
import typing

import httpcore
import httpx

from monitor.sources.deadline import Deadline


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every operation waits at most until the deadline; counts the bytes it received."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline, seen: Received) -> None:
        self._stream = stream
        self._deadline = deadline
        self._seen = seen

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._deadline.passed:
            raise httpcore.ReadTimeout("the grab's deadline passed")
        data = self._stream.read(max_bytes, self._deadline.bound(timeout))
        self._seen.bytes += len(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._deadline.passed:
            raise httpcore.WriteTimeout("the grab's deadline passed")
        self._stream.write(buffer, self._deadline.bound(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout))
        return DeadlineStream(tls, self._deadline, self._seen)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class Received:
    """Bytes received over the exchange: what tells a camera that answered too slowly from one that is silent."""

    def __init__(self) -> None:
        self.bytes = 0


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: Deadline, seen: Received) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline
        self._seen = seen

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        if self._deadline.passed:
            raise httpcore.ConnectTimeout("the grab's deadline passed")
        stream = self._backend.connect_tcp(host, port, self._deadline.bound(timeout), local_address, socket_options)
        return DeadlineStream(stream, self._deadline, self._seen)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Iterable[typing.Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, self._deadline.bound(timeout), socket_options)
        return DeadlineStream(stream, self._deadline, self._seen)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(min(seconds, self._deadline.left()))


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport (its request mapping and exceptions) on a pool whose connections keep the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        self.received = Received()
        # httpx takes no network backend; its pool does (httpcore's public API). httpx keeps the pool in _pool.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(), network_backend=DeadlineBackend(deadline, self.received)
        )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context, made once per process (loading the CA bundle costs ~20 ms)."""
    return httpx.create_ssl_context(trust_env=False)
