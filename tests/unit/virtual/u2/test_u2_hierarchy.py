"""The dump XML (read by u2's own xpath code) and UiSelector matching (built by u2's Selector)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree
from uiautomator2._selector import Selector
from uiautomator2.xpath import PageSource, XPath

from android_suite.virtual.u2.hierarchy import flatten, obj_info, render
from android_suite.virtual.u2.jsonrpc import RpcError
from android_suite.virtual.u2.selector import find_all, find_one
from android_suite.virtual.u2.stub_ui import StubUi
from android_suite.virtual.u2.ui import UiNode, as_node, as_roots

PKG = "com.example.app"
TREE = UiNode(
    "android.widget.FrameLayout",
    bounds=(0, 0, 1080, 2400),
    children=(
        UiNode(
            "android.widget.LinearLayout",
            resource_id=f"{PKG}:id/list",
            bounds=(0, 100, 1080, 2400),
            scrollable=True,
            children=(
                UiNode(
                    "android.widget.TextView", text="Alpha", resource_id=f"{PKG}:id/row", bounds=(0, 100, 1080, 300)
                ),
                UiNode(
                    "android.widget.TextView",
                    text="Beta <&\"'>",
                    resource_id=f"{PKG}:id/row",
                    bounds=(0, 300, 1080, 500),
                ),
                UiNode(
                    "android.widget.Button",
                    text="OK",
                    bounds=(0, 500, 540, 700),
                    clickable=True,
                    content_desc="confirm",
                ),
            ),
        ),
    ),
)


def wire(**kwargs: Any) -> dict[str, Any]:
    """A selector as u2 builds it and as it arrives after the JSON round trip."""
    selector = Selector(**kwargs)
    return dict(json.loads(json.dumps(selector)))


def texts(selector: dict[str, Any]) -> list[str]:
    flat = flatten([TREE], PKG)
    return [flat[i].node.text for i in find_all(flat, selector)]


def test_dump_is_well_formed_and_u2_xpath_reads_it() -> None:
    xml = render([TREE], PKG)
    assert xml.startswith("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\r\n<hierarchy rotation=\"0\">")
    root = etree.fromstring(xml.encode())
    assert [n.get("index") for n in root.iter("node")] == ["0", "0", "0", "1", "2"]
    source = PageSource(xml)
    alpha, beta = source.find_elements(XPath(f"{PKG}:id/row"))
    assert beta.text == "Beta <&\"'>"  # escaping survives the round trip
    assert alpha.info["text"] == "Alpha" and alpha.info["packageName"] == PKG
    [ok] = source.find_elements(XPath("confirm"))
    assert ok.center() == (270, 600) and ok.info["clickable"] is True
    assert len(source.find_elements("//android.widget.TextView")) == 2


def test_max_depth_cuts_the_tree() -> None:
    root = etree.fromstring(render([TREE], PKG, max_depth=2).encode())
    assert len(list(root.iter("node"))) == 2


def test_selectors_by_text_resource_id_and_more() -> None:
    assert texts(wire(text="Alpha")) == ["Alpha"]
    assert texts(wire(resourceId=f"{PKG}:id/row")) == ["Alpha", "Beta <&\"'>"]
    assert texts(wire(textContains="et")) == ["Beta <&\"'>"]
    assert texts(wire(textMatches="A.*")) == ["Alpha"]
    assert texts(wire(classNameMatches=r".*\.Button", clickable=True)) == ["OK"]
    assert texts(wire(description="confirm")) == ["OK"]
    assert texts(wire(packageName=PKG, index=1, className="android.widget.TextView")) == ["Beta <&\"'>"]
    assert texts(wire(text="Gamma")) == []


def test_instance_child_and_sibling() -> None:
    flat = flatten([TREE], PKG)
    second = find_one(flat, wire(resourceId=f"{PKG}:id/row", instance=1))
    assert second is not None and second.node.text.startswith("Beta")
    assert find_one(flat, wire(resourceId=f"{PKG}:id/row", instance=5)) is None
    child = Selector(resourceId=f"{PKG}:id/list").child(className="android.widget.Button")
    assert texts(dict(json.loads(json.dumps(child)))) == ["OK"]
    sibling = Selector(text="Alpha").sibling(className="android.widget.TextView")
    assert texts(dict(json.loads(json.dumps(sibling)))) == ["Beta <&\"'>"]


def test_bad_selectors_fail_loudly() -> None:
    flat = flatten([TREE], PKG)
    with pytest.raises(RpcError, match="IllegalArgumentException"):
        find_all(flat, {"mask": 0, "frobnicate": 1})
    with pytest.raises(RpcError, match="PatternSyntaxException"):
        find_all(flat, wire(textMatches="(("))


def test_obj_info_fields_u2_reads() -> None:
    ok = find_one(flatten([TREE], PKG), wire(text="OK"))
    assert ok is not None
    info = obj_info(ok)
    assert info["bounds"] == {"left": 0, "top": 500, "right": 540, "bottom": 700}
    assert info["visibleBounds"] == info["bounds"]
    assert (info["className"], info["contentDescription"], info["resourceName"]) == (
        "android.widget.Button",
        "confirm",
        None,
    )
    assert info["packageName"] == PKG and info["childCount"] == 0


def test_nodes_from_mappings_and_objects() -> None:
    node = as_node(
        {
            "class": "android.widget.FrameLayout",
            "bounds": "[0,0][10,20]",
            "children": [
                {
                    "class_name": "android.widget.TextView",
                    "text": "Hi",
                    "resource-id": "a:id/b",
                    "bounds": [1, 2, 3, 4],
                    "clickable": 1,
                }
            ],
        }
    )
    assert node.bounds == (0, 0, 10, 20)
    assert node.children[0] == UiNode(
        "android.widget.TextView", text="Hi", resource_id="a:id/b", bounds=(1, 2, 3, 4), clickable=True
    )
    assert as_roots(None) == [] and as_roots([node, node]) == [node, node]
    with pytest.raises(ValueError, match="class name"):
        as_node({"text": "no class"})


def test_stub_launcher_tree_renders() -> None:
    ui = StubUi(apps=("com.android.settings", "com.android.chrome"))
    xml = render(as_roots(ui.ui_tree(ui.launcher)), ui.launcher)
    labels = [e.text for e in PageSource(xml).find_elements("//android.widget.TextView")]
    assert labels == ["Settings", "Chrome"]


def test_flat_nodes_with_depth_are_nested() -> None:
    # The framework model lists nodes in document order with their depth.
    flat = [
        {"depth": 0, "class_name": "android.widget.FrameLayout", "bounds": (0, 0, 100, 100)},
        {"depth": 1, "class_name": "android.view.ViewGroup", "bounds": (0, 10, 100, 100)},
        {"depth": 2, "class_name": "android.widget.TextView", "text": "a", "bounds": (0, 10, 50, 50)},
        {"depth": 2, "class_name": "android.widget.TextView", "text": "b", "bounds": (50, 10, 100, 50)},
        {"depth": 1, "class_name": "android.widget.Button", "text": "c", "bounds": (0, 50, 100, 100)},
        {"depth": 0, "class_name": "android.widget.FrameLayout", "bounds": (0, 0, 100, 10)},
    ]
    first, second = as_roots(flat)
    assert [c.class_name for c in first.children] == ["android.view.ViewGroup", "android.widget.Button"]
    assert [c.text for c in first.children[0].children] == ["a", "b"]
    assert second.children == ()
    with pytest.raises(ValueError, match="no parent"):
        as_roots([{"depth": 1, "class_name": "x"}])
