"""axe-core, the accessibility engine the browser tests inject into the page: fetch the pinned npm release.

Run: `make axe` (the test command does it). Needs no node: the npm tarball is downloaded over HTTPS, checked
against the registry's sha512 integrity pinned here, and its `axe.min.js` kept under `.cache/` (not committed).
Nothing is fetched when the file is already there.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# `npm view axe-core@4.14.1 dist.integrity`
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
AXE_JS = Path(__file__).resolve().parents[1] / ".cache" / f"axe-core-{VERSION}" / "axe.min.js"


def fetch_axe(target: Path = AXE_JS) -> Path:
    """The path of axe.min.js, downloaded and checked first if it is not there yet."""
    if target.exists():
        return target
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        tarball = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    if digest != INTEGRITY:
        raise SystemExit(f"{TARBALL}: integrity {digest} is not the pinned {INTEGRITY}")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:
            raise SystemExit(f"{TARBALL} has no package/axe.min.js")
        script = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_suffix(".incoming")
    incoming.write_bytes(script)
    incoming.replace(target)  # never half a file where the tests look
    return target


if __name__ == "__main__":
    print(fetch_axe())
