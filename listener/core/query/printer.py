"""Print a syntax tree back as canonical query text; ``parse(to_text(tree)) == tree``.

The canonical form spells ``AND`` out, wraps every nested group in parentheses (even where precedence
would allow leaving them out, so a reader never has to recall it) and quotes field values that contain
spaces. It is also how matched terms are named when the matcher explains why a mention was flagged.
"""

from __future__ import annotations

from listener.core.query import ast

__all__ = ["to_text"]

def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def literal_text(node: ast.Literal) -> str:
    """Return the query text of one literal (``acme``, ``"late delivery"~3``, ``#tag``, ``site:x.com``)."""
    if isinstance(node, ast.Term):
        return node.word
    if isinstance(node, ast.Phrase):
        text = _quote(" ".join(node.words))
        return text if node.proximity is None else f"{text}~{node.proximity}"
    if isinstance(node, ast.Prefix):
        return node.stem + "*"
    if isinstance(node, ast.Hashtag):
        return "#" + node.tag
    if isinstance(node, ast.Handle):
        return "@" + node.handle
    if isinstance(node, ast.Site):
        return f"site:{node.domain}{node.path}"
    if isinstance(node, ast.Lang):
        return f"lang:{node.code}"
    if isinstance(node, ast.Source):
        return f"source:{node.name}"
    name = node.name
    needs_quotes = any(c.isspace() or c in '()"\\' for c in name) or name.startswith("@")
    return "author:" + (_quote(name) if needs_quotes else name)


def to_text(node: ast.Node) -> str:
    """Return the canonical text of ``node``."""
    if isinstance(node, ast.Or):
        return " OR ".join(_child(i) for i in node.items)
    if isinstance(node, ast.And):
        return " AND ".join(_child(i) for i in node.items)
    if isinstance(node, ast.Not):
        inner = to_text(node.item)
        return f"NOT ({inner})" if isinstance(node.item, ast.And | ast.Or) else f"NOT {inner}"
    return literal_text(node)


def _child(node: ast.Node) -> str:
    text = to_text(node)
    return f"({text})" if isinstance(node, ast.And | ast.Or) else text
