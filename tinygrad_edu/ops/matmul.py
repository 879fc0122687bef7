"""Matrix multiplication: the weighted sums of many neurons at once.

`a @ b` with 2-D (or batched) operands is the primitive; 1-D operands are handled the way
NumPy and PyTorch handle them, by treating a vector as a one-row or one-column matrix.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class Matmul(Function):
    """f(A, B) = A @ B;  dA = G @ Bᵀ, dB = Aᵀ @ G (batch dims that were broadcast are summed by the engine)"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((1,), (0,))

    def forward(self, a, b):
        return self.xp.matmul(a, b)   # overflow gives inf, inf·0 nan, silently

    def backward(self, grad):
        a, b = self.inputs
        grad_a = grad_b = None
        # A weight used as `W.T` is a transposed view. Its gradient Aᵀ @ G would come out laid
        # out as W's transpose, and reach W.grad only through a transposing copy, which walks
        # memory across the cache lines. (Gᵀ @ A)ᵀ is the same product, written by BLAS in W's
        # own order, at the same cost (docs/benchmarks.md, change 23).
        if self.needs_input_grad[0]:
            grad_a = Matmul.apply(b, grad.mT).mT if _transposed(a) else Matmul.apply(grad, b.mT)
        if self.needs_input_grad[1]:
            grad_b = Matmul.apply(grad.mT, a).mT if _transposed(b) else Matmul.apply(a.mT, grad)
        return grad_a, grad_b


def _transposed(t: Tensor) -> bool:
    """Whether t is stored as the transpose of a contiguous matrix (or batch of them), like W.T."""
    array = t.array
    # swapaxes, not .mT: CuPy's arrays have no .mT
    return array.ndim >= 2 and not array.flags.c_contiguous and array.swapaxes(-1, -2).flags.c_contiguous


@register("matmul", operators=("__matmul__",))
def matmul(a: Tensor, b: Any) -> Tensor:
    """The matrix product, with NumPy's rules for 1-D and batched operands

    Two tensors must have one dtype, as in PyTorch (a Python or NumPy operand is converted)."""
    if isinstance(b, Tensor) and a.dtype != b.dtype:
        raise DTypeError(f"matmul: expected both operands to have the same dtype, but got {a.dtype} and "
                         f"{b.dtype}; convert one of them, e.g. with .to({str(a.dtype)!r})")
    a, b = a._operand(b, "matmul")
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and {b.shape}")
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} do not fit: the last dim of the first "
                         f"({a.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
                         f"dim of the second ({inner_b})")
    if a.ndim > 2 or b.ndim > 2:
        batch_a, batch_b = a.shape[:-2], b.shape[:-2]
        for x, y in zip(reversed(batch_a), reversed(batch_b)):
            if x != y and x != 1 and y != 1:
                raise ShapeError(f"matmul: batch dims of {a.shape} and {b.shape} cannot be broadcast together")
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    out = Matmul.apply(a2, b2)
    if b.ndim == 1:
        out = out.squeeze(-1)
    if a.ndim == 1:
        out = out.squeeze(-2 if b.ndim > 1 else -1)
    return out


@register("rmatmul", kind="operator", operators=("__rmatmul__",))
def rmatmul(a: Tensor, b: Any) -> Tensor:
    """b @ a (what `array @ x` runs)"""
    a, b = a._operand(b, "matmul")
    return matmul(b, a)


@register("linear", kind="functional")
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias: every output is a weighted sum of the inputs. weight: (out, in)."""
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features in its "
                         f"last dim, but weight of shape {weight.shape} expects {weight.shape[1]}")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"linear: bias must have shape ({weight.shape[0]},) for weight {weight.shape}, "
                         f"got {bias.shape}")
    if x.ndim > 2:   # (N, T, in): one (N·T, in) product, not N of them, and so one GEMM for the weight's gradient
        out = matmul(x.reshape(-1, x.shape[-1]), weight.T).reshape(*x.shape[:-1], weight.shape[0])
    else:
        out = matmul(x, weight.T)
    return out if bias is None else out + bias


# ---- the named products PyTorch also has: mm bmm mv dot outer addmm --------------------------

def _check_same_dtype(a: Tensor, b: Tensor, op: str) -> None:
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{op}: expected two Tensors, got {type(a).__name__} and {type(b).__name__}")
    if a.dtype != b.dtype:
        raise DTypeError(f"{op}: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype}")


def _check_ndim(t: Tensor, ndim: int, what: str, op: str) -> None:
    if t.ndim != ndim:
        kind = {1: "a 1-D vector", 2: "a 2-D matrix", 3: "a 3-D batch of matrices"}[ndim]
        raise ShapeError(f"{op}: {what} must be {kind}, got shape {t.shape}")


@register("mm")
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices (2-D only, no broadcasting)"""
    _check_same_dtype(input, mat2, "mm")
    _check_ndim(input, 2, "input", "mm")
    _check_ndim(mat2, 2, "mat2", "mm")
    if input.shape[1] != mat2.shape[0]:
        raise ShapeError(f"mm: mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} and "
                         f"{mat2.shape[0]}x{mat2.shape[1]})")
    return Matmul.apply(input, mat2)


@register("bmm")
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of (b, n, m) and (b, m, p): one product per batch item, no broadcasting"""
    _check_same_dtype(input, mat2, "bmm")
    _check_ndim(input, 3, "input", "bmm")
    _check_ndim(mat2, 3, "mat2", "bmm")
    if mat2.shape[:2] != (input.shape[0], input.shape[2]):
        raise ShapeError(f"bmm: expected mat2 of shape ({input.shape[0]}, {input.shape[2]}, p) for input of shape "
                         f"{input.shape}, got {mat2.shape} (the batch sizes and the inner dims must match)")
    return Matmul.apply(input, mat2)


@register("mv")
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of a matrix (n, m) and a vector (m,)"""
    _check_same_dtype(input, vec, "mv")
    _check_ndim(input, 2, "input", "mv")
    _check_ndim(vec, 1, "vec", "mv")
    if input.shape[1] != vec.shape[0]:
        raise ShapeError(f"mv: size mismatch: input of shape {input.shape} needs a vector of size {input.shape[1]}, "
                         f"got shape {vec.shape}")
    return matmul(input, vec)


@register("dot")
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """Σ input_i · tensor_i for two 1-D tensors of one size (a 0-d result)"""
    _check_same_dtype(input, tensor, "dot")
    _check_ndim(input, 1, "input", "dot")
    _check_ndim(tensor, 1, "tensor", "dot")
    if input.shape != tensor.shape:
        raise ShapeError(f"dot: expected 1-D tensors of the same size, got sizes {input.shape[0]} and {tensor.shape[0]}")
    return matmul(input, tensor)


@register("outer", aliases=("ger",))
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two vectors: out[i, j] = input[i] · vec2[j]"""
    if not isinstance(input, Tensor) or not isinstance(vec2, Tensor):
        raise TypeError(f"outer: expected two Tensors, got {type(input).__name__} and {type(vec2).__name__}")
    _check_ndim(input, 1, "input", "outer")
    _check_ndim(vec2, 1, "vec2", "outer")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


@register("addmm")
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """beta · input + alpha · (mat1 @ mat2), input broadcast to the product's shape"""
    product = mm(mat1, mat2)
    _check_same_dtype(input, mat1, "addmm")
    if input.ndim > 2 or any(n not in (1, m) for n, m in zip(input.shape[::-1], product.shape[::-1])):
        raise ShapeError(f"addmm: input of shape {input.shape} cannot be broadcast to the product's shape "
                         f"{product.shape}")
    if alpha != 1:
        product = product * alpha
    if beta == 0:   # as in PyTorch: input is ignored then, so a nan or inf in it does not leak through
        return product
    return product + (input if beta == 1 else input * beta)


# ---- einsum ----------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Einsum(Function):
    """f(A, B, ...) = einsum(equation, A, B, ...);  df/dA = einsum of the upstream gradient with the
    other operands, back to A's subscripts

    The equation reaching here names every dim with a letter (no '...'), and the sizes of a letter
    agree across operands; repeated letters within one operand (a diagonal) are allowed."""

    def forward(self, *arrays, inputs, output):
        self.subscripts, self.output_subscripts = inputs, output
        equation = ",".join(inputs) + "->" + output
        return self.xp.einsum(equation, *arrays, optimize=len(arrays) > 2)

    def backward(self, grad):
        return tuple(self._gradient_of(k, grad) if needed else None
                     for k, needed in enumerate(self.needs_input_grad))

    def _gradient_of(self, k: int, grad: Tensor) -> Tensor:
        """The gradient of operand k: the upstream gradient contracted with every other operand.
        A letter only operand k has was summed over, so the gradient is the same all along it
        (a ones vector supplies it); a letter operand k repeats was a diagonal, so the gradient
        sits on that diagonal (an identity matrix puts it there)."""
        target = self.subscripts[k]
        terms = [s for j, s in enumerate(self.subscripts) if j != k] + [self.output_subscripts]
        tensors = [t for j, t in enumerate(self.inputs) if j != k] + [grad]
        x = self.inputs[k]
        size = dict(zip(target, x.shape))
        fresh = iter(c for c in LETTERS if c not in "".join(self.subscripts) + self.output_subscripts)
        result, seen = "", set()
        for letter, n in zip(target, x.shape):
            if letter in seen:   # a diagonal: an identity ties this dim to the first one with the letter
                new = next(fresh)
                terms.append(letter + new)
                tensors.append(self.constant(self.xp.eye(n, dtype=x.dtype)))
                result += new
                continue
            seen.add(letter)
            if letter not in "".join(terms):
                terms.append(letter)
                tensors.append(self.constant(self.xp.ones(size[letter], dtype=x.dtype)))
            result += letter
        return Einsum.apply(*tensors, inputs=tuple(terms), output=result)


def _einsum_subscripts(equation: str, operands: list[Tensor]) -> tuple[list[str], str]:
    """The equation's subscripts, one string per operand and one for the result, with '...'
    spelled out as letters and the implicit result made explicit (PyTorch's rules)."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a str, got {type(equation).__name__}")
    lhs, arrow, rhs = equation.replace(" ", "").partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ShapeError(f"einsum: the equation {equation!r} names {len(terms)} operand(s), but "
                         f"{len(operands)} were given")
    for part in terms + ([rhs] if arrow else []):
        rest = part.replace("...", "", 1)
        bad = [c for c in rest if c not in LETTERS]
        if bad:
            raise ShapeError(f"einsum: invalid subscript {bad[0]!r} in the equation {equation!r}; subscripts "
                             f"are letters a-z and A-Z, with at most one '...' per operand")
    named = [len(t.replace("...", "")) for t in terms]
    for i, (term, count, t) in enumerate(zip(terms, named, operands)):
        if count != t.ndim if "..." not in term else count > t.ndim:
            raise ShapeError(f"einsum: operand {i} has {t.ndim} dims (shape {t.shape}), but its subscripts "
                             f"{term!r} name {count}")
    wide = max([t.ndim - count for term, count, t in zip(terms, named, operands) if "..." in term], default=0)
    unused = [c for c in LETTERS if c not in equation]
    ellipsis = "".join(unused[:wide])
    inputs = [term.replace("...", ellipsis[wide - (t.ndim - count):] if t.ndim - count else "")
              for term, count, t in zip(terms, named, operands)]
    letters = "".join(inputs)
    if arrow:
        output = rhs.replace("...", ellipsis)
        for c in output:
            if c not in letters:
                raise ShapeError(f"einsum: output subscript {c!r} does not appear in any operand of {equation!r}")
            if output.count(c) > 1:
                raise ShapeError(f"einsum: output subscript {c!r} appears more than once in {equation!r}")
    else:   # implicit: the '...' dims, then the letters used once, in alphabetical order
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    return inputs, output


def _letter_sizes(inputs: list[str], operands: list[Tensor], equation: str) -> dict[str, int]:
    """Each letter's size: the sizes it has must agree, except that 1 broadcasts."""
    sizes: dict[str, int] = {}
    for i, (term, t) in enumerate(zip(inputs, operands)):
        for letter, n in zip(term, t.shape):
            known = sizes.get(letter, 1)
            if n != 1 and known != 1 and n != known:
                raise ShapeError(f"einsum: subscript {letter!r} has size {n} in operand {i} (shape {t.shape}), "
                                 f"which does not match its size {known} elsewhere in {equation!r}")
            if term.count(letter) > 1 and len({m for c, m in zip(term, t.shape) if c == letter}) > 1:
                raise ShapeError(f"einsum: subscript {letter!r} is repeated in operand {i} but its sizes differ "
                                 f"(shape {t.shape})")
            sizes[letter] = known if n == 1 and letter in sizes else n
    return sizes


@register("einsum", method=False)
def einsum(equation: str, *operands: Any) -> Tensor:
    """Sums of products named by an equation: 'ij,jk->ik' is a matrix product, 'ii' a trace, 'bhqd,bhkd->bhqk' attention scores"""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])   # torch.einsum('ij,jk', [a, b]) works too
    if not operands or not all(isinstance(t, Tensor) for t in operands):
        raise TypeError("einsum: expected one or more Tensors after the equation")
    for t in operands[1:]:
        _check_same_dtype(operands[0], t, "einsum")
    tensors = list(operands)
    inputs, output = _einsum_subscripts(equation, tensors)
    sizes = _letter_sizes(inputs, tensors, equation)
    for i, (term, t) in enumerate(zip(inputs, tensors)):
        wanted = tuple(sizes[c] for c in term)
        if t.shape != wanted:   # a size-1 dim broadcasts: expand it (its gradient is summed back)
            tensors[i] = t.expand(wanted)
    return Einsum.apply(*tensors, inputs=tuple(inputs), output=output)
