"""Exercise checks: ``check.NAME(student_function)`` prints ✔ or ✘ with a hint and returns a Verdict (truthy if passed).

Each chapter's checks live in a module of their own and are gathered here.
"""
from .activations import collapse_linear_layers, leaky_relu, maxout_backward
from .autograd import accumulate_gradient, gradient_descent_step, jacobian_by_backward
from .backprop import affine_backward, multiply_backward, softmax_cross_entropy_gradient
from .intro import sigmoid
from .learning_rate import gradient_descent_path, max_stable_lr, step_decay, triangular_lr
from .losses import cross_entropy_loss, mse_gradient, sigmoid_mse_gradient
from .neurons import count_parameters, gate_weights, neuron_output, potassium_current
from .optimizers import adam_step, minibatch_indices, momentum_step, newton_step
from .overfitting import early_stopping, inverted_dropout_forward, regularised_gradient
from .tensors import broadcast_shape, gather_by_hand, row_fractions
from .vanishing import chain_gradient, init_std, sigmoid_derivative

__all__ = ["sigmoid", "multiply_backward", "affine_backward", "softmax_cross_entropy_gradient",
           "collapse_linear_layers", "leaky_relu", "maxout_backward",
           "gradient_descent_step", "jacobian_by_backward", "accumulate_gradient",
           "cross_entropy_loss", "mse_gradient", "sigmoid_mse_gradient",
           "sigmoid_derivative", "chain_gradient", "init_std",
           "broadcast_shape", "gather_by_hand", "row_fractions",
           "regularised_gradient", "early_stopping", "inverted_dropout_forward",
           "gradient_descent_path", "max_stable_lr", "step_decay", "triangular_lr",
           "neuron_output", "gate_weights", "count_parameters", "potassium_current",
           "minibatch_indices", "momentum_step", "adam_step", "newton_step"]
