"""Parse the topic query language into a syntax tree (a tokenizer and a recursive-descent parser).

Grammar (precedence NOT > AND > OR; juxtaposition is AND; operators are upper case)::

    query   := or EOF
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := ("NOT" | "-")* primary
    primary := "(" or ")" | PHRASE ["~" N] | WORD | WORD* | #tag | @handle
             | lang:CODE | source:NAME | author:NAME | site:DOMAIN[/PATH] | url:...

Every error is a :class:`QuerySyntaxError` with the 1-based column of the mistake. Lower-case
``and``/``or``/``not`` are ordinary words. Chains of ``OR``/``AND`` are parsed iteratively, so a
10,000-term query is fine; parentheses nest at most :data:`MAX_DEPTH` deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from listener.core.query import ast
from listener.core.query.errors import QuerySyntaxError
from listener.core.query.normalize import host_of, tokens

__all__ = ["FIELDS", "MAX_DEPTH", "MAX_PROXIMITY", "parse"]

MAX_DEPTH = 64
MAX_PROXIMITY = 100
FIELDS = ("lang", "source", "author", "site", "url")
_OPERATORS = {"AND", "OR", "NOT"}
_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_TAG = re.compile(r"\w+")
_HANDLE = re.compile(r"\w+(?:[.@-]\w+)*")
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
_LANG = re.compile(r"[a-z]{2,3}")
_NAME = re.compile(r"[a-z0-9_]+")

Kind = TypingLiteral["(", ")", "AND", "OR", "NOT", "LIT", "EOF"]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Kind
    column: int
    node: ast.Node | None = None


class _Lexer:
    """Cut the query into tokens; literal tokens already carry their syntax-tree node."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, pos: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, column=pos + 1, expression=self.text)

    def run(self) -> list[_Token]:
        out: list[_Token] = []
        text, n = self.text, len(self.text)
        while True:
            while self.pos < n and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= n:
                out.append(_Token("EOF", n + 1))
                return out
            start, char = self.pos, text[self.pos]
            if char in "()":
                self.pos += 1
                out.append(_Token("(" if char == "(" else ")", start + 1))
            elif char == '"':
                out.append(_Token("LIT", start + 1, self._phrase()))
            elif char == "-" and start + 1 < n and _negates(text[start + 1]):
                self.pos += 1
                out.append(_Token("NOT", start + 1))
            else:
                word = self._bare()
                if word in _OPERATORS:
                    out.append(_Token(word, start + 1))  # type: ignore[arg-type]
                else:
                    out.append(_Token("LIT", start + 1, self._literal(word, start)))

    def _bare(self) -> str:
        start, text = self.pos, self.text
        while self.pos < len(text) and not text[self.pos].isspace() and text[self.pos] not in '()"':
            self.pos += 1
        return text[start : self.pos]

    def _quoted(self) -> str:
        """Read a double-quoted string at ``pos`` (backslash escapes ``"`` and ``\\``)."""
        text, start = self.text, self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                chars.append(text[self.pos + 1])
                self.pos += 2
                continue
            if char == '"':
                self.pos += 1
                return "".join(chars)
            chars.append(char)
            self.pos += 1
        raise self.error('unclosed quote: add the closing "', start)

    def _phrase(self) -> ast.Node:
        start = self.pos
        words = tuple(self._quoted().split())
        if not words:
            raise self.error("empty phrase: put words between the quotes", start)
        if not any(tokens(w) for w in words):
            raise self.error("this phrase has no letters, digits or emoji to match", start)
        proximity: int | None = None
        if self.pos < len(self.text) and self.text[self.pos] == "~":
            digits = re.match(r"\d+", self.text[self.pos + 1 :])
            if digits is None:
                raise self.error('proximity needs a number of words, as in "late delivery"~3', self.pos)
            proximity = int(digits.group())
            if proximity > MAX_PROXIMITY:
                raise self.error(f"proximity is at most {MAX_PROXIMITY} words", self.pos + 1)
            self.pos += 1 + len(digits.group())
        return ast.Phrase(words, proximity)

    def _literal(self, word: str, start: int) -> ast.Node:
        field = _FIELD.fullmatch(word)
        if field is not None:
            return self._field(field.group(1), field.group(2), start)
        if word.startswith("#"):
            if not _TAG.fullmatch(word[1:]):
                raise self.error("a hashtag is # followed by letters, digits or _", start)
            return ast.Hashtag(word[1:])
        if word.startswith("@"):
            if not _HANDLE.fullmatch(word[1:]):
                raise self.error("a handle is @ followed by letters, digits, _ . or -", start)
            return ast.Handle(word[1:])
        star = word.find("*")
        if star >= 0:
            if star != len(word) - 1:
                raise self.error("a wildcard * is allowed only at the end of a word (factur*)", start + star)
            found = tokens(word[:-1])
            if len(found) != 1 or not found[0].isalnum() or tokens(word[:-1] + "x")[-1] != found[0] + "x":
                raise self.error("a wildcard applies to one word of letters or digits (factur*)", start)
            return ast.Prefix(word[:-1])
        if not tokens(word):
            raise self.error(f"{word!r} has no letters, digits or emoji to match", start)
        return ast.Term(word)

    def _field(self, name: str, value: str, start: int) -> ast.Node:
        key = name.lower()
        if key in ("http", "https"):
            return self._site(word_value=f"{name}:{value}", start=start)
        if key not in FIELDS:
            raise self.error(
                f"unknown field {name + ':'!r} (known: {', '.join(f + ':' for f in FIELDS)}); "
                'put the text in quotes to search for it as words', start)
        value_start = start + len(name) + 1
        if not value and self.pos < len(self.text) and self.text[self.pos] == '"':
            value_start = self.pos
            value = self._quoted().strip()
        if not value:
            raise self.error(f"{key}: needs a value, as in {key}:{_EXAMPLES[key]}", start)
        if key in ("site", "url"):
            return self._site(value, value_start)
        if key == "lang":
            code = value.lower()
            if not _LANG.fullmatch(code):
                raise self.error("lang: takes a two- or three-letter language code (lang:fr)", value_start)
            return ast.Lang(code)
        if key == "source":
            if not _NAME.fullmatch(value.lower()):
                raise self.error("source: takes a connector name (source:reddit)", value_start)
            return ast.Source(value.lower())
        name_value = value[1:] if value.startswith("@") else value
        if not name_value.strip():
            raise self.error("author: needs a handle (author:acme_support)", value_start)
        return ast.Author(name_value)

    def _site(self, word_value: str, start: int) -> ast.Node:
        rest = word_value.split("://", 1)[-1]
        cut = re.search(r"[/?#]", rest)
        path = rest[cut.start() :] if cut else ""
        domain = host_of(word_value)
        if not _DOMAIN.fullmatch(domain):
            raise self.error("site: takes a domain, optionally with a path (site:acme.com/blog)", start)
        return ast.Site(domain, path.rstrip("/") if path.startswith("/") else "")


_EXAMPLES = {
    "lang": "fr", "source": "reddit", "author": "acme_support", "site": "acme.com", "url": "acme.com",
}


def _negates(following: str) -> bool:
    """Return True when a ``-`` followed by ``following`` is the NOT shorthand (``-spam``)."""
    return not following.isspace() and following not in "-)"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _Lexer(text).run()
        self.index = 0
        self.depth = 0

    def error(self, message: str, column: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, column=column, expression=self.text)

    @property
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def closes(self) -> bool:
        """Return True when the next token is ``)`` (a method, so type narrowing does not stick)."""
        return self.tokens[self.index].kind == ")"

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> ast.Node:
        if self.peek.kind == "EOF":
            raise self.error("empty query: write at least one word, phrase, #hashtag or @handle", 1)
        node = self.parse_or()
        token = self.peek
        if token.kind == ")":
            raise self.error("unbalanced parenthesis: this ')' has no matching '('", token.column)
        if token.kind != "EOF":  # pragma: no cover - parse_and consumes every other token kind
            raise self.error("unexpected text", token.column)
        if not ast.is_anchored(node):
            raise self.error(
                "this query would match almost every mention: add a word, phrase, #hashtag, "
                "@handle, site: or author: that is not negated", 1)
        return node

    def parse_or(self) -> ast.Node:
        items = [self.parse_and()]
        while self.peek.kind == "OR":
            self.advance()
            items.append(self.parse_and())
        return ast.or_(*items)

    def parse_and(self) -> ast.Node:
        items = [self.parse_unary()]
        while True:
            kind = self.peek.kind
            if kind == "AND":
                self.advance()
            elif kind not in ("(", "NOT", "LIT"):
                break
            items.append(self.parse_unary())
        return ast.and_(*items)

    def parse_unary(self) -> ast.Node:
        negations = 0
        while self.peek.kind == "NOT":
            self.advance()
            negations += 1
        node = self.parse_primary()
        return ast.Not(node) if negations % 2 else node

    def parse_primary(self) -> ast.Node:
        if self.closes():
            raise self.error("unbalanced parenthesis: this ')' has no matching '('", self.peek.column)
        token = self.advance()
        if token.kind == "LIT":
            assert token.node is not None
            return token.node
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(f"parentheses nest more than {MAX_DEPTH} deep", token.column)
            if self.closes():
                raise self.error("empty parentheses: put a term inside", self.peek.column)
            node = self.parse_or()
            if not self.closes():
                raise self.error("unbalanced parenthesis: this '(' is never closed", token.column)
            self.advance()
            self.depth -= 1
            return node
        if token.kind == "EOF":
            raise self.error("the query ends where a term is expected", token.column)
        raise self.error(f"{token.kind} needs a term on both sides", token.column)


def parse(expression: str) -> ast.Node:
    """Parse a topic query into its syntax tree, or raise :class:`QuerySyntaxError` with a column."""
    return _Parser(expression).parse()


def folded_words(words: tuple[str, ...] | list[str]) -> list[str]:
    """Return the folded tokens of a sequence of written words (a phrase, a hyphenated term)."""
    out: list[str] = []
    for word in words:
        out.extend(tokens(word))
    return out

