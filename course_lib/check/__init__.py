"""Exercise checks: ``check.NAME(student_function)`` prints ✔ or ✘ with a hint and returns a Verdict (truthy if passed).

``check.NAME.hint(n)`` prints the n-th hint of the exercise, each closer to the answer than the last.
Each chapter's checks live in a module of their own (its ``__all__`` names them) and are gathered here.
"""
from . import (activations, autograd, backprop, intro, learning_rate, losses, neurons, optimizers, overfitting,
               playground, tensors, vanishing)
from .activations import *  # noqa: F401,F403
from .autograd import *  # noqa: F401,F403
from .backprop import *  # noqa: F401,F403
from .intro import *  # noqa: F401,F403
from .learning_rate import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .neurons import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .overfitting import *  # noqa: F401,F403
from .playground import *  # noqa: F401,F403
from .tensors import *  # noqa: F401,F403
from .vanishing import *  # noqa: F401,F403

__all__ = (intro.__all__ + neurons.__all__ + backprop.__all__ + activations.__all__ + vanishing.__all__
           + learning_rate.__all__ + losses.__all__ + optimizers.__all__ + overfitting.__all__ + tensors.__all__
           + autograd.__all__ + playground.__all__)
