"""The u2 server's JSON-RPC methods against a StubUi."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from typing import Any

import pytest
from PIL import Image
from uiautomator2._selector import Selector

from android_suite.virtual.u2.jsonrpc import RpcError
from android_suite.virtual.u2.service import AutomatorService, DisplayState
from android_suite.virtual.u2.stub_ui import StubUi

APPS = ("com.android.settings", "com.android.chrome")


def make() -> tuple[AutomatorService, StubUi]:
    ui = StubUi(width=1080, height=2400, apps=APPS)
    return AutomatorService(ui, sdk_int=34, product_name="rubens", density=440, display=DisplayState()), ui


def rpc(service: AutomatorService, method: str, *params: Any) -> Any:
    wire = json.loads(json.dumps(params))  # what survives the trip from u2's client

    async def go() -> Any:
        return await service.methods()[method](*wire)

    return asyncio.run(go())


def sel(**kwargs: Any) -> Selector:
    return Selector(**kwargs)


def test_device_info_fields() -> None:
    service, ui = make()
    assert rpc(service, "deviceInfo") == {
        "currentPackageName": ui.launcher,
        "displayHeight": 2400,
        "displayRotation": 0,
        "displaySizeDpX": 393,
        "displaySizeDpY": 873,
        "displayWidth": 1080,
        "productName": "rubens",
        "screenOn": True,
        "sdkInt": 34,
        "naturalOrientation": True,
    }
    rpc(service, "sleep")
    assert rpc(service, "deviceInfo")["screenOn"] is False and rpc(service, "isScreenOn") is False
    rpc(service, "wakeUp")
    assert rpc(service, "isScreenOn") is True


def test_click_on_a_launcher_icon_launches_and_keys_navigate() -> None:
    service, ui = make()
    info = rpc(service, "objInfo", sel(text="Chrome"))
    bounds = info["bounds"]
    assert rpc(service, "click", (bounds["left"] + bounds["right"]) // 2, (bounds["top"] + bounds["bottom"]) // 2)
    assert ui.foreground() == ("com.android.chrome", "com.android.chrome.MainActivity")
    assert rpc(service, "exist", sel(resourceId="com.android.chrome:id/title"))
    assert rpc(service, "pressKey", "home") is True
    assert ui.foreground()[0] == ui.launcher
    assert rpc(service, "click", sel(text="Settings")) is True  # click(selector) form
    assert rpc(service, "pressKeyCode", 4) is True
    assert ui.foreground()[0] == ui.launcher
    assert rpc(service, "pressKey", "RECENT") is True
    assert rpc(service, "pressKey", "no_such_key") is False
    assert ui.keys == ["home", 4, "recent"]


def test_gestures_reach_the_framework_with_durations() -> None:
    service, ui = make()
    rpc(service, "swipe", 500, 1800, 500, 600, 20)
    rpc(service, "drag", 10, 20, 30, 40, 100)
    rpc(service, "swipePoints", [100, 200, 150, 250, 300, 400], 10)
    rpc(service, "click", 50, 60, 800)  # long click
    assert ui.swipes == [
        (500, 1800, 500, 600, pytest.approx(0.1)),
        (10, 20, 30, 40, pytest.approx(0.5)),
        (100, 200, 300, 400, pytest.approx(0.1)),
        (50, 60, 50, 60, pytest.approx(0.8)),
    ]
    with pytest.raises(RpcError, match="IllegalArgumentException"):
        rpc(service, "swipe", "a", 1, 2, 3, 4)


def test_inject_input_event_tap_and_drag() -> None:
    service, ui = make()
    rpc(service, "injectInputEvent", 0, 10, 10, 0)
    rpc(service, "injectInputEvent", 1, 10, 10, 0)
    rpc(service, "injectInputEvent", 0, 10, 10, 0)
    rpc(service, "injectInputEvent", 2, 10, 500, 0)
    rpc(service, "injectInputEvent", 1, 10, 900, 0)
    assert ui.taps == [(10, 10)]
    assert ui.swipes[0][:4] == (10, 10, 10, 900)


def test_selector_methods() -> None:
    service, _ = make()
    assert rpc(service, "count", sel(className="android.widget.TextView")) == 2
    assert [i["text"] for i in rpc(service, "objInfoOfAllInstances", sel(clickable=True))] == ["Settings", "Chrome"]
    assert rpc(service, "getText", sel(description="Chrome")) == "Chrome"
    assert rpc(service, "waitForExists", sel(text="Settings"), 0) is True
    assert rpc(service, "waitForExists", sel(text="Nope"), 0) is False
    assert rpc(service, "waitUntilGone", sel(text="Nope"), 0) is True
    with pytest.raises(RpcError) as err:
        rpc(service, "objInfo", sel(text="Nope"))
    assert "UiObjectNotFoundException" in err.value.message


def test_wait_until_gone_sees_the_ui_change() -> None:
    service, ui = make()

    async def go() -> bool:
        asyncio.get_running_loop().call_soon(ui.launch, "com.android.settings")
        return bool(await service.methods()["waitUntilGone"](dict(sel(text="Chrome")), 5000))

    assert asyncio.run(go()) is True
    assert ui.foreground()[0] == "com.android.settings"


def test_dump_and_screenshot() -> None:
    service, ui = make()
    xml = rpc(service, "dumpWindowHierarchy", False, 50)
    assert f'package="{ui.launcher}"' in xml and 'text="Chrome"' in xml
    assert rpc(service, "dumpWindowHierarchy", False, 50, True) == xml
    image = Image.open(io.BytesIO(base64.b64decode(rpc(service, "takeScreenshot", 1, 80))))
    assert image.size == (1080, 2400)
    assert Image.open(io.BytesIO(base64.b64decode(rpc(service, "takeScreenshot", 0.5, 80)))).size == (540, 1200)
