"""Serves the offline demo snapshot (demo/ at the repo root) on 127.0.0.1, in a thread.

Feed files carry {{BASE}} where their links point; it becomes this server's address, so the
same snapshot works on any port. Answers ETag / If-None-Match with 304 like a real site.
"""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_PORT = 8765
TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


class DemoServer:
    def __init__(self, *, port: int = DEMO_PORT, directory: Path = DEMO_DIR) -> None:
        root = directory.resolve()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = (root / urlsplit(self.path).path.lstrip("/")).resolve()
                if root not in path.parents or not path.is_file() or path.suffix not in TYPES:
                    self._send(404, b"not found", "text/plain")
                    return
                body = path.read_bytes().replace(b"{{BASE}}", server.base.encode())
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", TYPES[path.suffix], etag)
                    return
                self._send(200, body, TYPES[path.suffix], etag)

            def _send(self, status: int, body: bytes, ctype: str, etag: str = "") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body) if status != 304 else 0))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "DemoServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def demo_feed_paths(directory: Path = DEMO_DIR) -> list[str]:
    """The demo feeds' paths on the demo server, in a stable order."""
    feeds = sorted((directory / "feeds").glob("*"))
    return [f"/feeds/{path.name}" for path in feeds if path.suffix in (".xml", ".atom")]
