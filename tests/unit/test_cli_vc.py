"""``badgeservice vc verify`` reads did:web documents through the guarded client (``remote``):
with ``--did-web-base`` every redirect is checked like the first URL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from badgeservice.cli_vc import vc_app
from badgeservice.vc import generate_key, sign_credential
from badgeservice.vc.dids import build_did_document
from tests.unit.vc.documents import ob_credential

KEY = generate_key("Ed25519")


class Documents(BaseHTTPRequestHandler):
    """Serves ``routes``; a ``redirects`` path answers 302 to its target."""

    routes: ClassVar[dict[str, Any]] = {}
    redirects: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        if self.path in Documents.redirects:
            self.send_response(302)
            self.send_header("Location", Documents.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        document = Documents.routes.get(self.path)
        body = json.dumps(document).encode() if document is not None else b"{}"
        self.send_response(200 if document is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def port(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A listener on 127.0.0.1; the CLI runs with the development settings."""
    for name in ("BASE_URL", "ENVIRONMENT", "REMOTE_TRUSTED_ORIGINS"):
        monkeypatch.delenv(f"BADGESERVICE_{name}", raising=False)
    Documents.routes, Documents.redirects = {}, {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Documents)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


def verify(tmp_path: Path, credential: dict[str, Any], *options: str) -> tuple[int, Any]:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    result = CliRunner().invoke(vc_app, ["verify", str(path), *options])
    assert result.exit_code in {0, 1}, result.output
    return result.exit_code, json.loads(result.stdout)


def signed_by(port: int, slug: str) -> dict[str, Any]:
    """A credential of ``did:web:localhost%3A<port>:issuers:<slug>``, its document served."""
    did = f"did:web:localhost%3A{port}:issuers:{slug}"
    Documents.routes[f"/issuers/{slug}/did.json"] = build_did_document(did, [("#key-1", KEY)])
    return sign_credential(ob_credential(did), KEY, f"{did}#key-1")


def test_did_web_base_reads_documents_from_the_base(tmp_path: Path, port: int) -> None:
    credential = signed_by(port, "alpha")
    code, report = verify(tmp_path, credential, "--did-web-base", f"http://localhost:{port}")
    assert code == 0, report
    assert report["verified"]


def test_did_web_base_does_not_follow_a_redirect_the_guard_refuses(
    tmp_path: Path, port: int
) -> None:
    credential = signed_by(port, "alpha")
    moved = Documents.routes.pop("/issuers/alpha/did.json")
    Documents.routes["/moved/did.json"] = moved
    # 127.0.0.1 is neither the base's host nor trusted: plain http there is refused
    Documents.redirects["/issuers/alpha/did.json"] = f"http://127.0.0.1:{port}/moved/did.json"
    code, report = verify(tmp_path, credential, "--did-web-base", f"http://localhost:{port}")
    assert code == 1
    [proof] = [check for check in report["checks"] if check["id"] == "proof"]
    assert proof["outcome"] == "error"
    assert "only https URLs may be fetched" in proof["message"]


def test_did_web_base_must_be_an_http_url(tmp_path: Path, port: int) -> None:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(signed_by(port, "alpha")))
    result = CliRunner().invoke(vc_app, ["verify", str(path), "--did-web-base", "localhost"])
    assert result.exit_code == 2
    assert "--did-web-base: not an http(s) URL: localhost" in result.output
