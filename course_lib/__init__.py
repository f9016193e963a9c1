"""nncourse's library: what the chapters teach, the experiments they run, and the pictures they draw.

Module map: module, what it holds, the chapters whose notebooks import it.

What the course teaches (reference implementations, numpy unless the chapter is about torch; each
tested against finite differences and, where torch has the same thing, against torch):

    activations      activation functions and their derivatives                    00 02 03 04 06
    losses           softmax, log-sum-exp, cross-entropy, MSE, entropy, KL, the     02 03 05 06 08
                     Gaussian NLL, the L1 and L2 penalties
    layers           graph nodes with forward/backward: Affine, ReLU, Sigmoid,     02 04 08
                     Tanh, SoftmaxWithLoss, Dropout, BatchNorm, Residual, ...
    conv             Conv2D, AvgPool2D, Flatten: weight sharing                    08
    network          the one network: Network (a stack of layers), MLP             01 02 03 04 05 07 08 09
    training         the one training loop: fit, History, batches, evaluate        01 02 03 04 05 07 08 09
    optim            SGD, Adagrad, RMSprop, Adam, AdamW with torch's update rules  01 02 03 04 05 07 08 09
    schedules        learning-rate schedules and the range test                    05
    gradcheck        finite differences: gradients, Hessians, whole networks       02 03 04 06 07 08
    tensors          the broadcasting rule and memory layout (strides)             09
    neuron           the Hodgkin-Huxley model of a biological neuron               01
    lecture_net      the lecture's own code, as it was (mistakes and all)          02 05
    data             every data set of the course, with its source                 02 03 04 05 06 07 08 09 10
    device           where torch tensors live: the best device, GPU dtype checks   09 10
    scalar_autograd  reverse mode on scalars: Value, backward, topological order   10
    seeds            mean and spread of a measurement over seeds                   03 04 05
    _validate        the input checks behind every error message                   -

The chapters' experiments (course_lib/experiments/; the side-by-side trainers in them train many
networks in the same numpy calls for the time budget, and are tested equal to training.fit):

    experiments.logic_gates             one neuron and the logic gates it can compute   01
    experiments.hidden_sizes            lecture networks of many hidden sizes at once    02
    experiments.activation_experiments  activation races, dead units, zig-zags           03
    experiments.deep_nets               the scalar chain, gradient norms per layer       04
    experiments.loss_landscape          loss slices, sharpness, full Hessians            05 07
    experiments.lr_training             schedules side by side, range tests, ensembles   05
    experiments.surfaces                2-D loss surfaces and an optimizer runner        05 07
    experiments.classification_losses   why cross-entropy and not MSE, in numbers        06
    experiments.regularisation          early stopping, L1/L2 pictures, remedies by seed 08
    experiments.autograd_regression     the lecture's autograd regression, run by seed   10
    experiments.playground              TF Playground's experiment on the course's MLP   11

Pictures and widgets (course_lib/viz/):

    viz.plotting         the course's look, decision boundaries, alt text          00 01 02 03 04 05 06 07 08 09 10
    viz.widgets          sliders, option buttons, LivePlot                         00 01 02 03 04 05 06 07 08 09 10
    viz.neuron_diagrams  drawings of a biological and an artificial neuron         01
    viz.compgraph        a computational graph with its values and gradients       02 10
    viz.optimizer_paths  optimizers racing across a surface                        07
    viz.tensor_viz       pictures of broadcasting and strides                      09
    viz.autograd_graph   the graph torch's autograd records, drawn                 10
    viz.playground_widget  the playground: controls, network, output, Play       11

Exercise checks (course_lib/check/, ``from course_lib import check``), one module a chapter:
intro 00, neurons 01, backprop 02, activations 03, vanishing 04, learning_rate 05, losses 06,
optimizers 07, overfitting 08, tensors 09, autograd 10, playground 11.
"""
__version__ = "0.1.0"
