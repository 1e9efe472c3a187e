"""Fetching pages and reports over HTTP, keeping a chain of custody.

    with Fetcher() as fetcher:
        capture = fetcher.get("https://example.org/report")   # raises InputError

A `Capture` is the response exactly as received (body bytes, status, headers, the URL
asked for, every redirect and the final URL, the capture time, the SHA-256);
`childwatch.ingest.remote` turns it into a Document.

The fetcher is polite and bounded: one clear User-Agent; robots.txt obeyed (read with
the same client, cached per site, Crawl-delay honoured); redirects followed one hop at a
time so each hop is checked against robots.txt too; connect/read timeouts plus a deadline
per attempt; retries with exponential backoff on timeouts, dropped connections, 429 and
5xx; and a size limit enforced while streaming, so a huge response is never held.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from childwatch.errors import InputError
from childwatch.version import __version__

DEFAULT_USER_AGENT = f"childwatch/{__version__} (monitor of reports on grave violations against children)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest silence between two chunks
    deadline: float = 120.0  # longest one attempt may take, however the server trickles
    max_bytes: int = 50 * 1024 * 1024  # UN reports with images run to tens of MB
    retries: int = 3  # attempts after the first, on timeouts, dropped connections, 429 and 5xx
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    max_backoff: float = 60.0
    max_redirects: int = 10
    robots: bool = True
    robots_ttl: float = 3600.0
    max_crawl_delay: float = 30.0


@dataclass(frozen=True, slots=True)
class Capture:
    """One HTTP response as received: the evidentiary record of a fetch."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    captured_at: datetime
    redirects: list[str] = field(default_factory=list)  # every URL visited before final_url
    attempts: int = 1

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        found = re.search(r"charset\s*=\s*\"?([\w.:-]+)", self.header("content-type") or "", re.I)
        return found.group(1) if found else None

    def custody(self, user_agent: str | None = None) -> dict[str, object]:
        """The record kept with the document (JSON-ready)."""
        record: dict[str, object] = {
            "url": self.url,
            "final_url": self.final_url,
            "redirects": list(self.redirects),
            "status": self.status,
            "headers": [list(pair) for pair in self.headers],
            "captured_at": self.captured_at.isoformat(),
            "sha256": self.sha256,
            "bytes": len(self.body),
        }
        if user_agent:
            record["user_agent"] = user_agent
        return record


# status, reason, headers, body
_Response = tuple[int, str, list[tuple[str, str]], bytes]


class _Retry(Exception):
    """A failure worth another attempt (timeout, dropped connection, 429, 5xx)."""

    def __init__(self, problem: str, wait: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.wait = wait


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


class Fetcher:
    """GETs URLs politely (see the module doc). One per batch or watcher: it keeps the
    connection pool, the robots.txt cache and the last request time per site."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or FetchSettings()
        s = self.settings
        timeout = httpx.Timeout(s.read_timeout, connect=s.connect_timeout)
        self.client = httpx.Client(headers={"User-Agent": s.user_agent}, timeout=timeout, follow_redirects=False)
        self._sleep = sleep
        self._robots: dict[str, tuple[float, RobotFileParser]] = {}
        self._last_request: dict[str, float] = {}

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Capture:
        """Fetch `url` (conditionally, given a validator); raise InputError naming it on failure.

        A 304 Not Modified comes back as a Capture with status 304 and no body.
        """
        if not is_url(url):
            raise InputError(url, "is not an http:// or https:// URL")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        s = self.settings
        for attempt in range(s.retries + 1):
            try:
                capture = self._follow(url, headers)
                return replace(capture, attempts=attempt + 1)
            except _Retry as exc:
                if attempt == s.retries:
                    raise InputError(
                        url,
                        f"{exc.problem}, on each of {attempt + 1} attempts",
                        "the site may be down or slow; try again later",
                    ) from None
                wait = min(s.backoff * 2**attempt, s.max_backoff)
                self._sleep(max(wait, min(exc.wait or 0.0, s.max_backoff)))
        raise AssertionError("unreachable")

    def _follow(self, url: str, headers: dict[str, str]) -> Capture:
        visited: list[str] = []
        current = url
        while True:
            self._check_robots(url, current)
            response = self._request(url, current, headers)
            if isinstance(response, str):  # a redirect: the next URL
                visited.append(current)
                if len(visited) > self.settings.max_redirects:
                    raise InputError(url, f"more than {self.settings.max_redirects} redirects")
                current = response
                continue
            status, reason, response_headers, body = response
            return Capture(url, current, status, reason, response_headers, body, datetime.now(UTC), visited)

    def _request(self, url: str, current: str, headers: dict[str, str]) -> str | _Response:
        s = self.settings
        self._wait_turn(current)
        started = time.monotonic()
        try:
            with self.client.stream("GET", current, headers=headers) as response:
                status = response.status_code
                if status in REDIRECTS and response.headers.get("location"):
                    target = urljoin(current, response.headers["location"])
                    if not is_url(target):
                        raise InputError(url, f"redirects to {target!r}, which is not an http(s) URL")
                    return target
                if status == 429 or status >= 500:
                    raise _Retry(f"server answered {status} {response.reason_phrase}", _retry_after(response))
                if status >= 400:
                    raise InputError(url, f"server answered {status} {response.reason_phrase}", _hint(status))
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > s.max_bytes:
                    raise InputError(url, _too_big(int(declared), s.max_bytes, "declares"), _SIZE_HINT)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > s.max_bytes:
                        raise InputError(url, _too_big(size, s.max_bytes, "sent more than"), _SIZE_HINT)
                    if time.monotonic() - started > s.deadline:
                        raise _Retry(f"response took over {s.deadline:g}s")
                    chunks.append(chunk)
                return status, response.reason_phrase, response.headers.multi_items(), b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise InputError(url, f"cannot be fetched: {exc}") from None
        except httpx.DecodingError as exc:
            raise InputError(url, f"response could not be decoded: {exc}") from None
        except httpx.TransportError as exc:  # refused, reset, DNS: often passing
            raise _Retry(f"connection failed ({type(exc).__name__}: {exc})") from None

    def _wait_turn(self, url: str) -> None:
        """Honour the site's Crawl-delay between our requests to it."""
        site = _site(url)
        cached = self._robots.get(site)
        delay = cached[1].crawl_delay(self.settings.user_agent) if cached else None
        last = self._last_request.get(site)
        if delay and last is not None:
            wait = min(float(delay), self.settings.max_crawl_delay) - (time.monotonic() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request[site] = time.monotonic()

    def _check_robots(self, url: str, current: str) -> None:
        if not self.settings.robots:
            return
        if not self._rules(url, current).can_fetch(self.settings.user_agent, current):
            where = "" if current == url else f" (redirected to {current})"
            raise InputError(
                url,
                f"robots.txt of {_site(current)} does not allow childwatch to fetch this page{where}",
                "ask the site for access, or ingest a saved copy of the page",
            )

    def _rules(self, url: str, current: str) -> RobotFileParser:
        site = _site(current)
        cached = self._robots.get(site)
        if cached and time.monotonic() - cached[0] < self.settings.robots_ttl:
            return cached[1]
        parser = RobotFileParser(site + "/robots.txt")
        try:
            response = self.client.get(site + "/robots.txt", follow_redirects=True)
        except httpx.HTTPError as exc:
            # RFC 9309: an unreachable robots.txt means "disallow all" for now; not cached,
            # so the next fetch asks again.
            raise InputError(
                url,
                f"robots.txt of {site} could not be read ({type(exc).__name__}), so the page was not fetched",
                "try again later",
            ) from None
        if response.status_code >= 500:
            raise InputError(
                url,
                f"robots.txt of {site} answered {response.status_code}, so the page was not fetched",
                "try again later",
            )
        if response.status_code >= 400:
            parser.parse([])  # no robots.txt: everything is allowed
        else:
            parser.parse(response.content[:512_000].decode("utf-8", "replace").splitlines())
        self._robots[site] = (time.monotonic(), parser)
        return parser


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


_SIZE_HINT = "the size limit guards against runaway downloads; raise FetchSettings.max_bytes for larger reports"


def _too_big(size: int, limit: int, verb: str) -> str:
    return f"response {verb} {size:,} bytes, over the limit of {limit:,}; stopped reading"


def _hint(status: int) -> str:
    if status in (401, 403):
        return "the page needs a login or blocks automated readers; ingest a saved copy instead"
    if status in (404, 410):
        return "check the URL; the page may have moved or been removed"
    return ""
