"""Moving copied statements to another indentation without changing what they mean: only
lines that start outside a string literal are re-indented."""

from __future__ import annotations

import io
import tokenize

from asset2airflow.migrate.namespace import Unsupported


def reindent(text: str, remove: int, add: str) -> str:
    """``text`` (whole statements) with up to ``remove`` leading blanks taken from, and ``add``
    put before, each line that starts outside a string literal. A line that continues a multi-line
    string (a docstring, a triple-quoted f-string, a string continued with a backslash) is part
    of the string's value and stays byte for byte as written. A statement that cannot be
    tokenized cannot be moved exactly: ``Unsupported`` (the task then runs from the kept
    original file)."""
    inside = _lines_inside_strings(text)
    lines = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if number in inside:
            lines.append(line)
            continue
        blanks = len(line) - len(line.lstrip(" \t"))
        stripped = line[min(blanks, remove) :]
        lines.append(add + stripped if stripped.strip() else stripped)
    return "".join(lines)


def _lines_inside_strings(source: str) -> set[int]:
    """Numbers (from 1) of the lines of ``source`` that begin inside a string literal."""
    starts: list[int] = []  # f-strings tokenized in parts (Python 3.12+)
    inside: set[int] = set()
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
            elif token.type == fstring_start:
                starts.append(token.start[0])
            elif token.type == fstring_end and starts:
                inside.update(range(starts.pop() + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise Unsupported(f"its source cannot be tokenized ({exc})") from None
    return inside
