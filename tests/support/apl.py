"""APL for the tests: a structural check of the skill's documents, and a faithful HTML
stand-in that draws them (with the data bound) so a headless browser can take a picture.

The check covers what the skill's documents use: the document's shape (type, version, the
alexa-layouts import, one `payload` parameter), every component a known APL component or
Alexa Layouts responsive component with only properties it has, every `@resource` one
alexa-styles defines, and every `${...}` binding resolving against the datasource. The
stand-in draws the same subset (Container, Text, Sequence; AlexaHeader, AlexaProgressBar) in
the dark theme's colours and type ramp; it is not Amazon's renderer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

COMMON = {"type", "when", "width", "height", "grow", "shrink", "description"}
PADDING = {"paddingLeft", "paddingRight", "paddingTop", "paddingBottom"}
COMPONENTS: dict[str, set[str]] = {
    "Container": COMMON | PADDING | {"items", "direction", "data", "alignItems", "justifyContent"},
    "Sequence": COMMON | PADDING | {"items", "data", "scrollDirection"},
    "Text": COMMON | PADDING | {"text", "style", "color", "fontWeight", "fontSize", "textAlign", "maxLines"},
    "AlexaHeader": COMMON | {"headerTitle", "headerSubtitle", "headerDivider", "headerBackButton"},
    "AlexaProgressBar": COMMON
    | {"progressBarType", "progressValue", "totalValue", "bufferValue", "accessibilityLabel", "progressFillColor"},
}
# alexa-styles resources the documents may name, with the dark theme's values for the stand-in.
RESOURCES = {
    "@marginHorizontal": "48px",
    "@spacingXSmall": "12px",
    "@spacingSmall": "24px",
    "@spacingMedium": "32px",
    "@spacingXLarge": "56px",
    "@colorAccent": "#00caff",
    "@colorText": "#fafafa",
}
STYLES = {
    "textStyleDisplay4": ("48px", "300", "#fafafa"),
    "textStyleBody": ("28px", "400", "#fafafa"),
    "textStyleDetail": ("22px", "400", "#c5c5c5"),
    "textStyleHint": ("20px", "400", "#a0a0a0"),
}
_BINDING = re.compile(r"\$\{([^}]*)\}")
_TERNARY = re.compile(r"^\s*([\w.]+)\s*\?\s*'([^']*)'\s*:\s*'([^']*)'\s*$")
_COMPARE = re.compile(r"^\s*([\w.]+)\s*(==|!=)\s*'([^']*)'\s*$")
SHAPES = ("rectangle", "round")


class InvalidDocument(AssertionError):
    pass


def check(document: dict[str, Any], payload: dict[str, Any]) -> None:
    """Raise InvalidDocument where the document is not APL the skill may send with `payload`."""
    if document.get("type") != "APL" or not re.fullmatch(r"\d{4}\.\d", str(document.get("version"))):
        raise InvalidDocument("not an APL document with a version")
    if {"name": "alexa-layouts", "version": "1.7.0"} not in document.get("import", []):
        raise InvalidDocument("the responsive components need the alexa-layouts import")
    template = document.get("mainTemplate") or {}
    if template.get("parameters") != ["payload"] or not template.get("items"):
        raise InvalidDocument("mainTemplate takes the payload and draws items")
    for shape in SHAPES:
        drawn = [item for item in template["items"] if _shown(item, _scope(payload, shape))]
        if not drawn:
            raise InvalidDocument(f"nothing is drawn on a {shape} screen")
    for component, scope in _walk(template["items"], _scope(payload, SHAPES[0])):
        kind = component.get("type")
        if kind not in COMPONENTS:
            raise InvalidDocument(f"unknown component {kind!r}")
        unknown = set(component) - COMPONENTS[kind]
        if unknown:
            raise InvalidDocument(f"{kind} has no property {sorted(unknown)}")
        for name, value in component.items():
            if name in ("items", "data") or not isinstance(value, str):
                continue
            if value.startswith("@") and value not in RESOURCES and value not in STYLES:
                raise InvalidDocument(f"{kind}.{name}: unknown resource {value}")
            for expression in _BINDING.findall(value):
                evaluate(expression, scope)  # raises on a path the data lacks


def _scope(payload: dict[str, Any], shape: str) -> dict[str, Any]:
    return {"payload": payload, "viewport": {"shape": shape}}


def _shown(component: dict[str, Any], scope: dict[str, Any]) -> bool:
    when = component.get("when")
    return when is None or bool(bound(when, scope))


def _walk(items: list[dict[str, Any]], scope: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for item in items:
        yield item, scope
        children = item.get("items") or []
        if "data" in item:
            rows = evaluate(_BINDING.fullmatch(item["data"])[1], scope)  # type: ignore[index]
            if not isinstance(rows, list) or not rows:
                raise InvalidDocument(f"{item['type']}.data is not a list with rows")
            for row in rows:
                yield from _walk(children, {**scope, "data": row})
        else:
            yield from _walk(children, scope)


def evaluate(expression: str, scope: dict[str, Any]) -> Any:
    """The value of a binding the documents use: a path, or `path ? 'a' : 'b'`."""
    ternary = _TERNARY.match(expression)
    if ternary:
        return ternary[2] if evaluate(ternary[1], scope) else ternary[3]
    compare = _COMPARE.match(expression)
    if compare:
        return (evaluate(compare[1], scope) == compare[3]) == (compare[2] == "==")
    value: Any = scope
    for part in expression.strip().split("."):
        if not isinstance(value, dict) or part not in value:
            raise InvalidDocument(f"${{{expression}}} does not resolve")
        value = value[part]
    return value


def bound(value: Any, scope: dict[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    whole = _BINDING.fullmatch(value)
    value = evaluate(whole[1], scope) if whole else _BINDING.sub(lambda m: str(evaluate(m[1], scope)), value)
    return RESOURCES.get(value, value) if isinstance(value, str) else value


def to_html(document: dict[str, Any], payload: dict[str, Any], width: int, height: int, round_: bool = False) -> str:
    """A page drawing the document with its data, at a viewport's size."""
    scope = _scope(payload, "round" if round_ else "rectangle")
    # The first of the main template's items whose `when` holds is the one drawn.
    first = next(item for item in document["mainTemplate"]["items"] if _shown(item, scope))
    body = _draw(first, scope)
    clip = "border-radius:50%;overflow:hidden;" if round_ else ""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "html,body{margin:0;background:#000;font-family:'Bookerly','Amazon Ember',Helvetica,Arial,sans-serif;}"
        f".screen{{width:{width}px;height:{height}px;background:#232f3e;color:#fafafa;{clip}"
        "display:flex;flex-direction:column;box-sizing:border-box;}"
        "</style></head><body><div class='screen'>" + body + "</div></body></html>"
    )


def _style(component: dict[str, Any], scope: dict[str, Any]) -> str:
    css = []
    for name in PADDING:
        if name in component:
            side = name.removeprefix("padding").lower()
            css.append(f"padding-{side}:{bound(component[name], scope)}")
    for name in ("width", "height"):
        if name in component:
            css.append(f"{name}:{bound(component[name], scope)};flex-shrink:0")
    if component.get("grow"):
        css.append(f"flex-grow:{component['grow']}")
    if component.get("shrink"):
        css.append("flex-shrink:1;min-height:0;overflow:hidden")
    return ";".join(css)


def _draw(component: dict[str, Any], scope: dict[str, Any]) -> str:
    if not _shown(component, scope):
        return ""
    kind = component["type"]
    style = _style(component, scope)
    if kind in ("Container", "Sequence"):
        direction = "row" if component.get("direction") == "row" else "column"
        for name, css in (("alignItems", "align-items"), ("justifyContent", "justify-content")):
            if name in component:
                style += f";{css}:{component[name]}"
        children = component.get("items") or []
        rows = [scope]
        if "data" in component:
            rows = [{**scope, "data": row} for row in bound(component["data"], scope)]
        inner = "".join(_draw(child, row) for row in rows for child in children)
        return f"<div style='display:flex;flex-direction:{direction};box-sizing:border-box;{style}'>{inner}</div>"
    if kind == "Text":
        size, weight, color = STYLES.get(component.get("style", "textStyleBody"), STYLES["textStyleBody"])
        weight = "700" if bound(component.get("fontWeight"), scope) == "bold" else weight
        color = bound(component.get("color"), scope) or color
        text = html.escape(str(bound(component.get("text", ""), scope)))
        align = f"text-align:{component['textAlign']};" if "textAlign" in component else ""
        css = f"font-size:{size};font-weight:{weight};color:{color};line-height:1.25;{align}{style}"
        return f"<div style='{css}'>{text}</div>"
    if kind == "AlexaHeader":
        title = html.escape(str(bound(component.get("headerTitle", ""), scope)))
        subtitle = html.escape(str(bound(component.get("headerSubtitle", ""), scope)))
        return (
            "<div style='padding:28px 48px 12px 48px'>"
            f"<div style='font-size:32px;font-weight:500'>{title}</div>"
            f"<div style='font-size:20px;color:#c5c5c5;margin-top:4px'>{subtitle}</div></div>"
        )
    if kind == "AlexaProgressBar":
        done = float(bound(component.get("progressValue", 0), scope))
        total = float(bound(component.get("totalValue", 1), scope)) or 1.0
        share = max(0.0, min(1.0, done / total)) * 100
        return (
            "<div style='height:10px;background:#4a5563;border-radius:5px;margin-top:16px;align-self:stretch'>"
            f"<div style='width:{share:.1f}%;height:10px;background:#00caff;border-radius:5px'></div></div>"
        )
    raise InvalidDocument(f"the stand-in cannot draw {kind}")
