"""``badgeservice vc ...``: canonicalize, sign, verify, bake and unbake credentials from files.

Exit codes: 0 done / verified, 1 not verified, 2 usage or input error (typer's own usage
errors are 2 as well). ``verify`` fetches did:web documents, https keys and status lists through
the service's guarded HTTP client (``remote``), with the server's settings; with
``--did-web-base URL`` they are read from that base only (like the JS peer does). Nothing else
is ever fetched: no JSON-LD context comes from the network.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from badgeservice.clock import SystemClock
from badgeservice.domain.recipient import RecipientError
from badgeservice.domain.recipient_check import claimed_recipient
from badgeservice.errors import ServiceError
from badgeservice.remote import RemoteFetcher
from badgeservice.services.resolution import fetch_document
from badgeservice.services.verification import extra_checks, fetch_source
from badgeservice.settings import ConfigurationError, Settings, load_settings
from badgeservice.vc import (
    DEFAULT_LOADER,
    StaticLoader,
    VcError,
    canonicalize,
    did_key_from_key,
    load_key_file,
    parse_datetime,
    sign_credential,
    verify_credential,
)

vc_app = typer.Typer(
    name="vc",
    help="Verifiable credential tools: canonicalize, sign, verify, bake, unbake.",
    no_args_is_help=True,
    add_completion=False,
)

# The server's setting (Settings.verify_strict) read from the same variable, without building
# the whole Settings (a file check must not need a database URL or a secret key).
STRICT_ENV = f"{Settings.model_config.get('env_prefix', '')}VERIFY_STRICT"
ContextsOption = Annotated[
    Path | None,
    typer.Option("--contexts", help="Folder with context-map.json: extra JSON-LD contexts."),
]


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as error:
        _fail(f"cannot read JSON from {path}: {error}")
    if not isinstance(data, dict):
        _fail(f"{path} does not hold a JSON object")
    return data


def _loader(folder: Path | None) -> StaticLoader:
    """The vendored contexts, plus those of ``folder/context-map.json`` we do not ship."""
    if folder is None:
        return DEFAULT_LOADER
    mapping = _read_json(folder / "context-map.json")
    extra = {
        url: _read_json(folder / name)
        for url, name in mapping.items()
        if not url.startswith("_") and isinstance(name, str) and url not in DEFAULT_LOADER.urls
    }
    return DEFAULT_LOADER.with_contexts(extra)


@vc_app.command("canonicalize")
def canonicalize_command(file: Path, contexts: ContextsOption = None) -> None:
    """Print the RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    try:
        sys.stdout.write(canonicalize(_read_json(file), loader=_loader(contexts)))
    except VcError as error:
        _fail(f"{error.code}: {error.message}")


@vc_app.command("sign")
def sign_command(
    file: Path,
    key: Annotated[Path, typer.Option("--key", help="Key file (publicKeyMultibase + secret).")],
    verification_method: Annotated[
        str | None, typer.Option("--verification-method", help="Default: key id or did:key.")
    ] = None,
    created: Annotated[str | None, typer.Option("--created", help="Proof created time.")] = None,
    cryptosuite: Annotated[
        str, typer.Option("--cryptosuite", help="eddsa-rdfc-2022 or ecdsa-rdfc-2019.")
    ] = "",
    contexts: ContextsOption = None,
) -> None:
    """Sign a credential with a Data Integrity proof; print the signed credential."""
    key_data = _read_json(key)
    if created is not None and parse_datetime(created) is None:
        _fail(f"--created: not an XML Schema dateTime with a time zone: {created}")
    try:
        pair = load_key_file(key_data)
        suite = cryptosuite or (
            "eddsa-rdfc-2022" if pair.algorithm == "Ed25519" else "ecdsa-rdfc-2019"
        )
        vm = verification_method or key_data.get("id") or _did_key_vm(pair)
        signed = sign_credential(
            _read_json(file),
            pair,
            str(vm),
            cryptosuite=suite,
            created=created or SystemClock().now(),
            loader=_loader(contexts),
        )
    except VcError as error:
        _fail(f"{error.code}: {error.message}")
    typer.echo(json.dumps(signed, indent=2, ensure_ascii=False))


def _did_key_vm(pair: Any) -> str:
    did = did_key_from_key(pair)
    return f"{did}#{did.removeprefix('did:key:')}"


@vc_app.command("verify")
def verify_command(
    file: Annotated[Path | None, typer.Argument(help="A JSON, JWT, PNG or SVG file.")] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Fetch the credential from this https URL.")
    ] = None,
    contexts: ContextsOption = None,
    now: Annotated[str | None, typer.Option("--now", help="Check dates at this time.")] = None,
    did_web_base: Annotated[
        str | None, typer.Option("--did-web-base", help="Read did:web/https documents here.")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            envvar=STRICT_ENV,
            help="Refuse keys the issuer's own document could not confirm.",
        ),
    ] = False,
    recipient: Annotated[
        str | None,
        typer.Option(
            "--recipient",
            help="An email, DID, URL or User:Name (a Wikimedia username): is the credential "
            "about them?",
        ),
    ] = None,
) -> None:
    """Verify a credential (JSON-LD, VC-JWT or baked PNG/SVG, from FILE or --url); print the
    JSON report. With --recipient, a ``recipient`` check compares it with the credential's
    recipient (never printed). did:web documents, https keys and status lists are fetched
    through the service's guarded HTTP client (https only, public addresses only, except the
    hosts it trusts: in development the host of BADGESERVICE_BASE_URL, and the host of
    --did-web-base)."""
    if (file is None) == (url is None):
        _fail("give a FILE or --url, not both")
    try:
        claimed = claimed_recipient(recipient) if recipient is not None else None
    except RecipientError as error:
        _fail(f"--recipient: {error}")
    remote = _remote(did_web_base)
    source: dict[str, Any] | str | bytes
    if url is not None:
        try:
            source = fetch_source(url, remote)
        except ServiceError as error:
            _fail(f"{error.code}: {error.detail}")
    else:
        assert file is not None
        try:
            source = _source(file.read_bytes())
        except OSError as error:
            _fail(f"cannot read {file}: {error}")
    moment: datetime | None = SystemClock().now()
    if now is not None:
        moment = parse_datetime(now)
        if moment is None:
            _fail(f"--now: not an XML Schema dateTime with a time zone: {now}")
    fetch = _fetcher(did_web_base, remote) if did_web_base else partial(fetch_document, remote)
    report = verify_credential(
        source,
        fetch_json=fetch,
        now=moment,
        loader=_loader(contexts),
        extra_checks=extra_checks(claimed),
        strict=strict,
    )
    typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    raise typer.Exit(0 if report.verified else 1)


def _source(data: bytes) -> dict[str, Any] | str | bytes:
    """A JSON object, a compact JWT (text) or image bytes."""
    text = data.strip()
    if text.startswith(b"{"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            return data
        return parsed if isinstance(parsed, dict) else data
    if text.count(b".") == 2 and text.isascii() and b"<" not in text:
        return text.decode("ascii")
    return data


def _remote(did_web_base: str | None) -> RemoteFetcher:
    """The guarded client with the server's settings (a development setting trusts the origin of
    ``BADGESERVICE_BASE_URL``, so a local server's credentials verify); ``--did-web-base``
    trusts its own origin too: the user named it."""
    try:
        settings = load_settings()
    except ConfigurationError as error:
        _fail(str(error))  # one line naming the setting, never its value
    trusted: list[str] = []
    if did_web_base is not None:
        parts = urllib.parse.urlsplit(did_web_base)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            _fail(f"--did-web-base: not an http(s) URL: {did_web_base}")
        trusted.append(f"{parts.scheme}://{parts.netloc}")
    return RemoteFetcher.from_settings(settings, also_trusted=trusted)


def _fetcher(base: str, remote: RemoteFetcher) -> Callable[[str], dict[str, Any]]:
    """``fetch_json`` that maps did:web and https URLs onto ``base`` (never elsewhere), through
    the guarded client (every redirect is checked like the first URL)."""
    root = base.rstrip("/")

    def fetch(url: str) -> dict[str, Any]:
        parts = urllib.parse.urlsplit(url)
        target = url if url.startswith(root + "/") else f"{root}{parts.path}"
        if not target.startswith(root + "/") or ".." in parts.path:
            raise ValueError(f"refusing to fetch {url} outside {root}")
        return remote.fetch_json(target)

    return fetch


@vc_app.command("bake")
def bake_command(
    image: Annotated[Path, typer.Option("--image", help="PNG or SVG badge image.")],
    credential: Annotated[Path, typer.Option("--credential", help="Credential (JSON or JWT).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the image.")],
) -> None:
    """Embed a credential in a PNG or SVG image (Open Badges baking)."""
    from badgeservice.vc import bake_png, bake_svg

    try:
        picture = image.read_bytes()
        raw = credential.read_bytes()
    except OSError as error:
        _fail(f"cannot read input: {error}")
    payload = _source(raw)
    if isinstance(payload, bytes):
        _fail(f"{credential} is neither a JSON object nor a compact JWT")
    try:
        baked = (
            bake_png(picture, payload)
            if picture.startswith(b"\x89PNG")
            else bake_svg(picture, payload)
        )
    except VcError as error:
        _fail(f"{error.code}: {error.message}")
    output.write_bytes(baked)


@vc_app.command("unbake")
def unbake_command(image: Path) -> None:
    """Print the credential baked into a PNG or SVG image."""
    from badgeservice.vc import unbake

    try:
        payload = unbake(image.read_bytes())
    except OSError as error:
        _fail(f"cannot read {image}: {error}")
    except VcError as error:
        _fail(f"{error.code}: {error.message}", 1)
    typer.echo(payload if isinstance(payload, str) else json.dumps(payload, indent=2))
