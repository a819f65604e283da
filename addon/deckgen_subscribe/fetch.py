"""Downloading a release: HTTPS only (plain HTTP only to this machine, for a local mirror or a test server), every
redirect checked the same way, sizes bounded while reading, nothing executed. Standard library only."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .manifest import MAX_MANIFEST_BYTES, Manifest, parse_manifest

TIMEOUT_SECONDS = 30
_CHUNK = 1 << 16
_GITHUB_REPO = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?")
MANIFEST_ASSET = "deckgen.manifest.json"  # what 'deckgen release' writes beside <key>.manifest.json


class FetchError(Exception):
    """A download was refused or failed; nothing was kept."""


def manifest_url(text: str) -> str:
    """The manifest URL a learner means: a manifest URL as it is, or a GitHub repository's latest release."""
    text = text.strip()
    repo = _GITHUB_REPO.fullmatch(text)
    if repo:
        return f"https://github.com/{repo[1]}/{repo[2]}/releases/latest/download/{MANIFEST_ASSET}"
    check_url(text)
    return text


def check_url(url: str) -> None:
    """HTTPS, or plain HTTP to a loopback address (this machine); never file:, ftp: or anything else."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return
    raise FetchError(f"{url!r}: only https:// addresses are used (plain http:// only to this computer)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        check_url(newurl)  # GitHub's releases/latest/download/... redirects to its file host, over HTTPS
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_CheckedRedirects())


def download(url: str, max_bytes: int) -> bytes:
    check_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": "deckgen-subscribe", "Accept-Encoding": "identity"})
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url}: {declared} bytes, more than the {max_bytes} bytes allowed")
            chunks: list[bytes] = []
            total = 0
            while chunk := response.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise FetchError(f"{url}: more than the {max_bytes} bytes allowed")
                chunks.append(chunk)
            return b"".join(chunks)
    except urllib.error.URLError as exc:  # HTTPError too
        raise FetchError(f"{url}: {exc}") from None
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"{url}: {exc}") from None


def fetch_manifest(url: str) -> Manifest:
    return parse_manifest(download(url, MAX_MANIFEST_BYTES))


def fetch_package(url: str, manifest: Manifest, dest: Path) -> Path:
    """The package named by the manifest, from beside the manifest's URL, checked against its size and sha256."""
    package_url = urllib.parse.urljoin(url, manifest.package_name)
    data = download(package_url, manifest.package_size)
    if len(data) != manifest.package_size or hashlib.sha256(data).hexdigest() != manifest.package_sha256:
        raise FetchError(f"{package_url}: the download is not the package the manifest describes; not applied")
    path = dest / manifest.package_name
    path.write_bytes(data)
    return path
