"""The one palette of every figure and drawing: severities, sides of a comparison, alerts, verdicts, graph nodes.

Colours mean the same thing everywhere: red marks what needs action, blue the reference (holdout, the usual
state), and severities run from pale blue (low) to dark red (critical).
"""

SEVERITIES = {"low": "#9ecae1", "medium": "#fdae6b", "high": "#e6550d", "critical": "#a50f15"}
ALERT = "#d62728"
"""a breach, an alert, a flagged window"""
BASE = "#1f77b4"
"""a single series, and the quantile bands (as rgba of BASE_RGB at growing opacity)"""
BASE_RGB = "31, 119, 180"
SIDES = {"holdout": ("#4c78a8", "rgba(76,120,168,0.2)"), "treatment": ("#e45756", "rgba(228,87,86,0.2)")}
"""(line, interval band) of each side of a holdout comparison"""
VERDICTS = {"stays": "#4c78a8", "driver": "#1b3a5c", "legacy": "#e45756", "correlated": "#f58518",
            "bundled": "#b279a2", "epsilon": "#9d755d"}
"""ablation: what becomes of a feature"""
GRAPH_KINDS = {"module": "#9ecae9", "code": "#4c78a8", "data": "#54a24b", "model": "#b279a2",
               "prediction": "#eeca3b", "other": "#bab0ac"}
"""node fill per kind in the dependency drawings"""
GRAPH_HIGHLIGHTS = {"direct_feedback_loop": "#e45756", "correction_cascade": "#f58518",
                    "undeclared_consumer": "#d6336c"}
"""node border and edge colour of a debt path"""
GRAPH_EDGE = "#a0a0a0"
