"""The real uiautomator2 3.x client against virtual handsets, through the real adb server.

``u2.connect`` does what it does on a phone: md5 of ``/data/local/tmp/u2.jar``,
a push when it differs, a refused ``tcp:9008`` probe, the ``app_process``
shell kept open, ``GET /ping`` polling, then one ``tcp:9008`` stream per
JSON-RPC call. Everything here goes through adbutils and the adb server.

``app_start``/``app_current``/``app_stop`` are shell commands (monkey, am,
dumpsys window) that the framework model provides; those tests skip until the
command table has them, and then run by themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uiautomator2 as u2
from lxml import etree

from android_suite.session import Target
from android_suite.virtual.commands import default_commands

pytestmark = pytest.mark.virtual_only

DEADLINE_S = 20.0
_APP_COMMANDS = ("am", "monkey", "dumpsys")
needs_app_commands = pytest.mark.skipif(
    not all(name in default_commands() for name in _APP_COMMANDS),
    reason=f"the framework model's shell commands ({', '.join(_APP_COMMANDS)}) are not in the command table yet",
)


def wait_until(what: str, condition: Callable[[], Any], timeout: float = DEADLINE_S) -> Any:
    """Poll ``condition`` until it is truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)  # poll interval, not a synchronisation delay


@pytest.fixture(scope="module")
def d(handset: Target) -> Iterator[u2.Device]:
    device = u2.connect(handset.serial)
    yield device
    device.stop_uiautomator()


def _home(d: u2.Device) -> str:
    d.press("home")
    package: str = d.info["currentPackageName"]
    return package


def _launcher_labels(d: u2.Device) -> list[str]:
    root = etree.fromstring(d.dump_hierarchy().encode())
    return [n.get("text") for n in root.iter("node") if n.get("clickable") == "true" and n.get("text")]


def test_connect_info_matches_the_handset(d: u2.Device) -> None:
    info = d.info
    width, height = d.window_size()  # adb `wm size`, not JSON-RPC
    assert (info["displayWidth"], info["displayHeight"]) == (width, height)
    assert info["sdkInt"] == int(d.shell(["getprop", "ro.build.version.sdk"]).output.strip())
    assert info["productName"] == d.shell(["getprop", "ro.product.name"]).output.strip()
    assert info["screenOn"] is True
    assert d.jsonrpc.isScreenOn() is True


def test_press_home_and_dump_hierarchy(d: u2.Device) -> None:
    launcher = _home(d)
    xml = d.dump_hierarchy()
    root = etree.fromstring(xml.encode())
    assert root.tag == "hierarchy"
    nodes = list(root.iter("node"))
    assert len(nodes) >= 3
    assert {n.get("package") for n in nodes} == {launcher}
    assert all(n.get("bounds", "").startswith("[") for n in nodes)
    # u2's own XPath layer reads the same dump.
    assert d.xpath("//android.widget.FrameLayout").exists


def test_selectors_find_and_click_by_text(d: u2.Device) -> None:
    launcher = _home(d)
    label = _launcher_labels(d)[0]
    assert d(text=label).exists
    assert not d(text="No such label anywhere").exists
    assert d(text=label).count == 1
    info = d(text=label).info
    assert info["text"] == label and info["clickable"] is True
    d(text=label).click(timeout=5)
    # The launcher's views go once the app is in front (waitUntilGone polls on the device side).
    assert d(packageName=launcher).wait_gone(timeout=DEADLINE_S)
    assert d.info["currentPackageName"] != launcher
    assert _home(d) == launcher
    assert d(packageName=launcher).wait(timeout=DEADLINE_S)


def test_resource_id_lookup_and_missing_object(d: u2.Device) -> None:
    _home(d)
    root = etree.fromstring(d.dump_hierarchy().encode())
    resource_id = next(n.get("resource-id") for n in root.iter("node") if n.get("resource-id"))
    assert d(resourceId=resource_id).exists
    assert d(resourceId=resource_id).wait(timeout=1)
    with pytest.raises(u2.UiObjectNotFoundError):
        d(resourceId="android:id/definitely_missing").click(timeout=0.2)


def test_gestures_and_keys(d: u2.Device) -> None:
    _home(d)
    assert d.swipe(0.5, 0.8, 0.5, 0.3, duration=0.1)
    assert d.swipe_points([(100, 1500), (300, 1200), (500, 900)], duration=0.1)
    assert d.drag(100, 1500, 600, 1500, duration=0.1)
    d.touch.down(200, 1000).move(220, 900).up(220, 900)
    d.click(10, 10)
    d.long_click(10, 10, duration=0.1)
    assert d.press("back") in (True, False)
    assert d.press(4) is True  # pressKeyCode
    assert d.press("no_such_key") is False  # the real server answers false, too
    d.screen_off()
    assert d.info["screenOn"] is False
    d.screen_on()
    assert d.info["screenOn"] is True


def test_screenshot_is_an_image(d: u2.Device) -> None:
    image = d.screenshot()
    width, height = d.window_size()
    assert image.size == (width, height)


def test_unknown_method_fails_loudly(d: u2.Device) -> None:
    with pytest.raises(u2.RPCUnknownError) as err:
        d.jsonrpc.noSuchMethodAnywhere()
    assert "-32601" in str(err.value)


def test_server_restart_and_reconnect(d: u2.Device, handset: Target) -> None:
    d.stop_uiautomator()  # closes the app_process stream; u2 polls /ping until it is gone
    assert not d._check_alive()
    again = u2.connect(handset.serial)  # jar already there: no push, a fresh app_process
    assert again.info["displayWidth"] > 0
    again.stop_uiautomator()
    assert not again._check_alive()
    # The old handle gets a refused tcp:9008 (HTTPError), restarts its own server and retries.
    assert d.info["displayWidth"] > 0
    assert d._check_alive()


@needs_app_commands
def test_app_start_current_stop(d: u2.Device) -> None:
    package = "com.android.settings"
    launcher = _home(d)
    d.app_start(package)
    current = wait_until(f"{package} in front", lambda: (c := d.app_current())["package"] == package and c)
    assert current["activity"]
    assert d.info["currentPackageName"] == package
    d.app_stop(package)
    wait_until(f"{package} to stop", lambda: d.app_current()["package"] != package)
    assert d.app_current()["package"] == launcher
