"""The debug signing key and apksigner (v2 + v3).

Reproducible bytes need a stable key: RSA PKCS#1 v1.5 signatures are
deterministic, so the same key over the same zip gives the same APK.  The key
is generated once with keytool and kept outside the clone, in
``<cache>/key/debug.p12`` (every clone on a machine shares it, so the cache
and the handsets' installed copies stay valid across checkouts).  Another
machine makes its own key: its APKs differ in the signature block only, and a
handset holding the other machine's copy needs an uninstall first.  A team
that wants one key everywhere points ``ANDROID_SUITE_APK_KEYSTORE`` at a
PKCS12 file (password in ``ANDROID_SUITE_APK_KEYSTORE_PASS``, alias
``ANDROID_SUITE_APK_KEY_ALIAS``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from android_suite.apk.cache import cache_root, cached_dir
from android_suite.errors import ConfigError

DEBUG_PASS = "android"  # noqa: S105 - a debug key: it guards nothing, like the SDK's own debug.keystore
DEBUG_ALIAS = "asuitedebug"
TIMEOUT_S = 120.0


@dataclass(frozen=True)
class SigningKey:
    """A PKCS12 keystore and how to open it; ``fingerprint`` feeds the cache keys."""

    keystore: Path
    password: str
    alias: str

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.keystore.read_bytes()).hexdigest()[:16]


def debug_key(*, cache: Path | None = None) -> SigningKey:
    """The configured keystore, or the machine's cached debug key (made on first use)."""
    if env := os.environ.get("ANDROID_SUITE_APK_KEYSTORE"):
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"ANDROID_SUITE_APK_KEYSTORE={env}: no such file")
        return SigningKey(
            path,
            os.environ.get("ANDROID_SUITE_APK_KEYSTORE_PASS", DEBUG_PASS),
            os.environ.get("ANDROID_SUITE_APK_KEY_ALIAS", DEBUG_ALIAS),
        )

    def make(tmp: Path) -> None:
        run_tool(
            ["keytool", "-genkeypair", "-keystore", str(tmp / "debug.p12"), "-storetype", "PKCS12",
             "-storepass", DEBUG_PASS, "-keypass", DEBUG_PASS, "-alias", DEBUG_ALIAS,
             "-keyalg", "RSA", "-keysize", "2048", "-validity", "10000",
             "-dname", "CN=android_suite test app debug key, O=android_suite"],
            "keytool (Debian package default-jdk-headless)",
        )  # fmt: skip

    folder = cached_dir("key", make, root=cache or cache_root())
    return SigningKey(folder / "debug.p12", DEBUG_PASS, DEBUG_ALIAS)


def sign(unsigned: Path, out: Path, key: SigningKey) -> None:
    """apksigner: v2 + v3 (minSdk 24 needs no v1 JAR signature; v4 would add a side file)."""
    run_tool(
        ["apksigner", "sign", "--ks", str(key.keystore), "--ks-type", "PKCS12",
         "--ks-pass", f"pass:{key.password}", "--ks-key-alias", key.alias, "--key-pass", f"pass:{key.password}",
         "--v1-signing-enabled", "false", "--v2-signing-enabled", "true",
         "--v3-signing-enabled", "true", "--v4-signing-enabled", "false",
         "--out", str(out), str(unsigned)],
        "apksigner sign",
    )  # fmt: skip


def verify(apk: Path) -> str:
    """``apksigner verify -v`` output; raises ConfigError if the signature does not verify."""
    return run_tool(["apksigner", "verify", "-v", str(apk)], "apksigner verify")


def run_tool(argv: list[str], what: str, *, timeout: float = TIMEOUT_S) -> str:
    """Run a build tool; its stdout, or ConfigError with its output on failure."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout)
    except FileNotFoundError as exc:
        raise ConfigError(f"testapp: {what}: {argv[0]} not installed (./suite setup installs it)") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(f"testapp: {what}: no answer within {timeout:.0f} s: {' '.join(argv)}") from exc
    if done.returncode != 0:
        shown = [a if not a.startswith("pass:") else "pass:***" for a in argv]
        raise ConfigError(f"testapp: {what} failed ({done.returncode}): {' '.join(shown)}\n{done.stdout}{done.stderr}")
    return done.stdout
