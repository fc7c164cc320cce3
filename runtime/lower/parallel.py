"""Fork-join over a kernel's outermost loop, with POSIX threads from the IR.

A parallel kernel is written as `range_fn(args..., i64 lo, i64 hi)` covering
outer iterations [lo, hi); `hi < 0` asks it to cover everything, splitting
the range over the threads when the work is large enough to pay for them
(`split_if_worth_it`). Each outer iteration is computed by exactly one thread
and in the same order as with one thread, so results are bitwise the same
for any thread count. The thread count is slot `THREADS_SLOT` of the dims
table (1 means no threads).

The fork-join logic is one function per module (`graphc.fork_join`); a
kernel only adds a trampoline that unpacks its arguments from a record.
"""
from llvmlite import ir

from .loops import counted_loop
from .types import I1, I32, I64, PTR, i64

THREADS_SLOT = 0
# Below this many elements of work, starting a thread (~20 µs) costs more than it saves.
MIN_PARALLEL_WORK = 1 << 18
_MAX_THREADS = 16
_FORK_JOIN = "graphc.fork_join"


def threads(builder, dims):
    pointer = builder.gep(dims, [i64(THREADS_SLOT)], inbounds=True, source_etype=I64)
    return builder.load(pointer, typ=I64)


def range_function(module, name, arg_types):
    """An internal `i32 name(args..., i64 lo, i64 hi)` and a builder at its entry:
    the shape of function `split_if_worth_it` forks; call it with (0, -1) for
    the whole range."""
    fn = ir.Function(module, ir.FunctionType(I32, list(arg_types) + [I64, I64]), name)
    fn.linkage = "internal"
    return fn, ir.IRBuilder(fn.append_basic_block("entry"))


def public_wrapper(module, name, range_fn):
    """`i32 name(args...)`: the whole range of `range_fn`, split if worth it."""
    arg_types = [a.type for a in range_fn.args[:-2]]
    fn = ir.Function(module, ir.FunctionType(I32, arg_types), name)
    fn.linkage = "internal"
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    builder.ret(builder.call(range_fn, list(fn.args) + [i64(0), i64(-1)]))
    return fn


def split_if_worth_it(builder, range_fn, dims, lo, hi, outer, work, min_work=MIN_PARALLEL_WORK):
    """In `range_fn`'s entry: when called for the whole range (hi < 0), either
    fork-join over `outer` iterations (returning the combined status) or
    continue with [0, outer): the latter when `work` is below `min_work`.
    Returns the (lo, hi) the body must cover."""
    whole = builder.icmp_signed("<", hi, i64(0))
    available = threads(builder, dims)
    count = builder.select(builder.icmp_signed("<", available, outer), available, outer)
    count = builder.select(builder.icmp_signed(">", count, i64(_MAX_THREADS)), i64(_MAX_THREADS), count)
    worth = builder.and_(builder.icmp_signed(">", count, i64(1)), builder.icmp_signed(">=", work, i64(min_work)))
    with builder.if_then(builder.and_(whole, worth), likely=False):
        args = list(range_fn.args[:-2])
        width = len(args) + 3  # args, lo, hi, status
        records = builder.alloca(I64, size=_MAX_THREADS * width)
        for i, arg in enumerate(args):
            slot = builder.gep(records, [i64(i)], source_etype=I64)
            builder.store(builder.ptrtoint(arg, I64) if arg.type == PTR else arg, slot)
        trampoline = _trampoline(builder.module, range_fn, width)
        status = builder.call(_fork_join(builder.module), [trampoline, records, i64(width), outer, count])
        builder.ret(status)
    return builder.select(whole, i64(0), lo), builder.select(whole, outer, hi)


def _fork_join(module):
    """`i32 fork_join(ptr trampoline, ptr records, i64 width, i64 outer, i64 count)`:
    record 0 holds the arguments; chunk k of [0, outer) runs on a new thread
    (or here when none can be had; chunk 0 always here); the status is the
    largest chunk status."""
    existing = module.globals.get(_FORK_JOIN)
    if existing is not None:
        return existing
    thread_body = ir.FunctionType(PTR, [PTR]).as_pointer()  # typed, so it can be called
    fn = ir.Function(module, ir.FunctionType(I32, [thread_body, PTR, I64, I64, I64]), _FORK_JOIN)
    fn.linkage = "internal"
    trampoline, records, width, outer, count = fn.args
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    create = declare(module, "pthread_create", ir.FunctionType(I32, [PTR, PTR, PTR, PTR]))
    join = declare(module, "pthread_join", ir.FunctionType(I32, [I64, PTR]))
    handles = builder.alloca(I64, size=_MAX_THREADS)
    started = builder.alloca(I1, size=_MAX_THREADS)
    arg_count = builder.sub(width, i64(3))

    def slot(chunk, index):
        return builder.gep(records, [builder.add(builder.mul(chunk, width), index)], source_etype=I64)

    def call(chunk):
        builder.call(trampoline, [slot(chunk, i64(0))], tail=False)

    with counted_loop(builder, count, "chunk") as chunk:
        with counted_loop(builder, arg_count, "copy") as i:
            builder.store(builder.load(slot(i64(0), i), typ=I64), slot(chunk, i))
        builder.store(builder.sdiv(builder.mul(outer, chunk), count), slot(chunk, arg_count))
        builder.store(builder.sdiv(builder.mul(outer, builder.add(chunk, i64(1))), count),
                      slot(chunk, builder.add(arg_count, i64(1))))
    with counted_loop(builder, builder.sub(count, i64(1)), "spawn") as k:
        chunk = builder.add(k, i64(1))
        handle = builder.gep(handles, [chunk], source_etype=I64)
        code = builder.call(create, [handle, ir.Constant(PTR, None), trampoline, slot(chunk, i64(0))])
        failed = builder.icmp_signed("!=", code, ir.Constant(I32, 0))
        builder.store(builder.not_(failed), builder.gep(started, [chunk], source_etype=I1))
        with builder.if_then(failed):  # no thread to be had: run the chunk here
            call(chunk)
    call(i64(0))
    result = builder.alloca(I64)
    builder.store(i64(0), result)
    with counted_loop(builder, count, "join") as chunk:
        with builder.if_then(builder.and_(builder.icmp_signed(">", chunk, i64(0)),
                                          builder.load(builder.gep(started, [chunk], source_etype=I1), typ=I1))):
            builder.call(join, [builder.load(builder.gep(handles, [chunk], source_etype=I64), typ=I64),
                                ir.Constant(PTR, None)])
        status = builder.load(slot(chunk, builder.add(arg_count, i64(2))), typ=I64)
        current = builder.load(result, typ=I64)
        builder.store(builder.select(builder.icmp_unsigned(">", status, current), status, current), result)
    builder.ret(builder.trunc(builder.load(result, typ=I64), I32))
    return fn


def declare(module, name, fnty):
    """The function `name` of the module, declared on first use."""
    existing = module.globals.get(name)
    return existing if existing is not None else ir.Function(module, fnty, name)


def _trampoline(module, range_fn, width):
    """`ptr thread(ptr record)`: unpack the arguments, run the chunk, store its status."""
    fn = ir.Function(module, ir.FunctionType(PTR, [PTR]), range_fn.name + ".thread")
    fn.linkage = "internal"
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    record = fn.args[0]
    values = []
    for i, arg in enumerate(range_fn.args):
        raw = builder.load(builder.gep(record, [i64(i)], source_etype=I64), typ=I64)
        values.append(builder.inttoptr(raw, PTR) if arg.type == PTR else raw)
    status = builder.call(range_fn, values)
    builder.store(builder.zext(status, I64), builder.gep(record, [i64(width - 1)], source_etype=I64))
    builder.ret(ir.Constant(PTR, None))
    return fn
