"""Dagster's asset selection syntax, read by a small hand-written recursive-descent parser.

Grammar (loosest binding first)::

    selection  := or_expr END
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "*" | traversal
    traversal  := [DIGITS] "+" operand ["+" [DIGITS]]  |  operand ["+" [DIGITS]]
    operand    := ATTRIBUTE ":" value ["=" value]   -- "=" only after tag:
                | ("sinks" | "roots") "(" or_expr ")"
                | "(" or_expr ")"
    value      := WORD | QUOTED | <null>            -- "*" wildcards only in key: values

``and``/``or``/``not`` are lower or upper case. ``+x`` selects ``x`` and everything upstream,
``2+x`` two layers of it, ``x+``/``x+1`` downstream, ``+x+`` both. ``not x`` is "every asset but
x". Unquoted words are ``[A-Za-z_*][A-Za-z0-9_*/]*``; anything else (``-``, a leading digit,
spaces, ``:``) is quoted: ``key:"raw-data"``, ``owner:"team:data"``.

A string the grammar cannot read falls back to Dagster's older forms: a bare asset key with
optional ``*``/``+`` marks (``"sales/raw"``, ``"*report"``, ``"raw++"``: ``*`` all layers, each
``+`` one layer) and ``tag:key=value`` with any characters in the value. If neither applies, the
error quotes the string and points at the column where the grammar failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asset2airflow.authoring.selection import AssetSelection
from asset2airflow.authoring.selection_operators import KeyPatternAssetSelection
from asset2airflow.errors import SelectionError

ATTRIBUTES = ("key", "group", "tag", "kind", "owner")
FUNCTIONS = ("sinks", "roots")

# Attributes of Dagster's syntax that need its instance or UI (run history, code locations,
# column lineage, schedules...), which definitions compiled to Airflow do not have.
_UNSUPPORTED = {
    "code_location": "there is one code location per Definitions here",
    "status": "materialization status lives in Airflow's run history, not in the definitions",
    "is": "asset states live in Airflow's run history, not in the definitions",
    "column": "column lineage is not tracked",
    "column_tag": "column lineage is not tracked",
    "table_name": "table names are not tracked",
    "changed_in_branch": "branch deployments are a Dagster+ feature",
    "partitions": "partition status lives in Airflow's run history",
    "automation_type": "automation types are not tracked",
    "sensor": "sensors are not built yet",
    "schedule": "schedules are not built yet",
    "job": "select the job's own selection instead",
    "not_materialized_in_hours": "materialization times live in Airflow's run history",
}

_WORD_START = re.compile(r"[A-Za-z_*]")
_WORD = re.compile(r"[A-Za-z0-9_*/]*")
_DIGITS = re.compile(r"[0-9]+")
_LEGACY = re.compile(r"(\*?\+*)([\w./\[\]?-]+)(\+*\*?)")
_WHAT_TO_WRITE = (
    "an asset expression: key:..., group:..., tag:..., kind:..., owner:..., sinks(...), "
    "roots(...), '(' or '*'"
)


@dataclass(frozen=True)
class _Token:
    kind: str
    """``word``, ``quoted``, ``null``, ``digits``, ``end``, or the character itself for
    ``( ) : = + *``."""
    text: str
    column: int
    """1-based position of the token's first character in the selection string."""

    def describe(self) -> str:
        return "the end of the selection" if self.kind == "end" else repr(self.text)


class _Problem(Exception):
    """Where and why the grammar failed; becomes a ``SelectionError`` unless a legacy form
    reads the string."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def parse_selection(string: str, include_sources: bool = False) -> AssetSelection:
    """``AssetSelection.from_string``: the grammar above, then the legacy forms."""
    if not isinstance(string, str):
        raise SelectionError(f"a selection string must be a str, got {string!r}")
    try:
        return _Parser(string, include_sources).parse()
    except _Problem as problem:
        legacy = _legacy(string)
        if legacy is not None:
            return legacy
        raise SelectionError(_message(string, problem)) from None


def _message(string: str, problem: _Problem) -> str:
    line = string.replace("\n", " ").replace("\t", " ")
    return (
        f"cannot read asset selection {string!r}: column {problem.column}: {problem.message}\n"
        f"    {line}\n"
        f"    {' ' * (problem.column - 1)}^"
    )


def _legacy(string: str) -> AssetSelection | None:
    """Dagster's older string forms, tried when the grammar fails."""
    text = string.strip()
    match = _LEGACY.fullmatch(text)
    if match is not None:
        up, name, down = match.groups()
        selection = AssetSelection.assets(name)
        up_depth, down_depth = _legacy_depth(up), _legacy_depth(down)
        if up and down:
            return selection.upstream(up_depth) | selection.downstream(down_depth)
        if up:
            return selection.upstream(up_depth)
        return selection.downstream(down_depth) if down else selection
    if text.startswith("tag:") and not re.search(r"\s", text) and text.count("=") <= 1:
        return AssetSelection.tag_string(text[len("tag:") :])
    return None


def _legacy_depth(marks: str) -> int | None:
    return None if "*" in marks else len(marks)


def _tokenize(string: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(string):
        char = string[i]
        column = i + 1
        if char.isspace():
            i += 1
        elif char == '"':
            end = string.find('"', i + 1)
            newline = string.find("\n", i + 1)
            if end == -1 or -1 < newline < end:
                raise _Problem(column, "this quote is never closed; end the value with '\"'")
            tokens.append(_Token("quoted", string[i + 1 : end], column))
            i = end + 1
        elif string.startswith("<null>", i):
            tokens.append(_Token("null", "<null>", column))
            i += len("<null>")
        elif char.isdigit():
            digits = _DIGITS.match(string, i)
            assert digits is not None
            tokens.append(_Token("digits", digits.group(), column))
            i = digits.end()
        elif _WORD_START.match(char):
            word = _WORD.match(string, i + 1)
            assert word is not None
            text = string[i : word.end()]
            tokens.append(_Token("*" if text == "*" else "word", text, column))
            i = word.end()
        elif char in "():=+":
            tokens.append(_Token(char, char, column))
            i += 1
        else:
            raise _Problem(
                column,
                f"unexpected character {char!r}; quote values that contain it, e.g. "
                'key:"raw-data" or owner:"team@example.com"',
            )
    tokens.append(_Token("end", "", len(string) + 1))
    return tokens


class _Parser:
    def __init__(self, string: str, include_sources: bool) -> None:
        self.tokens = _tokenize(string)
        self.position = 0
        self.include_sources = include_sources

    # --- token helpers -----------------------------------------------------------------------

    @property
    def current(self) -> _Token:
        return self.tokens[self.position]

    def peek(self, offset: int = 1) -> _Token:
        return self.tokens[min(self.position + offset, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.current
        if token.kind != "end":
            self.position += 1
        return token

    def at_keyword(self, word: str) -> bool:
        token = self.current
        return token.kind == "word" and token.text in (word, word.upper())

    def expect(self, kind: str, what: str) -> _Token:
        if self.current.kind != kind:
            raise _Problem(self.current.column, f"expected {what}, found {self.current.describe()}")
        return self.advance()

    # --- grammar -----------------------------------------------------------------------------

    def parse(self) -> AssetSelection:
        if self.current.kind == "end":
            raise _Problem(1, f"the selection is empty; write {_WHAT_TO_WRITE}")
        selection = self.or_expr()
        if self.current.kind != "end":
            raise _Problem(
                self.current.column,
                f"expected 'and', 'or' or the end of the selection, found "
                f"{self.current.describe()}"
                + (
                    " (a traversal is written once per operand: +x+, 2+x)"
                    if self.current.kind == "+"
                    else ""
                ),
            )
        return selection

    def or_expr(self) -> AssetSelection:
        selection = self.and_expr()
        while self.at_keyword("or"):
            self.advance()
            selection = selection | self.and_expr()
        return selection

    def and_expr(self) -> AssetSelection:
        selection = self.not_expr()
        while self.at_keyword("and"):
            self.advance()
            selection = selection & self.not_expr()
        return selection

    def not_expr(self) -> AssetSelection:
        if self.at_keyword("not"):
            self.advance()
            return AssetSelection.all(self.include_sources) - self.not_expr()
        if self.current.kind == "*":
            self.advance()
            return AssetSelection.all(self.include_sources)
        return self.traversal()

    def traversal(self) -> AssetSelection:
        up = False
        up_depth: int | None = None
        if self.current.kind == "digits":
            digits = self.advance()
            if self.current.kind != "+":
                raise _Problem(
                    digits.column,
                    f"a number starts a traversal ({digits.text}+key:x); found "
                    f"{digits.text!r} followed by {self.current.describe()}",
                )
            up_depth = int(digits.text)
        if self.current.kind == "+":
            self.advance()
            up = True
        selection = self.operand()
        down = False
        down_depth: int | None = None
        if self.current.kind == "+":
            self.advance()
            down = True
            if self.current.kind == "digits":
                down_depth = int(self.advance().text)
        if up and down:
            return selection.upstream(up_depth) | selection.downstream(down_depth)
        if up:
            return selection.upstream(up_depth)
        return selection.downstream(down_depth) if down else selection

    def operand(self) -> AssetSelection:
        token = self.current
        if token.kind == "(":
            self.advance()
            selection = self.or_expr()
            self.expect(")", f"')' to close the '(' at column {token.column}")
            return selection
        if token.kind != "word":
            raise _Problem(token.column, f"expected {_WHAT_TO_WRITE}; found {token.describe()}")
        following = self.peek()
        if following.kind == "(":
            return self.function_call()
        if following.kind == ":":
            return self.attribute()
        if token.text in ("and", "or", "AND", "OR"):
            raise _Problem(
                token.column, f"expected {_WHAT_TO_WRITE}; found the keyword {token.text!r}"
            )
        raise _Problem(
            token.column,
            f"{token.text!r} is not an expression: write key:{token.text} (or another attribute "
            f"such as group:{token.text}). A string that is just an asset key, like "
            f"{token.text!r} or '*{token.text}+', selects it in Dagster's older style, but not "
            "inside a larger expression",
        )

    def function_call(self) -> AssetSelection:
        name = self.advance()
        if name.text not in FUNCTIONS:
            raise _Problem(
                name.column,
                f"unknown function {name.text!r}; the functions are sinks(...) and roots(...)",
            )
        opening = self.advance()
        if self.current.kind == ")":
            raise _Problem(self.current.column, f"{name.text}() needs a selection inside")
        inner = self.or_expr()
        self.expect(")", f"')' to close {name.text}( at column {opening.column}")
        return inner.sinks() if name.text == "sinks" else inner.roots()

    def attribute(self) -> AssetSelection:
        name = self.advance()
        self.advance()  # the ':'
        attribute = name.text
        if attribute in _UNSUPPORTED:
            raise _Problem(
                name.column,
                f"'{attribute}:' is part of Dagster's syntax but cannot be resolved here "
                f"({_UNSUPPORTED[attribute]}); the attributes are "
                + ", ".join(f"{a}:" for a in ATTRIBUTES),
            )
        if attribute not in ATTRIBUTES:
            raise _Problem(
                name.column,
                f"unknown attribute '{attribute}:'; the attributes are "
                + ", ".join(f"{a}:" for a in ATTRIBUTES),
            )
        if attribute == "key":
            return KeyPatternAssetSelection(self.value("key", wildcards=True))
        if attribute == "kind":
            if self.current.kind == "null":
                self.advance()
                return AssetSelection.kind(None, self.include_sources)
            return AssetSelection.kind(self.value("kind"), self.include_sources)
        if attribute == "owner":
            return AssetSelection.owner(self.value("owner"))
        if attribute == "group":
            return AssetSelection.groups(self.value("group"), include_sources=self.include_sources)
        key = self.value("tag")
        value = ""
        if self.current.kind == "=":
            self.advance()
            value = self.value(f"tag:{key}=")
        return AssetSelection.tag(key, value, self.include_sources)

    def value(self, attribute: str, wildcards: bool = False) -> str:
        token = self.current
        where = attribute if attribute.endswith("=") else f"{attribute}:"
        if token.kind == "quoted":  # taken as written: a '*' is a wildcard in key: only
            self.advance()
            return token.text
        if token.kind == "word" or (token.kind == "*" and wildcards):
            self.advance()
            if "*" in token.text and not wildcards:
                raise _Problem(
                    token.column,
                    f"wildcards (*) work only in key:, not in {where} (quote a value that "
                    'contains a literal *: tag:"a*b")',
                )
            return token.text
        if token.kind == "null":
            raise _Problem(token.column, "<null> works only in kind: (assets without kinds)")
        hint = ""
        if token.kind == "digits":
            hint = f'; quote values that start with a digit: {where}"{token.text}..."'
        elif token.kind != "end":
            hint = f'; quote values with other characters: {where}"..."'
        raise _Problem(
            token.column, f"expected a value after {where}, found {token.describe()}{hint}"
        )
