"""How fact text becomes HTML: escaped, unless a fact opts a field into a small safe subset."""

from __future__ import annotations

import nh3
from markupsafe import Markup

SAFE_TAGS = frozenset({"b", "strong", "i", "em", "sub", "sup", "br"})


def safe_html(text: str) -> Markup:
    """Keep only SAFE_TAGS (no attributes); drop scripts and styles with their content."""
    return Markup(nh3.clean(text, tags=set(SAFE_TAGS), attributes={}, link_rel=None))
