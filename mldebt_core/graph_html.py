"""A graph of mldebt.graphs as one self-contained HTML page (pyvis, vis-network inlined).

Repository text is untrusted: a file name can carry markup. Each string is escaped once, for
where it lands: node ids in the page are opaque ("n0", "n1", ...); labels and tooltips go as
they are into the page's JSON (pyvis' `tojson` escapes `<`, `>`, `&` and quotes for the
script), because vis-network draws labels on a canvas and shows a string tooltip as text
(`innerText`), so an HTML escape there would show `&lt;`; no tooltip contains "href" (pyvis
would then show every tooltip as HTML, through `innerHTML`); the legend, which is HTML, is
escaped; and no `heading=` is passed (pyvis writes it unescaped). The page makes no network
request: the library is inlined and the Bootstrap CDN tags pyvis always adds are stripped.
"""

import html
import math
import re

import networkx as nx
from pyvis.network import Network

from mldebt_core.graphs import HIGHLIGHT_KINDS, layout
from mldebt_core.palette import GRAPH_EDGE, GRAPH_HIGHLIGHTS, GRAPH_KINDS
from mldebt_core.settings import DEFAULT_GRAPH_SETTINGS

BORDER_WIDTH = {False: 1, True: 4}
"""pixels; a node on a debt path gets a thick border in its finding kind's colour."""
LABEL_SIZE = 16
"""pixels at zoom 1; the drawing is zoomed to fit, so labels stay readable at the layout's scale."""
MIN_RADIUS = 8
"""pixels; radius of a node of size 1, growing with the square root of its size (area ~ size)."""

_NETWORK_REQUESTS = re.compile(
    r'<link[^>]+href="https://cdn\.jsdelivr\.net[^>]*>'
    r'|<script[^>]+src="https://cdn\.jsdelivr\.net[^>]*>\s*</script>'
    r"|//# sourceMappingURL=[^\s<]+",  # developer tools would fetch the source map
    re.S)
_HREF = re.compile("href", re.I)


def graph_html(graph: nx.DiGraph, title: str, height_px: int = DEFAULT_GRAPH_SETTINGS.height_px) -> str:
    """The drawing of `graph` with a legend; positions precomputed, physics off."""
    network = Network(height=f"{height_px}px", width="100%", directed=True, cdn_resources="in_line")
    positions = layout(graph)
    ids = {node: f"n{index}" for index, node in enumerate(graph)}
    for node, data in graph.nodes(data=True):
        x, y = positions[node]
        network.add_node(ids[node], label=_label(data), title=_tooltip(node, data), x=x, y=y,
                         shape="square" if "members" in data else "dot",
                         size=MIN_RADIUS * math.sqrt(data.get("size", 1)),
                         color=_node_colour(data), borderWidth=BORDER_WIDTH["highlight" in data],
                         font={"size": LABEL_SIZE})
    for u, v, data in graph.edges(data=True):
        weight = data.get("weight", 1)
        network.add_edge(ids[u], ids[v], width=1 + math.log2(weight),
                         color=GRAPH_HIGHLIGHTS.get(data.get("highlight"), GRAPH_EDGE),
                         title=_tooltip_text(_edge_lines(data, weight)))
    network.toggle_physics(False)
    page = _NETWORK_REQUESTS.sub("", network.generate_html())
    return page.replace("<body>", "<body>\n" + _legend(graph, title), 1)


def _text(value: object) -> str:
    """For the legend, which is HTML. quote=False: the text lands in element content, never in an attribute, and
    quotes stay readable."""
    return html.escape(str(value), quote=False)


def _tooltip_text(lines: list[str]) -> str:
    # text, not HTML (vis-network shows it with innerText); a zero-width space breaks every "href", which would
    # switch pyvis to its own tooltips that use innerHTML
    return _HREF.sub(lambda match: match[0][0] + "\u200b" + match[0][1:], "\n".join(lines))


def _label(data: dict) -> str:
    members = data.get("members")
    return f"{data['label']} ({len(members)})" if members else data["label"]


def _tooltip(node: str, data: dict) -> str:
    lines = [node, f"kind: {data['kind']}", f"fan-in: {data.get('fan_in', 0)}"]
    if data.get("members"):
        lines.append(f"group of {len(data['members'])}")
    if data.get("highlight"):
        lines.append(f"on a {data['highlight']} path")
    return _tooltip_text(lines)


def _edge_lines(data: dict, weight: int) -> list[str]:
    lines = [data["mode"]] if "mode" in data else []
    if weight > 1:
        lines.append(f"{weight} edges")
    if data.get("highlight"):
        lines.append(f"on a {data['highlight']} path")
    return lines


def _node_colour(data: dict) -> dict:
    fill = GRAPH_KINDS.get(data["kind"], GRAPH_KINDS["other"])
    return {"background": fill, "border": GRAPH_HIGHLIGHTS.get(data.get("highlight"), fill)}


def _legend(graph: nx.DiGraph, title: str) -> str:
    kinds = sorted({data["kind"] for _, data in graph.nodes(data=True)})
    highlights = [kind for kind in HIGHLIGHT_KINDS
                  if any(data.get("highlight") == kind for _, data in graph.nodes(data=True))]
    items = [_swatch(GRAPH_KINDS.get(kind, GRAPH_KINDS["other"]), kind, filled=True) for kind in kinds]
    items += [_swatch(GRAPH_HIGHLIGHTS[kind], kind.replace("_", " "), filled=False) for kind in highlights]
    if any("members" in data for _, data in graph.nodes(data=True)):
        items.append(_text("■ square: a group of nodes (count in brackets)"))
    items.append(_text("size: fan-in"))
    return (f'<div style="font: 13px sans-serif; margin: 4px 0">'
            f'<strong>{_text(title)}</strong><br>{" &nbsp; ".join(items)}</div>')


def _swatch(colour: str, name: str, filled: bool) -> str:
    style = f"background: {colour}" if filled else f"border: 3px solid {colour}"
    return (f'<span style="display: inline-block; width: 10px; height: 10px; {style}"></span> '
            f"{_text(name)}")
