"""What protects a browser that holds a login cookie: state changes only from this server's own pages, and
headers on every response that keep the pages from being framed, sniffed or fed foreign scripts."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.guards import refuse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI and ReDoc from a CDN and start them with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/redoc"})
MAP_PATHS = frozenset({"/map"})


def tile_origin(tile_url: str | None) -> str:
    """The origin a map's base tiles come from, as a CSP source (``{s}`` subdomains as ``*.``); "" for none,
    or for tiles served by this server."""
    if not tile_url or tile_url.startswith("/"):
        return ""
    parts = urlsplit(tile_url.replace("{s}", "s-wildcard"))
    host = parts.netloc.rpartition("@")[2].replace("s-wildcard", "*")
    if "*" in host.partition(".")[0]:  # t{s}.tianditu.gov.cn: CSP knows a whole first label as *
        host = "*." + host.partition(".")[2]
    return f"{parts.scheme}://{host}" if parts.scheme in ("http", "https") and host else ""


def _netloc(value: str, scheme: str) -> str:
    """host[:port] in lower case, without the scheme's default port."""
    value = value.lower()
    default = {"http": ":80", "https": ":443"}.get(scheme, "")
    return value.removesuffix(default) if default else value


def same_origin(headers: Headers, scheme: str) -> bool:
    """A browser names the page that made a request in Origin (and, newer ones, Sec-Fetch-Site). Clients
    that are not browsers send neither, and cannot be made to carry the dashboard's cookie by another site."""
    origin = headers.get("origin")
    if origin is None:
        return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # "null": a sandboxed frame, a file, a redirect across sites
    return _netloc(parts.netloc, parts.scheme) == _netloc(headers.get("host", ""), scheme)


def host_name(host_header: str) -> str:
    """The name in a Host header, without its port or the brackets of an IPv6 address, in lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def host_allowed(host_header: str, allowed: Iterable[str]) -> bool:
    """An IP address or localhost always (no DNS name can be made to point at them for a browser's page);
    else a name of ``allowed`` (``*.example.gov.cn`` for the names under it, ``*`` for any)."""
    name = host_name(host_header).rstrip(".")
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        return True
    if name == "localhost" or name.endswith(".localhost"):
        return True
    for pattern in allowed:
        if pattern == "*" or name == pattern or (pattern.startswith("*.") and name.endswith(pattern[1:])):
            return True
    return False


class SameOriginGuard:
    """Cross-site request forgery: a POST (PUT, PATCH, DELETE) from another origin is a 403 — another port of
    the same host is another origin. The login cookie is SameSite=Strict as well; this also covers browsers
    that count another port as the same site.

    DNS rebinding: a page of a foreign name that resolves to this server is of the same origin as far as the
    browser knows (its Origin and Host both name it). So a request a browser made (it says Origin or
    Sec-Fetch-Site) must name this server in Host: an IP address, localhost, or one of ``allowed_hosts``
    (the config's ``api.allowed_hosts``); else 400. Clients that are not browsers cannot be rebound."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            browser = "origin" in headers or "sec-fetch-site" in headers
            host = headers.get("host", "")
            if browser and not host_allowed(host, self.allowed_hosts):
                detail = f"this server is not reached by the name {host_name(host)!r}: add it to api.allowed_hosts"
                await refuse(400, detail)(scope, receive, send)
                return
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers = Headers(scope=scope)
            if not same_origin(headers, scope.get("scheme", "http")):
                origin = headers.get("origin", "another site")
                await refuse(403, f"cross-site request refused: {origin} is not this server")(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Content-Security-Policy, framing, MIME sniffing and referrer headers on every response."""

    def __init__(self, app: ASGIApp, tile_source: str = "") -> None:
        self.app = app
        # The map page may show base tiles from the configured tile server, and nothing else from outside.
        # It is also the wall's map panel (/wall frames /map?wall=1&panel=1): framed by this server's pages only.
        framed = DASHBOARD_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
        self.map_csp = framed.replace("img-src 'self'", f"img-src 'self' {tile_source}") if tile_source else framed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] in DOCS_PATHS else DASHBOARD_CSP
        framing = "DENY"
        if scope["path"] in MAP_PATHS:
            csp, framing = self.map_csp, "SAMEORIGIN"
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Frame-Options", framing)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)
