"""A real HTTP server on 127.0.0.1 for the monitoring tests (fetch, watch).

Routes are plain data that a test sets and changes while the server runs::

    with MonitorServer() as server:
        server.route("/feed.xml", feed_xml(...), "application/rss+xml", etag='"v1"')
        server.route("/old", b"", status=301, headers={"Location": "/new"})
        server.route("/down", b"sorry", status=500, fail_times=2)   # 500 twice, then 200
        server.route("/slow", b"late", delay=3.0)
        server.route("/huge", b"", huge=200 * 1024 * 1024)          # streamed, never held
        server.url("/feed.xml")

It honours If-None-Match / If-Modified-Since (304), counts hits per path, and answers 404
for anything else (so robots.txt is absent unless a test routes it).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: float | None = None  # a timestamp
    delay: float = 0.0  # seconds before answering
    fail_times: int = 0  # answer 500 this many times first
    huge: int = 0  # stream this many bytes of filler instead of `body`


class MonitorServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                server._answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> MonitorServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(
        self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8", **kw: object
    ) -> Route:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, content_type, **kw)  # type: ignore[arg-type]
        with self.lock:
            self.routes[path] = route
        return route

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.requests.append((path, dict(handler.headers.items())))
            route = self.routes.get(path)
            failing = route is not None and route.fail_times > 0
            if failing and route is not None:
                route.fail_times -= 1
        if route is None:
            return _send(handler, 404, b"not found", "text/plain")
        if route.delay:
            time.sleep(route.delay)
        if failing:
            return _send(handler, 500, b"server error", "text/plain")
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
            if handler.headers.get("If-None-Match") == route.etag:
                return _send(handler, 304, b"", None, headers)
        if route.last_modified is not None:
            stamp = formatdate(route.last_modified, usegmt=True)
            headers["Last-Modified"] = stamp
            if handler.headers.get("If-Modified-Since") == stamp:
                return _send(handler, 304, b"", None, headers)
        if route.huge:
            return _stream(handler, route.huge, route.content_type)
        _send(handler, route.status, route.body, route.content_type, headers)


def _send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str | None, headers: dict | None = None
) -> None:
    try:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        if status != 304:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if status != 304:
            handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _stream(handler: BaseHTTPRequestHandler, size: int, content_type: str) -> None:
    """A body of `size` bytes with no Content-Length, so the client must count as it reads."""
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    chunk = b"<p>" + b"filler " * 9000 + b"</p>\n"
    sent = 0
    try:
        while sent < size:
            handler.wfile.write(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client stopped reading: what the size limit is for


def rss(title: str, items: list[dict[str, str]]) -> str:
    """An RSS 2.0 feed; each item has link, title, and optionally guid, date, description."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>']
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "pubDate", "description"):
            if key in item:
                parts.append(f"<{key}>{escape(item[key])}</{key}>")
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts)


def atom(title: str, entries: list[dict[str, str]]) -> str:
    """An Atom feed; each entry has id, link, title and optionally updated."""
    parts = [
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title>'
    ]
    for entry in entries:
        parts.append(
            f"<entry><id>{escape(entry['id'])}</id><title>{escape(entry['title'])}</title>"
            f'<link href="{escape(entry["link"])}"/>'
            f"<updated>{entry.get('updated', '2024-03-12T08:00:00Z')}</updated></entry>"
        )
    parts.append("</feed>\n")
    return "".join(parts)


def page(name: str) -> bytes:
    """One of our fixture pages (tests/fixtures/monitor)."""
    return (FIXTURES / name).read_bytes()
