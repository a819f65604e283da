"""The add-on's downloads against a real HTTP server on this machine: the manifest and the package of a release
made by 'deckgen release', and every refusal (plain HTTP elsewhere, a redirect off HTTPS, sizes, a wrong file)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from addon.deckgen_subscribe.fetch import FetchError, download, fetch_manifest, fetch_package, manifest_url

from tests.conftest import run, write_deck


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cards = write_deck(tmp_path)
    env = {"SOURCE_DATE_EPOCH": "1800000000"}
    assert run("build", cards, "-o", tmp_path / "b.apkg", env=env).exit_code == 0
    assert run("release", cards, "--tag", "v1", "-o", tmp_path / "site", env=env).exit_code == 0
    site = tmp_path / "site"

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/away":
                self.send_response(302)
                self.send_header("Location", "http://example.org/deckgen.manifest.json")
                self.end_headers()
                return
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", site
    finally:
        server.shutdown()
        server.server_close()


def test_a_release_is_fetched_and_checked(served: tuple[str, Path], tmp_path: Path) -> None:
    base, site = served
    manifest = fetch_manifest(base + "deckgen.manifest.json")
    assert manifest.deck_key == "fixture-deck" and manifest.version == "v1"
    dest = tmp_path / "dl"
    dest.mkdir()
    path = fetch_package(base + "deckgen.manifest.json", manifest, dest)
    assert path.read_bytes() == (site / "fixture-deck.apkg").read_bytes()


def test_a_package_that_is_not_the_manifests_is_refused(served: tuple[str, Path], tmp_path: Path) -> None:
    base, site = served
    manifest = fetch_manifest(base + "deckgen.manifest.json")
    data = bytearray((site / "fixture-deck.apkg").read_bytes())
    data[100] ^= 1
    (site / "fixture-deck.apkg").write_bytes(bytes(data))
    with pytest.raises(FetchError, match="not the package the manifest describes"):
        fetch_package(base + "deckgen.manifest.json", manifest, tmp_path)
    assert not (tmp_path / "fixture-deck.apkg").exists()


def test_sizes_are_bounded_while_reading(served: tuple[str, Path]) -> None:
    base, _ = served
    with pytest.raises(FetchError, match="more than the 100 bytes allowed"):
        download(base + "fixture-deck.apkg", 100)


@pytest.mark.parametrize(
    "url",
    ["http://example.org/deckgen.manifest.json", "file:///etc/passwd", "ftp://example.org/x.json", "https:///x"],
)
def test_only_https_is_used(url: str) -> None:
    with pytest.raises(FetchError, match="only https://"):
        download(url, 1000)


def test_a_redirect_off_https_is_refused(served: tuple[str, Path]) -> None:
    base, _ = served
    with pytest.raises(FetchError, match="only https://"):
        download(base + "away", 1000)


def test_a_repository_url_means_its_latest_release() -> None:
    assert manifest_url("https://github.com/someone/my-deck") == (
        "https://github.com/someone/my-deck/releases/latest/download/deckgen.manifest.json"
    )
    assert manifest_url(" https://example.org/decks/x.manifest.json ") == "https://example.org/decks/x.manifest.json"
