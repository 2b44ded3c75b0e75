"""A real HTTP server on 127.0.0.1 for tests: serves fixture files and scripted responses.

Routes are registered per test; anything unregistered answers 404. Handlers run in their
own threads, so a tarpit route does not stop the others.
"""

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before answering at all (a tarpit when long).
    delay: float = 0.0
    # Yields body pieces with pauses; overrides `body` when set. Sent without Content-Length.
    stream: Callable[[], Iterable[bytes]] | None = None
    # Full control: called with the request handler, writes the response itself.
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    route = Route(status=404, body=b"not found")
                if route.delay:
                    server._closing.wait(route.delay)
                if route.handler is not None:
                    route.handler(self)
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.stream is not None:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    try:
                        for piece in route.stream():
                            if server._closing.is_set():
                                break
                            self.wfile.write(piece)
                            self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                if "Content-Length" not in route.headers:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            do_HEAD = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, **kwargs: object) -> str:
        self.routes[path] = Route(**kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def add_file(self, path: str, file: Path, content_type: str, **kwargs: object) -> str:
        headers = {"Content-Type": content_type, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return self.add(path, body=file.read_bytes(), headers=headers, **kwargs)

    def start(self) -> "LocalServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def slow_stream(pieces: int, size: int, pause: float) -> Callable[[], Iterable[bytes]]:
    def gen() -> Iterable[bytes]:
        for _ in range(pieces):
            yield b"x" * size
            time.sleep(pause)

    return gen
