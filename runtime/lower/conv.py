"""Convolutions and their gradients (Conv2D, Conv3D, Conv*BackpropInput,
Conv*BackpropFilter): a direct convolution where it wins, else im2col and
the gemm of the BLAS numpy ships.

Both were measured on W5's layers (batch 64, 5x5 filters, 1->32 channels on
28x28 and 32->64 on 14x14; one thread, best of 12 runs on the shared 2-core
machine):

                          direct    im2col + sgemm
    forward, 32->64       13.0 ms   20.4 ms
    input grad, 64->32    14.1 ms   15.1 ms
    forward, 1->32         1.0 ms    1.6 ms

(with two threads, under load, 28 ms against 92 ms: OpenBLAS's spinning
threads suffer most). So a convolution whose output depth is a whole number
of SIMD vectors is the register-blocked loop of `conv_direct.py`: the forward
op, and the input gradient of a stride-1 one (dy convolved with the filter
flipped and transposed). The rest, above all the filter gradient (a long
reduction over pixels, where the gemm's blocking pays), is im2col: for a
chunk of images at a time the windows of the input are copied into a matrix
with one row per output position and one column per (channel group, tap,
channel), and one gemm per group multiplies it with the filter, which in TF's
[*kernel, in, out] order already is a [taps * in, out] matrix:

    forward            y       = columns @ filter
    filter gradient    filter += columns^T @ dy      (over the chunks, in order)
    input gradient     columns = dy @ filter^T, summed back into dx (col2im)

The images are cut into `_SLICES` fixed slices, split over graphc's threads;
a slice's thread does its chunks alone (its own column buffer, in cache
between the copy and the gemm), with OpenBLAS held to that thread
(`blas_guard`): OpenBLAS's own threads spin between gemms and, mixed with
graphc's, cost W5 more than they gave. The filter gradient adds each slice
into a partial filter, then the partials in slice order, so results do not
depend on the thread count. One image is one slice, left to OpenBLAS's
threads. A 1x1 window with stride 1 and no padding needs no copy: the input
is the matrix.
"""
import contextlib

import numpy as np
from llvmlite import ir

from graphc.ops.conv import OP_TYPES, window_of
from graphc.ops.windows import Window
from graphc.runtime import externs
from ..plan import NotLowerable
from . import conv_direct
from .blas_guard import single_threaded_blas
from .index_map import Access, copy, fill
from .kernel import kernel_step
from .loops import contiguous_strides, counted_loop, product, total
from .matmul import BLAS, gemm, gemm_type
from .parallel import declare, range_function, split_if_worth_it
from .types import I32, I64, PTR, element_pointer, i64, storage_type
from .window import Geometry, geometry

_COLUMN_BYTES = 4 << 20
_SLICES = 8  # fixed, not the thread count: the filter gradient's partial sums
_OUT_OF_MEMORY = 1
# op type: the operand of (x, filter, y) it computes
_PRODUCES = {}
for _conv, _input, _filter in OP_TYPES.values():
    _PRODUCES.update({_conv: "y", _input: "x", _filter: "filter"})
# what an op computes: its (x, filter, y) tensors
_OPERANDS = {"y": lambda op: (op.inputs[0], op.inputs[1], op.outputs[0]),
             "x": lambda op: (op.outputs[0], op.inputs[1], op.inputs[2]),
             "filter": lambda op: (op.inputs[0], op.outputs[0], op.inputs[2])}


class _Shape:
    """The static sizes of one convolution: geometry, groups, matrix extents."""

    def __init__(self, plan, op, x, f, y, dtype):
        f_dims = plan.dims_of(f)
        if not all(isinstance(d, int) for d in f_dims):
            raise NotLowerable(None, op, f"'{op.name}' ({op.type}) is compiled for a static filter shape")
        self.geometry = g = geometry(plan, op, x, window_of(f_dims, **op.attrs), y)
        self.groups, self.out_depth = g.depth // f_dims[-2], f_dims[-1]
        self.in_group, self.out_group = f_dims[-2], self.out_depth // max(self.groups, 1)
        self.group_row = g.taps * self.in_group  # a group's columns: taps x its channels
        self.row = g.taps * g.depth            # a row of the column matrix: groups x taps x channels
        self.empty = 0 in (g.out_positions, self.out_depth, g.depth)
        pads = g.window.pads(g.in_sizes)
        self.pointwise = g.taps == 1 and set(g.window.strides) == {1} and not any(map(any, pads))
        self.images_per_chunk = max(1, _COLUMN_BYTES // max(g.out_positions * self.row * dtype.size, 1))
        self.column_bytes = self.images_per_chunk * g.out_positions * self.row * dtype.size
        self.filter_size = int(np.prod(f_dims))
        self.direct = _direct_form(_PRODUCES[op.type], g, self.groups, f_dims, dtype)


def _direct_form(role, g, groups, f_dims, dtype):
    """(geometry, out depth, blocking) of the op as a direct convolution: the forward
    one, or the input gradient of a stride-1 one (dy convolved with the flipped,
    transposed filter); None where im2col and the gemm do it."""
    if groups != 1 or role == "filter":
        return None
    if role == "y":
        geometry, depth = g, f_dims[-1]
    else:
        window = g.window
        befores = [window.span(a) - 1 - before for a, (before, _) in enumerate(window.pads(g.in_sizes))]
        pads = tuple((b, n - m - b + window.span(a) - 1)
                     for a, (b, n, m) in enumerate(zip(befores, g.in_sizes, g.out_sizes)))
        if set(window.strides) != {1} or min(min(p) for p in pads) < 0:
            return None
        flipped = Window(window.sizes, window.strides, window.dilations, pads)
        geometry, depth = Geometry(flipped, g.out_sizes, g.in_sizes, f_dims[-1]), g.depth
    blocks = conv_direct.blocking(dtype, depth)
    return None if blocks is None else (geometry, depth, blocks)


def _lower_convolution(plan, op):
    role = _PRODUCES[op.type]
    x, f, y = _OPERANDS[role](op)
    out = op.outputs[0]
    shape = _Shape(plan, op, x, f, y, out.dtype)
    inputs = [t for t in (x, f, y) if t is not out]

    def body(k):
        pointers = dict(zip([out] + inputs, list(k.outputs) + list(k.inputs)))
        hold = (k.externs[2], k.externs[1]) if held else None
        _Emitter.of_kernel(k, shape, out.dtype, [pointers[t] for t in (x, f, y)]).run(
            role, product(k.builder, k.sizes(out)), k.sizes(x)[0], hold)
    held = shape.direct is None and externs.available("blas_threads")
    names = [BLAS[out.dtype]] + (["blas_threads", "blas_guard"] if held else [])
    kernel_step(plan, op, body, inputs=inputs, externs=[plan.extern(e) for e in names], explain=_explain)


def _explain(code, info, shapes):
    return f"out of memory allocating {info[0]} bytes for the im2col buffer"


class _Emitter:
    """The IR of one convolution: the direct loop, or slices of the images (see
    `by_slices`), each a chunk at a time an im2col, a gemm per channel group and
    for the input gradient a col2im. `builder` emits into the kernel or into the
    slice function; `fail(code, size)` leaves it on an allocation failure."""

    def __init__(self, builder, shape, dtype, operands, blas, dims, name, fail):
        self.b, self.s, self.dtype = builder, shape, dtype
        self.x, self.f, self.y = operands
        self.blas, self.dims, self.name, self.fail = blas, dims, name, fail

    @classmethod
    def of_kernel(cls, k, shape, dtype, operands):
        return cls(k.builder, shape, dtype, operands, k.externs[0], k.dims, k.function.name, k.fail)

    def run(self, role, out_size, images, hold):
        """`hold`: the (guard, set_threads) externs holding OpenBLAS to one thread, or None."""
        s = self.s
        if s.empty or role == "filter":  # the filter gradient adds up the slices' partial sums
            self.zero({"y": self.y, "x": self.x, "filter": self.f}[role], out_size)
        if s.empty:
            return
        if s.direct is not None:
            self.direct(role, images)
            return
        if not hold:
            self.by_slices(role, images)
            return
        with self.b.if_else(self.b.icmp_signed(">", images, i64(1))) as (several, one):
            with several, single_threaded_blas(self.b, *hold):
                self.by_slices(role, images)
            with one:  # one slice does all: OpenBLAS's threads share its gemms
                self.by_slices(role, images)

    def by_slices(self, role, images):
        """The `_SLICES` slices over threads; the filter gradient then adds up their
        partial filters in slice order (see the module docstring)."""
        b, s = self.b, self.s
        size = s.filter_size
        partials = self.allocate(_SLICES * size) if role == "filter" else ir.Constant(PTR, None)
        fn = self.function("slices", lambda module, name: _slice_function(module, name, s, self.dtype, role))
        status = b.call(fn, [self.x, self.f, self.y, partials, self.blas, self.dims, images,
                             i64(_SLICES), i64(0), i64(-1)])
        with b.if_then(b.icmp_signed("!=", status, ir.Constant(I32, 0)), likely=False):
            if role == "filter":
                self.release(partials)
            self.fail(_OUT_OF_MEMORY, i64(s.column_bytes))
        if role == "filter":
            with counted_loop(b, i64(_SLICES), "partial") as part:
                copy(b, self.dtype, [i64(size)], Access(self.f, [i64(1)]),
                     Access(partials, [i64(1)], b.mul(part, i64(size))), combine=b.fadd)
            self.release(partials)

    def slice(self, role, first, end):
        """Images [first, end) a chunk at a time, on this thread."""
        b, s = self.b, self.s
        images = b.sub(end, first)
        if s.pointwise:
            chunk, buffer = b.select(b.icmp_signed(">", images, i64(1)), images, i64(1)), None
        else:  # chunks of at most images_per_chunk, as even as can be
            chunks = b.udiv(b.add(images, i64(s.images_per_chunk - 1)), i64(s.images_per_chunk))
            chunks = b.select(b.icmp_signed(">", chunks, i64(1)), chunks, i64(1))
            chunk = b.udiv(b.add(images, b.sub(chunks, i64(1))), chunks)
            chunk = b.select(b.icmp_signed(">", chunk, i64(1)), chunk, i64(1))
            buffer = self.allocate(s.images_per_chunk * s.geometry.out_positions * s.row)
        with counted_loop(b, b.udiv(b.add(images, b.sub(chunk, i64(1))), chunk), "chunk") as c:
            start = b.mul(c, chunk)
            left = b.sub(images, start)
            count = b.select(b.icmp_signed("<", left, chunk), left, chunk)
            start = b.add(first, start)
            rows = b.mul(count, i64(s.geometry.out_positions))
            columns = self.at(self.x, b.mul(start, i64(s.geometry.in_positions * s.geometry.depth))) \
                if buffer is None else buffer
            y = self.at(self.y, b.mul(start, i64(s.geometry.out_positions * s.out_depth)))
            if role != "x" and buffer is not None:
                b.call(self.function("im2col", self.copies(_im2col)),
                       [buffer, self.x, start, i64(0), s.geometry.blocks(b, count)])
            with counted_loop(b, i64(s.groups), "group") as g:
                _GEMMS[role](self, self.group(columns, g, s.group_row), self.group(y, g, s.out_group),
                             self.group(self.f, g, s.out_group), rows)
            if role == "x" and buffer is not None:
                b.call(self.function("col2im", self.copies(_col2im)), [self.x, buffer, start, i64(0), count])
        if buffer is not None:
            self.release(buffer)

    def copies(self, emit):
        return lambda module, name: emit(module, name, self.s, self.dtype)

    def direct(self, role, images):
        """The forward convolution, or the input gradient as the convolution of dy with
        the filter flipped along every kernel axis and its in and out swapped."""
        b, (geometry, depth, blocks) = self.b, self.s.direct
        weights = self.f if role == "y" else self.flipped_filter()
        out, source = (self.y, self.x) if role == "y" else (self.x, self.y)

        def make(module, name):
            return conv_direct.emit(module, name, geometry, depth, self.dtype, blocks)
        b.call(self.function("direct", make), [out, source, weights, self.dims, images, geometry.blocks(b, images),
                                               i64(0), i64(-1)])
        if role == "x":
            self.release(weights)

    def flipped_filter(self):
        """The filter [*kernel, in, out] reversed along the kernel axes as
        [*kernel, out, in], in a new buffer."""
        b = self.b
        f_dims = [*self.s.geometry.window.sizes, self.s.in_group, self.s.out_depth]
        flipped = self.allocate(int(np.prod(f_dims)))
        strides = contiguous_strides(b, [i64(n) for n in f_dims])
        last = total(b, [product(b, [i64(n - 1), stride]) for n, stride in zip(f_dims, strides[:-2])])
        counts = [i64(n) for n in f_dims[:-2] + f_dims[-1:] + f_dims[-2:-1]]
        source_strides = [product(b, [i64(-1), stride]) for stride in strides[:-2]] + [strides[-1], strides[-2]]
        target = Access(flipped, contiguous_strides(b, counts))
        copy(b, self.dtype, counts, target, Access(self.f, source_strides, last))
        return flipped

    # -- the gemm of one group, per role: columns, y and filter point at the group ----
    def forward(self, columns, y, f, rows):
        s = self.s
        self.gemm(y, columns, f, rows, s.out_group, s.group_row, False, False, s.row, s.out_depth, s.out_depth)

    def filter_gradient(self, columns, y, f, rows):
        s = self.s
        self.gemm(f, columns, y, s.group_row, s.out_group, rows, True, False, s.row, s.out_depth, s.out_depth,
                  beta=1.0)

    def input_gradient(self, columns, y, f, rows):
        s = self.s
        self.gemm(columns, y, f, rows, s.group_row, s.out_group, False, True, s.out_depth, s.out_depth, s.row)

    def gemm(self, c, a, b_, m, n, depth, transpose_a, transpose_b, lda, ldb, ldc, beta=0.0):
        """C = A @ B (+ C); nothing for an empty product (m and n > 0 are static or checked)."""
        b = self.b
        m, n, depth = (v if isinstance(v, ir.Value) else i64(v) for v in (m, n, depth))
        nonempty = b.and_(b.icmp_signed(">", m, i64(0)), b.icmp_signed(">", depth, i64(0)))
        with b.if_then(nonempty):
            gemm(b, self.blas, self.dtype, c, a, b_, m, n, depth, transpose_a, transpose_b,
                 i64(lda), i64(ldb), i64(ldc), beta=beta)

    # -- memory -------------------------------------------------------------------------
    def at(self, pointer, index):
        return element_pointer(self.b, pointer, index, self.dtype)

    def group(self, pointer, g, width):
        return self.at(pointer, self.b.mul(g, i64(width)))

    def zero(self, pointer, count):
        fill(self.b, self.dtype, [count], Access(pointer, [i64(1)]), ir.Constant(storage_type(self.dtype), 0.0))

    def allocate(self, elements):
        size = i64(elements * self.dtype.size)
        buffer = self.b.call(declare(self.b.module, "malloc", ir.FunctionType(PTR, [I64])), [size])
        with self.b.if_then(self.b.icmp_unsigned("==", buffer, ir.Constant(PTR, None)), likely=False):
            self.fail(_OUT_OF_MEMORY, size)
        return buffer

    def release(self, buffer):
        self.b.call(declare(self.b.module, "free", ir.FunctionType(ir.VoidType(), [PTR])), [buffer])

    def function(self, what, make):
        """The kernel's function `what`, which `make(module, name)` emits once per kernel."""
        module = self.b.module
        name = f"{self.name}.{what}"
        fn = module.globals.get(name)
        return make(module, name) if fn is None else fn


_GEMMS = {"y": _Emitter.forward, "filter": _Emitter.filter_gradient, "x": _Emitter.input_gradient}


def _slice_function(module, name, s, dtype, role):
    """`i32 name(ptr x, ptr filter, ptr y, ptr partials, ptr gemm, ptr dims, i64 images, i64 slices, lo, hi)`:
    slices [lo, hi) of the images (see `_Emitter.by_slices`); 1 when out of memory."""
    fn, b = range_function(module, name, [PTR] * 4 + [gemm_type(dtype).as_pointer(), PTR, I64, I64])
    x, f, y, partials, blas, dims, images, slices, lo, hi = fn.args
    lo, hi = split_if_worth_it(b, fn, dims, lo, hi, slices, b.mul(images, i64(s.geometry.out_positions * s.row)))
    kernel = name[:-len(".slices")]

    def fail(code, size):
        b.ret(ir.Constant(I32, code))
    with counted_loop(b, hi, "slice", start=lo) as part:
        first, end = (b.udiv(b.mul(images, v), slices) for v in (part, b.add(part, i64(1))))
        partial = element_pointer(b, partials, b.mul(part, i64(s.filter_size)), dtype)
        emitter = _Emitter(b, s, dtype, (x, partial if role == "filter" else f, y), blas, dims, kernel, fail)
        if role == "filter":
            emitter.zero(partial, i64(s.filter_size))
        with b.if_then(b.icmp_unsigned("<", first, end)):  # no column buffer for an empty slice
            emitter.slice(role, first, end)
    b.ret(ir.Constant(I32, 0))
    return fn


# -- the copies between the input and the column matrix, on a slice's thread ---------------
def _copy_function(module, name, body):
    """`i32 name(ptr a, ptr b, i64 first image, i64 lo, i64 hi)`: `body(builder, a, b,
    first, lo, hi)` over the outer iterations [lo, hi) of the chunk at image `first`."""
    fn, builder = range_function(module, name, [PTR, PTR, I64])
    a, b_, first, lo, hi = fn.args
    for pointer in (a, b_):
        pointer.add_attribute("noalias")
    body(builder, a, b_, first, lo, hi)
    builder.ret(ir.Constant(I32, 0))
    return fn


@contextlib.contextmanager
def _taps(builder, s, first, lo, hi):
    """Every tap of output blocks [lo, hi) of the chunk starting at image `first`:
    yields (inside, where the tap reads in the input, where its columns are)."""
    g = s.geometry
    with g.outputs(builder, lo, hi) as (image, out_index, row), g.tap_loop(builder) as (offsets, tap):
        inside, spatial = g.source(builder, out_index, offsets)
        source = builder.mul(builder.add(builder.mul(builder.add(first, image), i64(g.in_positions)), spatial),
                             i64(g.depth))
        yield inside, source, builder.add(builder.mul(row, i64(s.row)), builder.mul(tap, i64(s.in_group)))


def _group_access(pointer, offset, s, columns):
    """The [groups, channels of a group] block at `offset` of the input or of a column row."""
    return Access(pointer, [i64(s.group_row if columns else s.in_group), i64(1)], offset)


def _im2col(module, name, s, dtype):
    def body(b, columns, x, first, lo, hi):
        counts = [i64(s.groups), i64(s.in_group)]
        with _taps(b, s, first, lo, hi) as (inside, source, target):
            row = _group_access(columns, target, s, True)
            with b.if_else(inside) as (read, pad):
                with read:
                    copy(b, dtype, counts, row, _group_access(x, source, s, False))
                with pad:
                    fill(b, dtype, counts, row, ir.Constant(storage_type(dtype), 0.0))
    return _copy_function(module, name, body)


def _col2im(module, name, s, dtype):
    """Per image (the unit of threads: images' gradients do not overlap) the
    image's gradient zeroed, then every tap's columns added where it read."""
    g = s.geometry

    def body(b, dx, columns, first, lo, hi):
        counts = [i64(s.groups), i64(s.in_group)]
        image_size = i64(g.in_positions * g.depth)
        with counted_loop(b, hi, "image", start=lo) as image:
            start = b.mul(b.add(first, image), image_size)
            fill(b, dtype, [image_size], Access(dx, [i64(1)], start), ir.Constant(storage_type(dtype), 0.0))
            blocks = (g.blocks(b, image), g.blocks(b, b.add(image, i64(1))))
            with _taps(b, s, first, *blocks) as (inside, source, target):
                with b.if_then(inside):
                    copy(b, dtype, counts, _group_access(dx, source, s, False), _group_access(columns, target, s, True),
                         combine=b.fadd)
    return _copy_function(module, name, body)


LOWERINGS = {op_type: _lower_convolution for op_type in _PRODUCES}
