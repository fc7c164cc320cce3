"""Fork-join over a kernel's outermost loop, with POSIX threads from the IR.

A parallel kernel is written as `range_fn(args..., i64 lo, i64 hi)` covering
outer iterations [lo, hi); `hi < 0` asks it to cover everything, splitting
the range over the threads when the work is large enough to pay for them
(`split_if_worth_it`). The range is cut into a few chunks per thread, which
the threads take in turn from a shared counter: on a shared machine a thread
that gets less of a core does fewer chunks, instead of the others waiting for
its fixed half. Each outer iteration is still computed by exactly one thread
and in the same order as with one thread, so results are bitwise the same
for any thread count. The thread count is slot `THREADS_SLOT` of the dims
table (1 means no threads).

The fork-join logic is one function per module (`graphc.fork_join`, with its
`worker` loop); a kernel only adds a trampoline that unpacks its arguments
from a record.
"""
from llvmlite import ir

from .loops import counted_loop
from .types import I1, I32, I64, PTR, i64

THREADS_SLOT = 0
# Below this many elements of work, starting a thread (70-100 µs with its join, measured)
# costs more than it saves: x + 3x on 2^19 floats took 58 µs on one thread, 127 on two;
# exp(x) on 2^20, 358 µs on one and 263 on two.
MIN_PARALLEL_WORK = 1 << 20
_MAX_THREADS = 16
# Chunks per thread: a thread that gets less of the machine (a busy host) takes fewer.
_CHUNKS_PER_THREAD = 4
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


def split_if_worth_it(builder, range_fn, dims, lo, hi, outer, work, min_work=MIN_PARALLEL_WORK,
                      chunks_per_thread=_CHUNKS_PER_THREAD):
    """In `range_fn`'s entry: when called for the whole range (hi < 0), either
    fork-join over `outer` iterations (returning the combined status) or
    continue with [0, outer): the latter when `work` is below `min_work`.
    Returns the (lo, hi) the body must cover. The range is cut into
    `chunks_per_thread` chunks per thread, which the threads take in turn."""
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
        chunks = builder.mul(count, i64(chunks_per_thread))
        chunks = builder.select(builder.icmp_signed("<", outer, chunks), outer, chunks)
        trampoline = _trampoline(builder.module, range_fn, width)
        status = builder.call(_fork_join(builder.module), [trampoline, records, i64(width), outer, count, chunks])
        builder.ret(status)
    return builder.select(whole, i64(0), lo), builder.select(whole, outer, hi)


# A job, shared by the threads of one fork-join: the trampoline, the address of
# the next chunk's number, the chunk count, the iteration count, the argument count.
_JOB = 5
# A thread's context: the job's address, its own record's, its combined status.
_CONTEXT = 3


def _fork_join(module):
    """`i32 fork_join(ptr trampoline, ptr records, i64 width, i64 outer, i64 count, i64 chunks)`:
    record 0 holds the arguments; `count - 1` new threads and this one take the
    `chunks` chunks of [0, outer) in turn (a thread that cannot be started takes
    none: the others do its share); the status is the largest chunk status."""
    existing = module.globals.get(_FORK_JOIN)
    if existing is not None:
        return existing
    fn = ir.Function(module, ir.FunctionType(I32, [PTR, PTR, I64, I64, I64, I64]), _FORK_JOIN)
    fn.linkage = "internal"
    trampoline, records, width, outer, count, chunks = fn.args
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    create = declare(module, "pthread_create", ir.FunctionType(I32, [PTR, PTR, PTR, PTR]))
    join = declare(module, "pthread_join", ir.FunctionType(I32, [I64, PTR]))
    worker = _worker(module)
    handles = builder.alloca(I64, size=_MAX_THREADS)
    started = builder.alloca(I1, size=_MAX_THREADS)
    contexts = builder.alloca(I64, size=_MAX_THREADS * _CONTEXT)
    job, next_chunk = builder.alloca(I64, size=_JOB), builder.alloca(I64)
    builder.store(i64(0), next_chunk)
    arg_count = builder.sub(width, i64(3))
    for i, value in enumerate([builder.ptrtoint(trampoline, I64), builder.ptrtoint(next_chunk, I64),
                               chunks, outer, arg_count]):
        builder.store(value, builder.gep(job, [i64(i)], source_etype=I64))

    def word(base, index):
        return builder.gep(base, [index], source_etype=I64)

    def context(thread):
        return word(contexts, builder.mul(thread, i64(_CONTEXT)))

    with counted_loop(builder, count, "thread") as thread:
        record = word(records, builder.mul(thread, width))
        with counted_loop(builder, arg_count, "copy") as i:
            builder.store(builder.load(word(records, i), typ=I64), word(record, i))
        for i, value in enumerate([builder.ptrtoint(job, I64), builder.ptrtoint(record, I64), i64(0)]):
            builder.store(value, word(context(thread), i64(i)))
    with counted_loop(builder, builder.sub(count, i64(1)), "spawn") as k:
        thread = builder.add(k, i64(1))
        code = builder.call(create, [word(handles, thread), ir.Constant(PTR, None), worker, context(thread)])
        builder.store(builder.icmp_signed("==", code, ir.Constant(I32, 0)),
                      builder.gep(started, [thread], source_etype=I1))
    builder.call(worker, [context(i64(0))])
    result = builder.alloca(I64)
    builder.store(i64(0), result)
    with counted_loop(builder, count, "join") as thread:
        with builder.if_then(builder.and_(builder.icmp_signed(">", thread, i64(0)),
                                          builder.load(builder.gep(started, [thread], source_etype=I1), typ=I1))):
            builder.call(join, [builder.load(word(handles, thread), typ=I64), ir.Constant(PTR, None)])
        status = builder.load(word(context(thread), i64(2)), typ=I64)
        current = builder.load(result, typ=I64)
        builder.store(builder.select(builder.icmp_unsigned(">", status, current), status, current), result)
    builder.ret(builder.trunc(builder.load(result, typ=I64), I32))
    return fn


def _worker(module):
    """`ptr worker(ptr context)`: take chunks of the job until none is left,
    running each through the job's trampoline on this thread's record; the
    largest status goes to the context."""
    name = _FORK_JOIN + ".worker"
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    fn = ir.Function(module, ir.FunctionType(PTR, [PTR]), name)
    fn.linkage = "internal"
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    context = fn.args[0]

    def word(base, index):
        return builder.load(builder.gep(base, [i64(index)], source_etype=I64), typ=I64)
    job = builder.inttoptr(word(context, 0), PTR)
    record = builder.inttoptr(word(context, 1), PTR)
    trampoline = builder.inttoptr(word(job, 0), ir.FunctionType(PTR, [PTR]).as_pointer())
    next_chunk = builder.inttoptr(word(job, 1), PTR)
    chunks, outer, arg_count = word(job, 2), word(job, 3), word(job, 4)
    status = builder.alloca(I64)
    builder.store(i64(0), status)
    take = builder.append_basic_block("take")
    run = builder.append_basic_block("run")
    done = builder.append_basic_block("done")
    builder.branch(take)
    builder.position_at_end(take)
    chunk = builder.atomic_rmw("add", next_chunk, i64(1), "monotonic")
    builder.cbranch(builder.icmp_signed("<", chunk, chunks), run, done)
    builder.position_at_end(run)
    bounds = [builder.sdiv(builder.mul(outer, c), chunks) for c in (chunk, builder.add(chunk, i64(1)))]
    for offset, bound in enumerate(bounds):
        builder.store(bound, builder.gep(record, [builder.add(arg_count, i64(offset))], source_etype=I64))
    builder.call(trampoline, [record], tail=False)
    chunk_status = builder.load(builder.gep(record, [builder.add(arg_count, i64(2))], source_etype=I64), typ=I64)
    current = builder.load(status, typ=I64)
    builder.store(builder.select(builder.icmp_unsigned(">", chunk_status, current), chunk_status, current), status)
    builder.branch(take)
    builder.position_at_end(done)
    builder.store(builder.load(status, typ=I64), builder.gep(context, [i64(2)], source_etype=I64))
    builder.ret(ir.Constant(PTR, None))
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
