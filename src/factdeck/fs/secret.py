"""A secret of this user on this machine, kept outside every project, that seals what factdeck
leaves in a project folder for itself (build cache entries, the commit journal).

Anything in a project folder may have arrived with a merge, a pull request or a copy from
another machine, and a digest anyone can compute proves nothing: a planted file can carry it
too. An HMAC under a key that never enters a repository can only have been made here, by
factdeck, so only such files are trusted. The key lives in the user's cache folder
(`$XDG_CACHE_HOME/factdeck/secret` where that is set, else `~/.cache/...`,
`%LOCALAPPDATA%\\factdeck\\secret` on Windows, `~/Library/Caches/factdeck/secret` on
macOS); deleting it only means the next build rebuilds its cache. Where it cannot be kept,
nothing lasting is sealed (no cache), and what must be sealed anyway (a build's journal) is
sealed for this process only: the build still commits, and only a journal left by a killed
build is then refused.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

from factdeck.fs import faults, limits, read

SECRET_BYTES = 32
_THIS_PROCESS = secrets.token_bytes(SECRET_BYTES)


def secret_path() -> Path:
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "factdeck" / "secret"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path.home() / ".cache"
    return base / "factdeck" / "secret"


def seal(purpose: str, data: bytes, lasting: bool = True) -> str | None:
    """The HMAC of `data` for `purpose` (hex). When no secret can be kept here: None, or
    (`lasting=False`) a seal only this process can check."""
    key = _secret(secret_path())
    if key is None and lasting:
        return None
    return _mac(key or _THIS_PROCESS, purpose, data)


def is_sealed(purpose: str, data: bytes, mac: object) -> bool:
    """True only for a seal this machine's factdeck made of exactly `data`, for `purpose`."""
    expected = _mac(_secret(secret_path()) or _THIS_PROCESS, purpose, data)
    return isinstance(mac, str) and hmac.compare_digest(
        expected.encode(), mac.encode("utf-8", "replace")
    )


def _mac(key: bytes, purpose: str, data: bytes) -> str:
    return hmac.new(key, purpose.encode() + b"\0" + data, hashlib.sha256).hexdigest()


@functools.cache
def _secret(path: Path) -> bytes | None:
    """The secret at `path`, made on first use (written whole, then linked into place, so two
    processes starting at once agree on one)."""
    try:
        key = read.read_bytes(path, limits.SECRET)
        if len(key) == SECRET_BYTES:
            return key
    except read.TooBig:
        pass  # damaged: replaced below
    except read.NotReadable:
        if os.path.lexists(path):
            return None  # a pipe, a folder, unreadable: nothing is sealed or trusted
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _remove_stale(path.parent)
        tmp = path.with_name(f".secret.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        faults.point("write", tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(SECRET_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        faults.point("rename", tmp)
        try:
            if path.exists():  # a damaged one (wrong length) is replaced
                os.replace(tmp, path)
            else:
                os.link(tmp, path)  # fails if another process was first: use its secret
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        key = read.read_bytes(path, limits.SECRET)
    except (OSError, read.NotReadable):
        return None
    return key if len(key) == SECRET_BYTES else None


def _remove_stale(folder: Path) -> None:
    """Delete the temporaries a killed factdeck left while making the secret: its own names
    (`.secret.PID.HEX.tmp`), of processes no longer running (one running may be making it)."""
    for tmp in folder.glob(".secret.*.*.tmp"):
        pid = tmp.name.split(".")[2]
        if pid.isdecimal() and pid.isascii() and not _running(int(pid)):
            tmp.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill there ends the process: never ask
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # not ours to signal, or no such number: leave it
        return True
    return True
