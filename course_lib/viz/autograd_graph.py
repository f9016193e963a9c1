"""The graph autograd records, read back and drawn.

Every tensor computed from a tensor with ``requires_grad=True`` carries a ``grad_fn``: the
backward node of the operation that made it (``MulBackward0``, ``AddBackward0``, …). Each node
lists the nodes of its inputs in ``next_functions``; a leaf that requires a gradient appears as an
``AccumulateGrad`` node, whose ``variable`` is the leaf itself (its gradient is added to
``leaf.grad``). Inputs that need no gradient appear as ``None`` and are left out. Walking
``next_functions`` from the output back to the leaves recovers the whole computational graph.
"""
import torch

from .plotting import MIN_FONT_PT

__all__ = ["autograd_graph", "draw_autograd_graph"]

LEAF_COLOR = "#dbe9f6"
OPERATION_COLOR = "#f6f8fa"
OUTPUT_COLOR = "#fde2c8"


def _check_output(output):
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"output must be a torch.Tensor; got a {type(output).__name__}")
    if output.grad_fn is None:
        raise ValueError("output must be the result of an operation on tensors with requires_grad=True "
                         f"(it needs a grad_fn); got a tensor with grad_fn=None (is_leaf={output.is_leaf}, "
                         f"requires_grad={output.requires_grad})")


def _leaf_label(variable, names):
    for name, tensor in names.items():
        if tensor is variable:
            return name
    return "leaf " + "×".join(str(n) for n in variable.shape) if variable.dim() else "leaf (scalar)"


def autograd_graph(output, names=None):
    """The backward graph of ``output``, found by walking ``grad_fn.next_functions``.

    Parameters
    ----------
    output : torch.Tensor
        A tensor computed from leaves with ``requires_grad=True`` (it has a ``grad_fn``).
    names : dict str → torch.Tensor, optional
        Names for the leaves, e.g. ``{"w": w, "b": b}``; unnamed leaves are labelled by shape.

    Returns
    -------
    nodes : dict str → (label, kind)
        One entry per backward node, in the order met from the output (``"n0"`` is
        ``output.grad_fn``). ``kind`` is ``"output"``, ``"operation"`` or ``"leaf"``; an
        operation's label is its class name (``"MulBackward0"``), a leaf's label is its name.
    edges : list of (source, target)
        Keys of ``nodes``, in the direction of the **forward** pass: ``source`` is an input of
        ``target``. Gradients flow from target to source.
    """
    _check_output(output)
    names = {} if names is None else dict(names)
    for name, tensor in names.items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"names must map names to tensors; got {type(tensor).__name__} "
                            f"for {name!r}")
    keys, nodes, edges = {}, {}, []
    stack = [output.grad_fn]
    keys[output.grad_fn] = "n0"
    nodes["n0"] = (type(output.grad_fn).__name__, "output")
    while stack:
        fn = stack.pop()
        for parent, _ in fn.next_functions:
            if parent is None:                      # an input needing no gradient (the data x)
                continue
            if parent not in keys:
                keys[parent] = f"n{len(keys)}"
                if hasattr(parent, "variable"):      # AccumulateGrad: the node of a leaf
                    nodes[keys[parent]] = (_leaf_label(parent.variable, names), "leaf")
                else:
                    nodes[keys[parent]] = (type(parent).__name__, "operation")
                stack.append(parent)
            edges.append((keys[parent], keys[fn]))
    return nodes, edges


def _columns(nodes, edges):
    """Column of each node: the output on the right, every node left of all its consumers."""
    consumers = {key: [] for key in nodes}
    for source, target in edges:
        consumers[source].append(target)
    depth = {}

    def distance_to_output(key):            # longest path to the output, so arrows all point right
        if key not in depth:
            depth[key] = 1 + max((distance_to_output(t) for t in consumers[key]), default=-1)
        return depth[key]

    for key in nodes:
        distance_to_output(key)
    deepest = max(depth.values())
    return {key: deepest - d for key, d in depth.items()}


def _drawn_label(label, kind):
    """An operation's name on two lines, "Mul" over "Backward0", so seven columns fit 9.5 in."""
    name, found, suffix = label.partition("Backward")
    return f"{name}\n{found}{suffix}" if kind != "leaf" and found and name else label


def draw_autograd_graph(output, ax, names=None, fontsize=None):
    """Draw the backward graph of ``output`` on ``ax``, leaves on the left, output on the right.

    Arrows follow the forward pass (input → operation); backward runs against them.
    Leaves are blue, operations grey, the output's node orange. An operation's box shows its
    class name on two lines ("Mul" over "Backward0"). ``fontsize`` defaults to the course's
    body size (``course_lib.viz.plotting.MIN_FONT_PT``).

    Returns ``(nodes, edges)`` as :func:`autograd_graph`.
    """
    nodes, edges = autograd_graph(output, names)
    column = _columns(nodes, edges)
    n_columns = max(column.values()) + 1
    rows = {}
    for key in nodes:
        rows.setdefault(column[key], []).append(key)
    colors = {"leaf": LEAF_COLOR, "operation": OPERATION_COLOR, "output": OUTPUT_COLOR}
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    texts = {}
    for c, keys in rows.items():
        for r, key in enumerate(keys):
            label, kind = nodes[key]
            x, y = (c + 0.5) / n_columns, 1 - (r + 0.5) / len(keys)
            texts[key] = ax.text(x, y, _drawn_label(label, kind), ha="center", va="center",
                                 fontsize=MIN_FONT_PT if fontsize is None else fontsize,
                                 linespacing=1.1,
                                 bbox={"boxstyle": "round,pad=0.3", "fc": colors[kind],
                                       "ec": "0.3"})
    for source, target in edges:
        ax.annotate("", xy=(0, 0.5), xycoords=texts[target], xytext=(1, 0.5),
                    textcoords=texts[source], arrowprops={"arrowstyle": "->", "color": "0.35",
                                                          "lw": 1.1, "shrinkA": 5, "shrinkB": 5})
    return nodes, edges
