"""A small HTTP server on 127.0.0.1 for download tests, started and stopped by the test.

``serve(files)`` yields the base URL; ``files`` maps a path ("/good") to bytes. Besides
those, it answers:

- ``/truncated/<path>``: announces the full length of ``<path>``, sends half, closes;
- ``/redirect/<n>/<path>``: ``n`` redirects, then ``<path>``;
- ``/loop``: redirects to ``/loop-b``, which redirects back;
- ``/slow/<path>``: waits ``SLOW_S`` seconds before sending ``<path>``;
- anything else: 404.
"""
import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_S = 1.0


def _handler(files: dict[str, bytes]):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, body: bytes, length: int | None = None):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, to: str):
            self.send_response(302)
            self.send_header("Location", to)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            path = self.path
            if path in files:
                return self._send(files[path])
            if path.startswith("/truncated/") and path[10:] in files:
                body = files[path[10:]]
                return self._send(body[: len(body) // 2], length=len(body))
            if path.startswith("/redirect/"):
                _, _, n, rest = path.split("/", 3)
                n = int(n)
                return self._redirect(f"/redirect/{n - 1}/{rest}" if n > 1 else f"/{rest}")
            if path in ("/loop", "/loop-b"):
                return self._redirect("/loop-b" if path == "/loop" else "/loop")
            if path.startswith("/slow/") and path[5:] in files:
                time.sleep(SLOW_S)
                return self._send(files[path[5:]])
            self.send_error(404)

    return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a client that gave up: expected
        pass


@contextlib.contextmanager
def serve(files: dict[str, bytes]):
    server = _Server(("127.0.0.1", 0), _handler(files))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a port just released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone.pth"
