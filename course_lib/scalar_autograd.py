r"""Reverse-mode automatic differentiation on scalars: what ``backward()`` does, in one class.

A :class:`Value` holds a number (``data``), the values it was computed from (its parents) and a
local rule, ``_backward``, that turns the gradient arriving at it into gradients for its parents
by the chain rule. For ``v = f(u_1, …, u_k)`` and the output ``L``:

.. math:: \frac{\partial L}{\partial u_i} \mathrel{+}= \frac{\partial L}{\partial v}\,
          \frac{\partial f}{\partial u_i}

:meth:`Value.backward` calls those rules once per value, from the output back to the leaves, in
reverse topological order, so that every value has received the gradients of all its consumers
before it passes its own on. The ``+=`` adds the paths up: a value used twice gets the sum of the
gradients along both paths. Torch does the same with tensors (``grad_fn`` is the local rule,
``grad_fn.next_functions`` the parents, ``AccumulateGrad`` the ``+=`` into a leaf's ``.grad``).
"""
import math

from ._validate import as_number

__all__ = ["Value"]


class Value:
    r"""A scalar that remembers how it was computed.

    Operations: ``+ - * /`` (with numbers on either side, ``2 * x + 1``), ``-x``, ``x ** n``
    for a number ``n``, and :meth:`exp`, :meth:`log`, :meth:`tanh`, :meth:`relu`.

    Parameters
    ----------
    data : float
        The value, a finite real number.
    label : str, optional
        A name for pictures and printing (``"x"``).

    Attributes
    ----------
    data : float
    grad : float
        :math:`\partial L/\partial(\text{this value})` after ``L.backward()``; starts at 0.
    parents : tuple of Value
        The values this one was computed from; ``()`` for a leaf.
    op : str
        The operation that made it (``"*"``, ``"tanh"``, …); ``""`` for a leaf.
    """

    def __init__(self, data, label="", _parents=(), _op=""):
        self.data = as_number(data, "data")
        self.grad = 0.0
        self.label, self.parents, self.op = str(label), tuple(_parents), _op
        self._backward = lambda: None          # a leaf passes nothing on

    def __repr__(self):
        name = f"{self.label}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, Value) else Value(as_number(other, "other operand"))

    def __add__(self, other):
        """out = self + other; ∂out/∂self = ∂out/∂other = 1, so the gradient passes through."""
        other = Value._wrap(other)
        out = Value(self.data + other.data, _parents=(self, other), _op="+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        """out = self · other; the inputs swap: ∂out/∂self = other, ∂out/∂other = self."""
        other = Value._wrap(other)
        out = Value(self.data * other.data, _parents=(self, other), _op="*")

        def _backward():
            self.grad += out.grad * other.data
            other.grad += out.grad * self.data
        out._backward = _backward
        return out

    def __pow__(self, n):
        """out = self ** n for a number n; ∂out/∂self = n · self^(n−1)."""
        n = as_number(n, "exponent")
        if self.data < 0 and not n.is_integer():
            raise ValueError(f"a negative base needs a whole exponent; got {self.data!r} ** {n!r}")
        if self.data == 0 and n < 1:
            raise ValueError(f"0 ** {n!r} has no derivative; use an exponent >= 1 or a base != 0")
        out = Value(self.data ** n, _parents=(self,), _op=f"**{n:g}")

        def _backward():
            self.grad += out.grad * n * self.data ** (n - 1)
        out._backward = _backward
        return out

    def _unary(self, data, local_derivative, op):
        """out = f(self) with f'(self) = local_derivative (a number, known at forward time)."""
        out = Value(data, _parents=(self,), _op=op)

        def _backward():
            self.grad += out.grad * local_derivative
        out._backward = _backward
        return out

    def exp(self):
        """out = e^self; ∂out/∂self = e^self = out."""
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def log(self):
        """out = ln(self) for self > 0; ∂out/∂self = 1/self."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive value; got {self.data!r}")
        return self._unary(math.log(self.data), 1.0 / self.data, "log")

    def tanh(self):
        """out = tanh(self); ∂out/∂self = 1 − out²."""
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t * t, "tanh")

    def relu(self):
        """out = max(0, self); ∂out/∂self = 1 if self > 0 else 0 (0 at 0, as torch)."""
        return self._unary(max(0.0, self.data), float(self.data > 0), "relu")

    def __neg__(self):                  # -self
        return self * -1

    def __sub__(self, other):           # self - other
        return self + (-Value._wrap(other))

    def __truediv__(self, other):       # self / other
        return self * Value._wrap(other) ** -1

    def __radd__(self, other):          # other + self, for a number other
        return self + other

    def __rmul__(self, other):          # other * self
        return self * other

    def __rsub__(self, other):          # other - self
        return Value._wrap(other) - self

    def __rtruediv__(self, other):      # other / self
        return Value._wrap(other) / self

    def topological_order(self):
        """This value and every value it was computed from, each once, parents before children."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:                                   # depth-first, without recursion
            v, parents_done = stack.pop()
            if parents_done:
                order.append(v)                        # all of v's parents are already in order
            elif v not in seen:
                seen.add(v)
                stack.append((v, True))
                stack.extend((p, False) for p in v.parents)
        return order

    def backward(self):
        r"""Fill ``.grad`` of every value this one depends on: :math:`\partial(\text{self})/\partial v`.

        Visits the graph in reverse topological order, so a value passes its gradient on only
        after all its consumers have added theirs. Like torch: the gradients of values with
        parents are computed afresh on each call; a leaf's ``grad`` *accumulates* (a second
        ``backward()`` adds the same gradient again; set ``leaf.grad = 0.0`` to start over).
        """
        order = self.topological_order()
        for v in order:
            if v.parents:
                v.grad = 0.0                           # computed afresh, as torch does
        self.grad += 1.0                               # ∂self/∂self
        for v in reversed(order):
            v._backward()
