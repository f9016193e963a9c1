"""Schematic drawings for chapter 01: a biological neuron, an artificial neuron, a layered network.

Each function draws on a matplotlib Axes it is given and returns the labels it wrote (so a test can
check that the parts the prose names are on the picture).
"""
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from .._validate import as_number

__all__ = ["draw_biological_neuron", "draw_artificial_neuron", "draw_network"]


def _check_ax(ax):
    if not hasattr(ax, "add_patch"):
        raise TypeError(f"ax must be a matplotlib Axes; got {type(ax).__name__}")


def draw_biological_neuron(ax):
    """A neuron from left to right: dendrites → soma with nucleus → axon → axon terminals → synapse.

    Returns the list of label strings drawn.
    """
    _check_ax(ax)
    rng = np.random.default_rng(3)                         # the dendrites' wiggles, the same every time
    soma = (1.9, 1.5)
    for angle in np.linspace(110, 250, 6):                 # dendrites: many, branching, on the input side
        a = np.deg2rad(angle)
        start = np.array(soma) + 0.45 * np.array([np.cos(a), np.sin(a)])
        end = start + 1.0 * np.array([np.cos(a), np.sin(a)])
        ax.plot([start[0], end[0]], [start[1], end[1]], color="#6a51a3", ls="-", lw=2.5)
        for turn in (-25, 25):
            b = np.deg2rad(angle + turn + rng.uniform(-8, 8))
            tip = end + 0.45 * np.array([np.cos(b), np.sin(b)])
            ax.plot([end[0], tip[0]], [end[1], tip[1]], color="#6a51a3", ls="-", lw=1.5)
    ax.add_patch(Circle(soma, 0.5, color="#bcbddc", zorder=3))
    ax.add_patch(Circle(soma, 0.2, color="#54278f", zorder=4))
    ax.plot([2.4, 5.9], [1.5, 1.5], color="#6a51a3", ls="-", lw=3)             # the axon: one
    for x0 in np.arange(2.8, 5.4, 0.8):                                        # myelin sheath segments
        ax.add_patch(FancyArrowPatch((x0, 1.5), (x0 + 0.6, 1.5), arrowstyle="-", lw=9, color="#fdd0a2"))
    for dy in (-0.45, 0.0, 0.45):                                              # axon terminals
        ax.plot([5.9, 6.5], [1.5, 1.5 + dy], color="#6a51a3", ls="-", lw=1.5)
        ax.add_patch(Circle((6.55, 1.5 + dy), 0.07, color="#54278f"))
    ax.plot([6.75, 7.6], [1.95, 2.25], color="#9e9ac8", ls="-", lw=2)          # the next neuron's dendrite
    ax.add_patch(FancyArrowPatch((2.8, 0.55), (6.8, 0.55), arrowstyle="-|>", mutation_scale=14, color="0.4"))
    labels = {"dendrites\n(many inputs)": (0.7, 3.8), "soma + nucleus\n(integrates)": (3.3, 2.75),
              "axon (one output)": (4.2, 1.95), "synapse": (7.0, 2.65),
              "signal direction": (4.8, 0.15)}
    for text, (x, y) in labels.items():
        ax.text(x, y, text, ha="center", va="center")
    ax.set_xlim(-0.2, 7.8)
    ax.set_ylim(-0.3, 4.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return list(labels)


def draw_artificial_neuron(ax, n_inputs=3):
    r"""Inputs :math:`x_i`, weights :math:`w_i` on the arrows, the sum :math:`\sum w_i x_i + b`, the activation f, the output y.

    Returns the list of label strings drawn.
    """
    _check_ax(ax)
    n_inputs = as_number(n_inputs, "n_inputs", low=1, high=8, integer=True)
    ys = np.linspace(2.6, 0.4, n_inputs)
    labels = []
    for i, y in enumerate(ys, start=1):
        ax.add_patch(Circle((0.4, y), 0.27, color="#c6dbef"))
        ax.text(0.4, y, f"$x_{i}$", ha="center", va="center")
        ax.add_patch(FancyArrowPatch((0.67, y), (2.2, 1.5), arrowstyle="-|>", mutation_scale=12, color="0.3"))
        ax.text(1.3, y + (1.5 - y) * 0.55 + 0.12, f"$w_{i}$", ha="center", color="#08519c")
        labels += [f"x_{i}", f"w_{i}"]
    ax.add_patch(Circle((2.6, 1.5), 0.42, color="#fdd0a2"))
    ax.text(2.6, 1.5, r"$\Sigma$" + "\n" + r"$+\,b$", ha="center", va="center")
    ax.add_patch(FancyArrowPatch((3.02, 1.5), (3.7, 1.5), arrowstyle="-|>", mutation_scale=12, color="0.3"))
    ax.add_patch(Circle((4.1, 1.5), 0.38, color="#c7e9c0"))
    ax.text(4.1, 1.5, "$f$", ha="center", va="center", fontsize=16)
    ax.add_patch(FancyArrowPatch((4.48, 1.5), (5.3, 1.5), arrowstyle="-|>", mutation_scale=12, color="0.3"))
    ax.text(5.55, 1.5, "$y$", ha="center", va="center", fontsize=16)
    ax.text(3.3, 0.35, r"$y = f\left(\sum_i w_i x_i + b\right)$", ha="center", fontsize=15)
    labels += ["sum + bias", "activation f", "y"]
    ax.set_xlim(0, 6)
    ax.set_ylim(0, 3)
    ax.set_aspect("equal")
    ax.axis("off")
    return labels


def draw_network(ax, layer_sizes, names=("input", "hidden", "output")):
    """Fully connected layers as columns of circles, every unit joined to every unit of the next layer.

    ``names`` label the first, middle and last columns. Returns the list of label strings drawn.
    """
    _check_ax(ax)
    if not isinstance(layer_sizes, (list, tuple)) or len(layer_sizes) < 2:
        raise TypeError(f"layer_sizes must be a list of at least two ints, e.g. [3, 4, 2]; got {layer_sizes!r}")
    sizes = [as_number(s, f"layer_sizes[{i}]", low=1, high=12, integer=True) for i, s in enumerate(layer_sizes)]
    tallest = max(sizes)
    positions = [[(2.0 * k, (n - 1) / 2 - j) for j in range(n)] for k, n in enumerate(sizes)]   # centred columns
    for left, right in zip(positions[:-1], positions[1:]):
        for a in left:
            for b in right:
                ax.plot([a[0], b[0]], [a[1], b[1]], color="0.6", ls="-", lw=0.8, zorder=1)
    colours = ["#c6dbef"] + ["#fdd0a2"] * (len(sizes) - 2) + ["#c7e9c0"]
    for col, colour in zip(positions, colours):
        for (x, y) in col:
            ax.add_patch(Circle((x, y), 0.28, color=colour, ec="0.3", zorder=2))
    labels = []
    for k, col in enumerate(positions):
        name = names[0] if k == 0 else names[2] if k == len(sizes) - 1 else names[1]
        ax.text(col[0][0], (tallest - 1) / 2 + 0.7, f"{name}\n{sizes[k]} units", ha="center")
        labels.append(name)
    ax.set_xlim(-0.8, 2.0 * (len(sizes) - 1) + 0.8)
    ax.set_ylim(-(tallest - 1) / 2 - 0.6, (tallest - 1) / 2 + 1.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return labels
