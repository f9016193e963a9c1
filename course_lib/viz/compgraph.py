"""Drawing a small computational graph with its forward values and backward gradients.

Each node is a box holding its name; above the box stands its forward value, upright, in blue;
below it the gradient of the loss with respect to it, in italics, in vermillion, and written
``∂L = …``. Colour is never the only cue: a reader who cannot tell the two colours apart still
tells a value from a gradient by its place, its slant and its ``∂`` (blue and vermillion are
two Okabe–Ito colours, distinct under red–green colour blindness anyway).
:meth:`GraphView.show` only changes the text of existing artists, so a widget can redraw it on
every slider move.
"""
from .plotting import MIN_FONT_PT, PALETTE

__all__ = ["GraphView"]

FORWARD_COLOR = PALETTE[0]       # Okabe–Ito blue: forward values, upright, above the node
BACKWARD_COLOR = PALETTE[3]      # Okabe–Ito vermillion: gradients, italic and "∂L = ", below the node
NODE_PT = MIN_FONT_PT + 2        # the node's own label
NUMBER_PT = MIN_FONT_PT          # values and gradients
BOX_PAD = 0.3                    # the box's padding, in units of NODE_PT
GAP_PT = 2                       # between a box and the numbers above and below it


class GraphView:
    """A computational graph drawn on a matplotlib Axes.

    Parameters
    ----------
    ax : matplotlib Axes
    nodes : dict name → (x, y, label)
        Position of the node's centre (axes coordinates in [0, 1]) and the text in its box
        (e.g. "×" or "x"); the box is as wide as its text.
    edges : list of (source, target) names
        Arrows in the direction of the forward pass, from the right side of ``source``'s box to
        the left side of ``target``'s.
    gradient_of : str
        The name of the output the gradients are of; they read ``∂L = …`` for ``"L"``.
    key : (x, y) or None
        Where to write a key that says which number is which (axes coordinates of its top-right
        corner); ``None`` for no key.

    Attributes
    ----------
    values, grads : dict name → Text
        The texts :meth:`show` sets, above and below each node.
    artists : list of Text
        All of them, for a LivePlot's ``dynamic``.
    """

    def __init__(self, ax, nodes, edges, gradient_of="L", key=None):
        if not isinstance(nodes, dict):
            raise TypeError(f"nodes must be a dict name -> (x, y, label); got {type(nodes).__name__}")
        for edge in edges:
            if not (isinstance(edge, (tuple, list)) and len(edge) == 2 and all(n in nodes for n in edge)):
                raise ValueError(f"edges must be pairs (source, target) of names in nodes; got {edge!r}")
        if not isinstance(gradient_of, str):
            raise TypeError(f"gradient_of must be a str such as 'L'; got {type(gradient_of).__name__}")
        if not gradient_of.strip():
            raise ValueError(f"gradient_of must name the output, such as 'L'; got {gradient_of!r}")
        self.ax, self.gradient_of = ax, gradient_of
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        boxes = {}
        for name, (x, y, label) in nodes.items():
            boxes[name] = ax.text(x, y, label, ha="center", va="center", fontsize=NODE_PT, zorder=3,
                                  bbox={"boxstyle": f"round,pad={BOX_PAD}", "fc": "#f6f8fa", "ec": "0.3"})
        shrink = BOX_PAD * NODE_PT + 1                    # points from the text's edge to the box's
        for src, dst in edges:
            ax.annotate("", xy=(0, 0.5), xycoords=boxes[dst], xytext=(1, 0.5), textcoords=boxes[src],
                        arrowprops={"arrowstyle": "->", "color": "0.35", "lw": 1.2,
                                    "shrinkA": shrink, "shrinkB": shrink})
        offset = BOX_PAD * NODE_PT + GAP_PT
        self.values, self.grads = {}, {}
        for name, box in boxes.items():
            self.values[name] = ax.annotate("", xy=(0.5, 1), xycoords=box, xytext=(0, offset),
                                            textcoords="offset points", ha="center", va="bottom",
                                            color=FORWARD_COLOR, fontsize=NUMBER_PT)
            self.grads[name] = ax.annotate("", xy=(0.5, 0), xycoords=box, xytext=(0, -offset),
                                           textcoords="offset points", ha="center", va="top",
                                           color=BACKWARD_COLOR, fontsize=NUMBER_PT, fontstyle="italic")
        if key is not None:
            ax.text(*key, "value (forward)", ha="right", va="top", color=FORWARD_COLOR,
                    fontsize=NUMBER_PT, transform=ax.transAxes)
            ax.annotate(f"∂{gradient_of} = gradient (backward)", xy=key, xycoords="axes fraction",
                        xytext=(0, -1.4 * NUMBER_PT), textcoords="offset points", ha="right", va="top",
                        color=BACKWARD_COLOR, fontsize=NUMBER_PT, fontstyle="italic")
        self.artists = list(self.values.values()) + list(self.grads.values())  # what show() changes

    def show(self, values, grads):
        """Write each node's forward value and gradient (dicts name → number); missing names are blank."""
        for name, text in self.values.items():
            text.set_text(f"{values[name]:.3g}" if name in values else "")
        for name, text in self.grads.items():
            text.set_text(f"∂{self.gradient_of} = {grads[name]:.3g}" if name in grads else "")
