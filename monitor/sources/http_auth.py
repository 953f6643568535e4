"""Answering a camera's login challenge: HTTP Digest (RFC 7616) or Basic, never sent before the camera asks.

Digest is answered here rather than by httpx's DigestAuth: httpx drops an empty ``opaque=""`` from its answer
(it tests the value for truth), and a strict camera then refuses a right password; on cameras that lock an
account after failed logins, that locks it. RFC 7616 asks the client to return ``opaque`` unchanged whenever
the challenge has it, so the answer below echoes every parameter the challenge sent that the RFC has the
client return (realm, nonce, opaque, algorithm, userhash), computed with hashlib.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Generator
from dataclasses import dataclass
from urllib.request import parse_http_list, parse_keqv_list

import httpx

_HASHES: dict[str, Callable[[bytes], str]] = {
    "MD5": lambda b: hashlib.md5(b).hexdigest(),  # RFC 7616 MD5, what most cameras speak
    "SHA-256": lambda b: hashlib.sha256(b).hexdigest(),
    "SHA-512-256": lambda b: hashlib.new("sha512_256", b).hexdigest(),
}


@dataclass(frozen=True)
class DigestChallenge:
    """One ``WWW-Authenticate: Digest ...`` header, its parameters as sent (quotes removed)."""

    params: dict[str, str]
    qop: str | None
    """"auth" or "auth-int" (the first offered, "auth" preferred); None when none is offered (RFC 2069)."""

    @classmethod
    def parse(cls, header: str) -> DigestChallenge | None:
        """The challenge in ``header``, or None when it is not a Digest challenge sitemon can answer."""
        scheme, _, rest = header.strip().partition(" ")
        if scheme.lower() != "digest":
            return None
        try:
            params = {k.lower(): v for k, v in parse_keqv_list(parse_http_list(rest)).items()}
        except ValueError:
            return None
        qop = None
        if "qop" in params:
            offered = [q.strip().lower() for q in params["qop"].split(",")]
            qop = next((q for q in ("auth", "auth-int") if q in offered), "")
        challenge = cls(params, qop)
        if "nonce" not in params or challenge.base_algorithm not in _HASHES or qop == "":
            return None
        return challenge

    @property
    def algorithm(self) -> str:
        return self.params.get("algorithm", "MD5")

    @property
    def base_algorithm(self) -> str:
        return self.algorithm.upper().removesuffix("-SESS")

    @property
    def stale(self) -> bool:
        return self.params.get("stale", "").lower() == "true"

    def answer(self, username: str, password: str, method: str, uri: str, nc: int = 1, cnonce: str = "") -> str:
        """The Authorization header value for one request (an empty body, as a GET has)."""
        h = _HASHES[self.base_algorithm]
        realm, nonce = self.params.get("realm", ""), self.params["nonce"]
        cnonce = cnonce or secrets.token_hex(8)
        ha1 = h(f"{username}:{realm}:{password}".encode())
        if self.algorithm.upper().endswith("-SESS"):
            ha1 = h(f"{ha1}:{nonce}:{cnonce}".encode())
        qop = self.qop
        ha2 = h(f"{method}:{uri}".encode()) if qop != "auth-int" else h(f"{method}:{uri}:{h(b'')}".encode())
        count = f"{nc:08x}"
        if qop:
            response = h(f"{ha1}:{nonce}:{count}:{cnonce}:{qop}:{ha2}".encode())
        else:
            response = h(f"{ha1}:{nonce}:{ha2}".encode())
        userhash = self.params.get("userhash", "").lower() == "true"
        fields = [("username", h(f"{username}:{realm}".encode()) if userhash else username, True)]
        fields += [("realm", realm, True), ("nonce", nonce, True), ("uri", uri, True)]
        if "algorithm" in self.params:
            fields.append(("algorithm", self.params["algorithm"], False))
        fields.append(("response", response, True))
        if "opaque" in self.params:  # returned unchanged, even when it is empty (RFC 7616 3.4)
            fields.append(("opaque", self.params["opaque"], True))
        if qop:
            fields += [("qop", str(qop), False), ("nc", count, False), ("cnonce", cnonce, True)]
        if userhash:
            fields.append(("userhash", "true", False))
        return "Digest " + ", ".join(f'{k}="{_escape(v)}"' if quoted else f"{k}={v}" for k, v, quoted in fields)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class CameraAuth(httpx.Auth):
    """Answer the camera's challenge: Digest when it asks for Digest, else Basic. Never sent unasked."""

    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password
        self._basic = httpx.BasicAuth(username, password)
        self.scheme = ""
        """The scheme the camera asked for ("Digest" / "Basic"), once it asked."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        for _ in range(2):  # a second answer only when the camera says our nonce went stale
            if response.status_code != 401:
                return
            headers = response.headers.get_list("www-authenticate")
            digest = next((c for c in map(DigestChallenge.parse, headers) if c is not None), None)
            if digest is not None:
                self.scheme = "Digest"
                uri = request.url.raw_path.decode("ascii")
                request.headers["Authorization"] = digest.answer(self._username, self._password, request.method, uri)
            elif any(h.strip().lower().startswith("digest") for h in headers):
                self.scheme = "Digest"  # a Digest it cannot answer (an unknown algorithm): never Basic instead
                return
            else:
                self.scheme = "Basic"
                request = next(self._basic.auth_flow(request))
            response = yield request
            if digest is None or not _stale(response):
                return


def _stale(response: httpx.Response) -> bool:
    if response.status_code != 401:
        return False
    challenges = (DigestChallenge.parse(h) for h in response.headers.get_list("www-authenticate"))
    return any(c is not None and c.stale for c in challenges)
