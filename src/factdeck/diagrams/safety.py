"""What an SVG may hold before it ships to students: a plain drawing, nothing active.

Cards show diagrams through <img>, which is inert today, but the file lands in every
student's media folder, where any viewer, add-on or future client may open it
directly. So factdeck refuses (never silently strips: the author must see what is
wrong with their file) anything that can run code or reach outside the file:
scripts, event attributes, <foreignObject> (HTML inside SVG), embedded frames,
animations that rewrite links or handlers, references to anything but the file's
own ids (href, url(...)), stylesheets and @import. CSS is read as a browser reads
it, escapes decoded and comments dropped (`u\\72l(`, `@\\69mport`, `ur/**/l(` are caught
too), in `<style>` and in every attribute; functions that load by name (image-set(),
src(), element() ...) and properties that bind code (-moz-binding, behavior) are refused.
An animation may not change an href (`xlink:href` either) or an event attribute. It
also bounds nesting depth, so a hostile file gives a message instead of exhausting the
parser's stack.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element

MAX_DEPTH = 100  # real diagrams nest a handful of groups; svgelements recurses per level
ACTIVE_ELEMENTS = frozenset(
    {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
)
ANIMATIONS = frozenset({"animate", "set", "animatetransform", "animatemotion", "animatecolor"})
# a url() left open runs to the end of the style, as a browser reads it
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*(?:\)|\Z)", re.IGNORECASE | re.DOTALL)
_IMPORT = re.compile(r"@(import|font-face)\b", re.IGNORECASE)
_LOADERS = re.compile(  # functions (a name right before "("), then properties, of CSS
    r"(?<![\w-])(-webkit-image-set|image-set|image|cross-fade|element|src|expression)\(|"
    r"(?<![\w-])(-moz-binding|behavior)\s*:",
    re.IGNORECASE,
)
_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(\r\n|[\n\r\f])|(.))", re.DOTALL)
_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_STYLESHEET_PI = re.compile(rb"<\?xml-stylesheet\b", re.IGNORECASE)
_NUMBER_SPLIT = re.compile(r"[\s,]+")
NEWLINE = b"\n"


class UnsafeSvg(Exception):
    """What makes an SVG unfit to ship, worded to follow "diagram image 'x.svg' ..."."""


def check(root: Element, data: bytes) -> None:
    """Raise UnsafeSvg naming the first active or external element (and how many more)."""
    if _STYLESHEET_PI.search(data):
        raise UnsafeSvg(
            f"{_at(data, rb'<?xml-stylesheet')}links an external stylesheet "
            "(<?xml-stylesheet ...?>); remove it and style the drawing inline"
        )
    problems = list(_problems(root, data))
    if problems:
        more = len(problems) - 1
        tail = f" ({more} more problem{'s' if more > 1 else ''} like it in the file)"
        raise UnsafeSvg(problems[0] + (tail if more else ""))


def view_box(root: Element) -> tuple[float, float, float, float]:
    """The <svg>'s viewBox as four finite numbers with a positive size, or UnsafeSvg."""
    text = (root.get("viewBox") or "").strip()
    parts = [p for p in _NUMBER_SPLIT.split(text) if p]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if (
        len(numbers) != 4
        or not all(math.isfinite(n) for n in numbers)
        or numbers[2] <= 0
        or numbers[3] <= 0
    ):
        raise UnsafeSvg(
            f'has an invalid viewBox "{text}": it needs four numbers "MIN-X MIN-Y '
            'WIDTH HEIGHT" with a positive width and height, e.g. '
            'viewBox="0 0 800 600"'
        )
    x, y, width, height = numbers
    return x, y, width, height


def _problems(root: Element, data: bytes) -> Iterator[str]:
    for element, depth in _walk(root):
        if depth > MAX_DEPTH:
            raise UnsafeSvg(f"nests elements more than {MAX_DEPTH} deep; flatten its groups")
        name = _local(element.tag)
        shown = _shown(element)
        if name.lower() in ACTIVE_ELEMENTS:
            article = "an" if name[0].lower() in "aeiou" else "a"
            yield (
                f"{_at(data, b'<' + name.encode())}has {article} {shown} element, which can "
                "run code or show web content; remove it (a diagram must be a plain drawing)"
            )
        if name.lower() in ANIMATIONS:
            target = element.get("attributeName", "").strip().rsplit(":", 1)[-1].lower()
            if target == "href" or target.startswith("on"):
                yield (f"has a {shown} element that changes '{target}'; remove it")
        if name.lower() == "style":
            yield from _style_problems("".join(element.itertext()), shown, data)
        for key, value in element.attrib.items():
            attribute = _local(key)
            if attribute.lower().startswith("on"):
                yield (
                    f"{_at(data, attribute.encode() + b'=')}has an event attribute "
                    f"'{attribute}' on {shown}, which runs code; remove it"
                )
            elif attribute == "href" and not value.strip().startswith("#"):
                yield (
                    f"{_at(data, value.encode())}has {shown} linking to '{_short(value)}'; "
                    'a diagram may only refer to its own ids (href="#id"): draw or '
                    "embed the content in the file instead"
                )
            else:
                where = f"'{attribute}' of {shown}"
                yield from _css_problems(value, where, data, sheet=attribute == "style")


def _style_problems(css: str, shown: str, data: bytes) -> Iterator[str]:
    found = _IMPORT.search(_as_read(css))
    if found:
        rule = found.group().lower()
        yield (
            f"{_at(data, rule.encode())}"
            + (
                f"imports a stylesheet ({rule} in {shown}); put the styles in the file itself"
                if rule == "@import"
                else f"loads a font ({rule} in {shown}); use the reader's fonts"
            )
        )
    yield from _css_problems(css, shown, data, sheet=True)


def _as_read(css: str) -> str:
    """CSS as a browser reads it: escapes decoded, comments gone (a comment between two
    letters joins them here, which can only refuse more, never less)."""
    if "\\" not in css and "/*" not in css:
        return css
    return _COMMENT.sub("", _ESCAPE.sub(_unescaped, css))


def _unescaped(match: re.Match[str]) -> str:
    hex_digits, newline, other = match.groups()
    if newline is not None:
        return ""
    if other is not None:
        return other
    code = int(hex_digits, 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _css_problems(text: str, where: str, data: bytes, sheet: bool = False) -> Iterator[str]:
    """url() to anything but the file's own ids, and what loads or binds by name; the
    properties only in a style sheet or style attribute (`sheet`)."""
    text = _as_read(text)
    lowered = text.lower()
    if "(" not in lowered and not (sheet and ":" in lowered):
        return
    for found in _LOADERS.finditer(text):
        if found.group(2) and not sheet:
            continue
        name = (found.group(1) or found.group(2)).lower()
        yield (
            f"{_at(data, name.encode())}uses {name} in {where}, which can load or run something "
            "outside the file; remove it (fill and stroke take url(#id) of the file's own "
            "gradients and patterns)"
        )
    if "url(" not in lowered:
        return
    for match in _URL.finditer(text):
        target = match.group(2).strip()
        if not target.startswith("#"):
            yield (
                f"{_at(data, target.encode())}refers to '{_short(target)}' (url(...) in "
                f"{where}); a diagram may only refer to its own ids (url(#id))"
            )


def _walk(root: Element) -> Iterator[tuple[Element, int]]:
    """Every element with its depth, without recursion (a hostile file may nest deeply)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        yield element, depth
        stack.extend((child, depth + 1) for child in reversed(element))


def _at(data: bytes, needle: bytes) -> str:
    """'at line N ' where `needle` first appears in the file, to lead the author to it."""
    index = data.find(needle) if needle else -1
    return f"at line {data.count(NEWLINE, 0, index) + 1} " if index >= 0 else ""


def _shown(element: Element) -> str:
    name = _local(element.tag)
    element_id = element.get("id")
    return f'<{name} id="{element_id}">' if element_id else f"<{name}>"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
