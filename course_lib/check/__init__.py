"""Exercise checks: ``check.NAME(student_function)`` prints ✔ or ✘ with a hint, and returns True/False.

Each chapter's checks live in a module of their own and are gathered here.
"""
from .activations import collapse_linear_layers, leaky_relu, maxout_backward
from .autograd import accumulate_gradient, gradient_descent_step, jacobian_by_backward
from .backprop import affine_backward, multiply_backward, softmax_cross_entropy_gradient
from .intro import sigmoid
from .losses import cross_entropy_loss, mse_gradient, sigmoid_mse_gradient
from .neurons import count_parameters, gate_weights, neuron_output, potassium_current
from .optimizers import adam_step, minibatch_indices, momentum_step, newton_step
from .overfitting import early_stopping, inverted_dropout_forward, regularised_gradient
from .tensors import broadcast_shape, gather_by_hand, row_fractions
from .vanishing import chain_gradient, init_std, sigmoid_derivative

__all__ = ["collapse_linear_layers", "leaky_relu", "maxout_backward", "accumulate_gradient", "gradient_descent_step", "jacobian_by_backward", "affine_backward", "multiply_backward", "softmax_cross_entropy_gradient", "sigmoid", "cross_entropy_loss", "mse_gradient", "sigmoid_mse_gradient", "count_parameters", "gate_weights", "neuron_output", "potassium_current", "adam_step", "minibatch_indices", "momentum_step", "newton_step", "early_stopping", "inverted_dropout_forward", "regularised_gradient", "broadcast_shape", "gather_by_hand", "row_fractions", "chain_gradient", "init_std", "sigmoid_derivative"]
