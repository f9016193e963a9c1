"""The lecture's two-layer network (代码1–3), ported to Python 3 with as few changes as possible.

The lecture's code is Python 2 and incomplete. Each change is marked ``# FIX:``:
``xrange`` → ``range``; the ``print`` statement → ``print()``; ``epsilon`` and
``nn_input_dim`` were never defined (they are arguments here, with the values of the
original run); the data were module globals (they are arguments here); and
``delta3 = probs`` made ``delta3`` an alias of ``probs``, so ``delta3[...] -= 1`` also
changed ``probs`` (harmless in the lecture because ``probs`` is not used afterwards, but a trap:
here ``delta3 = probs.copy()``).

Everything else, including the arithmetic, is the lecture's: the gradient is the *sum* over
the N samples (not the mean), and the L2 term is added to that sum. The order of operations
matters, because this run sits at the edge of stability (see chapter 02).
"""
import numpy as np


def predict(model, x):
    """Predicted class (0 or 1) for each row of ``x``."""
    W1, b1, W2, b2 = model['W1'], model['b1'], model['W2'], model['b2']
    # forward propagation
    z1 = x.dot(W1) + b1
    a1 = np.tanh(z1)
    z2 = a1.dot(W2) + b2
    exp_scores = np.exp(z2)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    return np.argmax(probs, axis=1)


def calculate_loss(model, X, y, reg_lambda=0.01):
    """The lecture's total loss: (sum of cross-entropies + λ/2 (‖W1‖² + ‖W2‖²)) / N."""
    num_examples = len(X)  # FIX: a global in the lecture
    W1, b1, W2, b2 = model['W1'], model['b1'], model['W2'], model['b2']
    # forward propagation to compute the predictions
    z1 = X.dot(W1) + b1
    a1 = np.tanh(z1)
    z2 = a1.dot(W2) + b2
    exp_scores = np.exp(z2)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    # cross-entropy loss
    corect_logprobs = -np.log(probs[range(num_examples), y])
    data_loss = np.sum(corect_logprobs)
    # the regularisation term
    data_loss += reg_lambda / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
    return 1. / num_examples * data_loss


def build_model(X, y, nn_hdim, num_passes=20000, epsilon=0.01, reg_lambda=0.01,
                print_loss=False, nn_output_dim=2, seed=0, loss_history=None, log=print,
                tanh=np.tanh):
    """Learn the parameters of the network by full-batch gradient descent and return the model.

    - nn_hdim: number of hidden units
    - num_passes: number of passes through the training data for gradient descent
    - print_loss: if True, print the loss every 1000 iterations
    - loss_history: (added for the course) a list to which the loss of every pass is appended,
      computed from the forward pass before that pass's update; it changes nothing else
    - log: (added for the course) the function that prints each loss line (default: print)
    - tanh: (added for the course) the tanh of the training passes (default: numpy's); chapter 02
      swaps in ones that round differently, to show how the last bit decides the run's ending
    """
    num_examples = len(X)  # FIX: a global in the lecture
    nn_input_dim = X.shape[1]  # FIX: never defined in the lecture
    # initialise the parameters to random values
    np.random.seed(seed)
    W1 = np.random.randn(nn_input_dim, nn_hdim) / np.sqrt(nn_input_dim)
    b1 = np.zeros((1, nn_hdim))
    W2 = np.random.randn(nn_hdim, nn_output_dim) / np.sqrt(nn_hdim)
    b2 = np.zeros((1, nn_output_dim))
    model = {}
    # gradient descent
    for i in range(0, num_passes):  # FIX: xrange
        # forward propagation
        z1 = X.dot(W1) + b1
        a1 = tanh(z1)  # ADDED: np.tanh unless the caller passes another (the `tanh` argument)
        z2 = a1.dot(W2) + b2
        exp_scores = np.exp(z2)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        if loss_history is not None:  # ADDED: the loss at the parameters of this pass
            loss_history.append((np.sum(-np.log(probs[range(num_examples), y]))
                                 + reg_lambda / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2))))
                                / num_examples)
        # backpropagation
        delta3 = probs.copy()  # FIX: `delta3 = probs` aliased the two arrays
        delta3[range(num_examples), y] -= 1
        dW2 = (a1.T).dot(delta3)
        db2 = np.sum(delta3, axis=0, keepdims=True)
        delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
        dW1 = np.dot(X.T, delta2)
        db1 = np.sum(delta2, axis=0)
        # add regularisation terms (b1 and b2 have none)
        dW2 += reg_lambda * W2
        dW1 += reg_lambda * W1
        # gradient descent parameter update
        W1 += -epsilon * dW1
        b1 += -epsilon * db1
        W2 += -epsilon * dW2
        b2 += -epsilon * db2
        # assign new parameters to the model
        model = {'W1': W1, 'b1': b1, 'W2': W2, 'b2': b2}
        # optionally print the loss
        if print_loss and i % 1000 == 0:
            # FIX: the print statement
            log("Loss after iteration %i: %f" % (i, calculate_loss(model, X, y, reg_lambda)))
    return model
