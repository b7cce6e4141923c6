"""``$((...))`` as mksh evaluates it: 32-bit signed integers that wrap around.

mksh's ``mksh_ari_t`` is ``int32_t`` on every platform (expr.c does the maths
in ``uint32_t`` and reinterprets), so ``$((2147483647 + 1))`` is
``-2147483648`` on a phone even though bash on a host says ``2147483648``.
Scripts that add up jiffies or byte counts on a phone have to cope with that,
so the fake wraps too. Division truncates toward zero and ``%`` takes the
sign of the dividend (C semantics). Numbers are decimal (a leading 0 is not
octal in mksh), ``0x`` hex or ``BASE#digits``; a variable's value is itself
evaluated as an expression, an unset or empty one is 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

Getter = Callable[[str], str | None]
Setter = Callable[[str, str], None]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d[0-9A-Za-z#]*)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|"
    r"(?P<op><<=|>>=|\+\+|--|==|!=|<=|>=|&&|\|\||<<|>>|[-+*/%&|^]=|[-+*/%<>&|^!~?:=(),]))"
)
_BINARY = {  # operator -> precedence (higher binds tighter), as in mksh expr.c
    ",": 1,
    "||": 4,
    "&&": 5,
    "|": 6,
    "^": 7,
    "&": 8,
    "==": 9,
    "!=": 9,
    "<": 10,
    "<=": 10,
    ">": 10,
    ">=": 10,
    "<<": 11,
    ">>": 11,
    "+": 12,
    "-": 12,
    "*": 13,
    "/": 13,
    "%": 13,
}
_ASSIGN = frozenset(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^="])
_MAX_DEPTH = 32

Ast = tuple[object, ...]


class ArithError(Exception):
    """Reads like mksh's: ``1/0: zero divisor``, ``1+: unexpected 'end of expression'``."""


def wrap32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - 0x100000000 if value & 0x80000000 else value


def parse_number(text: str) -> int | None:
    """A literal as mksh's getint reads it; None if it is not a number."""
    text = text.strip()
    negative = text.startswith("-")
    body = text[1:] if negative else text
    try:
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", body):
            value = int(body, 16)
        elif re.fullmatch(r"\d+", body):
            value = int(body)
        elif m := re.fullmatch(r"(\d+)#([0-9A-Za-z]+)", body):
            value = int(m.group(2), int(m.group(1)))
        else:
            return None
    except ValueError:  # a digit too big for its base, or base > 36
        return None
    return wrap32(-value if negative else value)


@lru_cache(maxsize=512)
def _parse(expr: str) -> Ast:
    return _Parser(expr).parse()


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(expr):
            m = _TOKEN.match(expr, pos)
            if m is None:
                if not expr[pos:].strip():
                    break
                bad = expr[pos:].strip()[0]
                raise ArithError(f"{expr}: unexpected '{bad}'")
            kind = m.lastgroup or "op"
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def error(self, tok: tuple[str, str]) -> ArithError:
        shown = "end of expression" if tok[0] == "end" else tok[1]
        return ArithError(f"{self.expr}: unexpected '{shown}'")

    def parse(self) -> Ast:
        if not self.tokens:
            return ("num", 0)
        node = self.expression(0)
        if self.peek()[0] != "end":
            raise self.error(self.peek())
        return node

    def expression(self, min_prec: int) -> Ast:
        left = self.assignment()
        while True:
            kind, op = self.peek()
            prec = _BINARY.get(op, 0) if kind == "op" else 0
            if prec == 0 and op != "?":
                return left
            if op == "?":
                if min_prec > 3:
                    return left
                self.take()
                then = self.expression(0)
                if self.take() != ("op", ":"):
                    raise ArithError(f"{self.expr}: missing :")
                left = ("?", left, then, self.expression(3))
                continue
            if prec < min_prec:
                return left
            self.take()
            left = ("bin", op, left, self.expression(prec + 1))

    def assignment(self) -> Ast:
        kind, text = self.peek()
        nxt = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else ("end", "")
        if kind == "name" and nxt[0] == "op" and nxt[1] in _ASSIGN:
            self.i += 2
            return ("asn", nxt[1], text, self.expression(2))
        return self.unary()

    def unary(self) -> Ast:
        kind, text = self.take()
        if kind == "op" and text in ("-", "+", "!", "~"):
            return ("un", text, self.unary())
        if kind == "op" and text in ("++", "--"):
            name = self.take()
            if name[0] != "name":
                raise ArithError(f"{self.expr}: {text} requires lvalue")
            return ("pre", text, name[1])
        if kind == "op" and text == "(":
            inner = self.expression(0)
            if self.take() != ("op", ")"):
                raise ArithError(f"{self.expr}: missing )")
            return inner
        if kind == "num":
            value = parse_number(text)
            if value is None:
                raise ArithError(f"{self.expr}: bad number '{text}'")
            return ("num", value)
        if kind == "name":
            if self.peek() in (("op", "++"), ("op", "--")):
                return ("post", self.take()[1], text)
            return ("var", text)
        raise self.error((kind, text))


class _Evaluator:
    def __init__(self, get: Getter, set_: Setter, depth: int) -> None:
        self.get = get
        self.set = set_
        self.depth = depth

    def var(self, name: str) -> int:
        text = self.get(name)
        if text is None or not text.strip():
            return 0
        value = parse_number(text)
        if value is not None:
            return value
        if self.depth >= _MAX_DEPTH:
            raise ArithError(f"{text}: expression recurses on parameter '{name}'")
        return evaluate(text, self.get, self.set, self.depth + 1)

    def assign(self, name: str, value: int) -> int:
        self.set(name, str(value))
        return value

    def run(self, node: Ast) -> int:
        tag = node[0]
        if tag == "num":
            return node[1]  # type: ignore[return-value]
        if tag == "var":
            return self.var(str(node[1]))
        if tag == "un":
            value = self.run(node[2])  # type: ignore[arg-type]
            op = node[1]
            return wrap32(-value if op == "-" else value if op == "+" else int(not value) if op == "!" else ~value)
        if tag in ("pre", "post"):
            name = str(node[2])
            old = self.var(name)
            new = self.assign(name, wrap32(old + (1 if node[1] == "++" else -1)))
            return new if tag == "pre" else old
        if tag == "?":
            return self.run(node[2] if self.run(node[1]) else node[3])  # type: ignore[arg-type]
        if tag == "asn":
            op, name = str(node[1]), str(node[2])
            right = self.run(node[3])  # type: ignore[arg-type]
            value = right if op == "=" else binary(op[:-1], self.var(name), right, "")
            return self.assign(name, value)
        op = str(node[1])
        left = self.run(node[2])  # type: ignore[arg-type]
        if op == "&&":
            return int(bool(left) and bool(self.run(node[3])))  # type: ignore[arg-type]
        if op == "||":
            return int(bool(left) or bool(self.run(node[3])))  # type: ignore[arg-type]
        return binary(op, left, self.run(node[3]), "")  # type: ignore[arg-type]


def binary(op: str, a: int, b: int, expr: str) -> int:
    if op in ("/", "%"):
        if b == 0:
            raise ArithError(f"{expr}: zero divisor" if expr else "zero divisor")
        quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)  # truncates toward zero
        return wrap32(quotient if op == "/" else a - quotient * b)
    if op in ("<<", ">>"):
        b &= 31
        return wrap32(a << b) if op == "<<" else a >> b  # >> of a negative int32 is arithmetic
    result = {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "<": lambda: int(a < b),
        "<=": lambda: int(a <= b),
        ">": lambda: int(a > b),
        ">=": lambda: int(a >= b),
        "==": lambda: int(a == b),
        "!=": lambda: int(a != b),
        "&": lambda: a & b,
        "|": lambda: a | b,
        "^": lambda: a ^ b,
        ",": lambda: b,
    }[op]()
    return wrap32(result)


def evaluate(expr: str, get: Getter, set_: Setter, depth: int = 0) -> int:
    """Evaluate ``expr`` (already parameter-expanded); raises ArithError."""
    try:
        return _Evaluator(get, set_, depth).run(_parse(expr))
    except ArithError as exc:
        if str(exc) == "zero divisor":
            raise ArithError(f"{expr}: zero divisor") from None
        raise
