"""Drawing a small computational graph with its forward values and backward gradients.

Nodes are boxes placed by hand; each shows its name, its forward value (green, above) and
the gradient of the loss with respect to it (red, below). :meth:`GraphView.show` only changes
the text of existing artists, so a widget can redraw it on every slider move.
"""
from matplotlib.patches import FancyBboxPatch

__all__ = ["GraphView"]

FORWARD_COLOR = "#1a7f37"
BACKWARD_COLOR = "#cf222e"


class GraphView:
    """A computational graph drawn on a matplotlib Axes.

    Parameters
    ----------
    ax : matplotlib Axes
    nodes : dict name → (x, y, label)
        Position (axes coordinates in [0, 1]) and the text in the box (e.g. "×" or "x").
    edges : list of (source, target) names
    """

    def __init__(self, ax, nodes, edges):
        if not isinstance(nodes, dict):
            raise TypeError(f"nodes must be a dict name -> (x, y, label); got {type(nodes).__name__}")
        for edge in edges:
            if not (isinstance(edge, (tuple, list)) and len(edge) == 2 and all(n in nodes for n in edge)):
                raise ValueError(f"edges must be pairs (source, target) of names in nodes; got {edge!r}")
        self.ax = ax
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        for src, dst in edges:
            (x0, y0, _), (x1, y1, _) = nodes[src], nodes[dst]
            ax.annotate("", xy=(x1 - 0.045, y1), xytext=(x0 + 0.045, y0),
                        arrowprops={"arrowstyle": "->", "color": "0.35", "lw": 1.2})
        self.values, self.grads = {}, {}
        for name, (x, y, label) in nodes.items():
            ax.add_patch(FancyBboxPatch((x - 0.04, y - 0.045), 0.08, 0.09, boxstyle="round,pad=0.01",
                                        fc="#f6f8fa", ec="0.3"))
            ax.text(x, y, label, ha="center", va="center", fontsize=13)
            self.values[name] = ax.text(x, y + 0.075, "", ha="center", va="bottom", color=FORWARD_COLOR, fontsize=10)
            self.grads[name] = ax.text(x, y - 0.075, "", ha="center", va="top", color=BACKWARD_COLOR, fontsize=10)
        self.artists = list(self.values.values()) + list(self.grads.values())  # what show() changes

    def show(self, values, grads):
        """Write each node's forward value and gradient (dicts name → number)."""
        for name, text in self.values.items():
            text.set_text(f"{values[name]:.3g}" if name in values else "")
        for name, text in self.grads.items():
            text.set_text(f"∂L={grads[name]:.3g}" if name in grads else "")
