"""JSON-RPC envelopes: results, and the error shapes uiautomator2's client interprets."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from android_suite.virtual.u2.jsonrpc import (
    METHOD_NOT_FOUND,
    SERVER_EXCEPTION,
    UI_OBJECT_NOT_FOUND,
    Method,
    dispatch,
    java_exception,
)


async def add(a: int, b: int) -> int:
    return a + b


async def nothing() -> None:
    return None


async def missing(selector: Any) -> None:
    raise java_exception(UI_OBJECT_NOT_FOUND, f"UiSelector{selector!r}")


async def buggy() -> None:
    raise KeyError("oops")


METHODS: dict[str, Method] = {"add": add, "nothing": nothing, "missing": missing, "buggy": buggy}


def call(method: str, params: object = None, unknown: list[str] | None = None) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    on_unknown = unknown.append if unknown is not None else None
    reply: dict[str, Any] = json.loads(asyncio.run(dispatch(body, METHODS, on_unknown)))
    return reply


def test_result_with_positional_params() -> None:
    assert call("add", [2, 3]) == {"jsonrpc": "2.0", "id": 1, "result": 5}


def test_empty_named_params_mean_no_arguments() -> None:
    # u2's JSONRpcWrapper sends {} when a call has only keyword options (deviceInfo(http_timeout=10)).
    assert call("nothing", {})["result"] is None
    assert call("nothing")["result"] is None


def test_unknown_method_is_32601_and_recorded() -> None:
    seen: list[str] = []
    reply = call("frobnicate", [], seen)
    assert reply["error"]["code"] == METHOD_NOT_FOUND
    assert reply["error"]["message"] == "method not found"
    assert seen == ["frobnicate"]


def test_wrong_arity_is_invalid_params() -> None:
    assert call("add", [1])["error"]["code"] == -32602
    assert call("add", {"a": 1, "b": 2})["error"]["code"] == -32602


def test_thrown_exception_carries_the_java_class_name() -> None:
    error = call("missing", [{"text": "x"}])["error"]
    assert error["code"] == SERVER_EXCEPTION
    # u2 raises UiObjectNotFoundError when the message contains this class name.
    assert "uiautomator.UiObjectNotFoundException" in error["message"]
    assert error["data"].startswith(UI_OBJECT_NOT_FOUND + ": UiSelector")


def test_bug_in_a_method_is_a_runtime_exception_not_a_crash() -> None:
    error = call("buggy")["error"]
    assert (error["code"], error["message"]) == (SERVER_EXCEPTION, "java.lang.RuntimeException")
    assert "KeyError" in error["data"]


def test_unparsable_and_invalid_requests() -> None:
    assert json.loads(asyncio.run(dispatch(b"{nope", METHODS)))["error"]["code"] == -32700
    assert json.loads(asyncio.run(dispatch(b"[1, 2]", METHODS)))["error"]["code"] == -32600
