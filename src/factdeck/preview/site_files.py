"""Which file of the written preview a request path names, if any: only regular files inside
the preview folder, so `serve` never shows the current folder, a file a symlink points to
elsewhere, or a folder's listing.

A path that cannot name a file of the preview (`..`, control characters, a backslash, an
empty segment, text that is not UTF-8 once decoded) is refused as a bad request (400);
one that could but does not (missing, hidden, a folder, outside through a symlink) is not
found (404). Nothing here raises for any input.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote


@dataclass(frozen=True, slots=True)
class Refusal:
    status: HTTPStatus
    reason: str


def site_file(site: Path | None, target: str) -> Path | Refusal:
    """The file of `site` that the request target names (query and fragment ignored);
    `/` is index.html. `site` is None before the first good build."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    parts = _segments(path)
    if isinstance(parts, Refusal):
        return parts
    if any(part.startswith(".") for part in parts):  # temporaries and editors' files
        return Refusal(HTTPStatus.NOT_FOUND, "hidden files are not served")
    if site is None:
        return Refusal(HTTPStatus.NOT_FOUND, "the deck has not built yet")
    try:
        root = site.resolve(strict=True)
        found = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, too long, a symlink loop
        return Refusal(HTTPStatus.NOT_FOUND, "no such file in the preview")
    if not found.is_relative_to(root):
        return Refusal(HTTPStatus.NOT_FOUND, "not a file of the preview")
    if not found.is_file():
        return Refusal(HTTPStatus.NOT_FOUND, "not a file")
    return found


def _segments(path: str) -> list[str] | Refusal:
    if not path.startswith("/"):
        return Refusal(HTTPStatus.BAD_REQUEST, "the path must start with /")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return Refusal(HTTPStatus.BAD_REQUEST, "the path is not UTF-8")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded):
        return Refusal(HTTPStatus.BAD_REQUEST, "the path has control characters")
    if "\\" in decoded:
        return Refusal(HTTPStatus.BAD_REQUEST, "the path has a backslash")
    if decoded == "/":
        return ["index.html"]
    parts = decoded[1:].split("/")
    if any(part in (".", "..") for part in parts):
        return Refusal(HTTPStatus.BAD_REQUEST, "'.' and '..' are not allowed in a path")
    if "" in parts[:-1]:
        return Refusal(HTTPStatus.BAD_REQUEST, "the path has an empty segment")
    if parts[-1] == "":
        return Refusal(HTTPStatus.NOT_FOUND, "folders are not listed")
    return parts
