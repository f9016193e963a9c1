"""Exercise checks: ``check.NAME(student_function)`` prints ✔ or ✘ with a hint, and returns True/False.

Each chapter's checks live in a module of their own and are gathered here.
"""
from .backprop import affine_backward, multiply_backward, softmax_cross_entropy_gradient
from .intro import sigmoid

__all__ = ["sigmoid", "multiply_backward", "affine_backward", "softmax_cross_entropy_gradient"]
