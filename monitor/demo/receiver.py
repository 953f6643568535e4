"""The demo's records receiver: a tiny HTTP server on 127.0.0.1 standing in for the scheduling system."""

from __future__ import annotations

import errno
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

log = logging.getLogger(__name__)


class DemoReceiver:
    """Takes every POST, answers 200, appends the body to ``received.jsonl``; runs in a daemon thread."""

    def __init__(self, folder: Path, port: int) -> None:
        self.file = folder / "received.jsonl"
        self.received = 0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    receiver.received += 1
                    with receiver.file.open("a", encoding="utf-8") as out:
                        out.write(json.dumps(json.loads(body or b"null"), ensure_ascii=False) + "\n")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, format: str, *args: object) -> None:
                pass

        folder.mkdir(parents=True, exist_ok=True)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-receiver", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/records"

    @classmethod
    def on_free_port(cls, folder: Path, preferred: int) -> DemoReceiver:
        """On ``preferred`` if nothing else listens there, else on a port the system picks: the demo must
        never deliver its records to another program. OSError when no port can be had at all."""
        try:
            return cls(folder, preferred)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
        receiver = cls(folder, 0)
        log.warning(
            "port %d is taken by another program: the demo's records go to its own receiver on port %d instead",
            preferred,
            receiver.port,
        )
        return receiver

    def start(self) -> DemoReceiver:
        self._thread.start()
        log.info("demo records receiver at %s", self.url)
        return self

    def close(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which a receiver never started lacks
            self._server.shutdown()
        self._server.server_close()
