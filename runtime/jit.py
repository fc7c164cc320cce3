"""The LLVM JIT: one host target machine per process, the O3 pipeline with the
loop and SLP vectorisers, and an on-disk object cache.

Every `compile_module` call gets its own MCJIT engine. MCJIT frees machine
code only when its engine is destroyed, so an engine per module is what lets
the code of an evicted kernel be freed: it lives exactly as long as its
`CompiledModule`. (A shared engine would keep every kernel's code until exit.)

Floating point: the pipeline runs without fast-math options and nothing here
adds fast-math flags, so IEEE semantics hold. FMA contraction happens only
where the emitted IR asks for it explicitly (`llvm.fma`, see lower/vecmath).

Environment:
  GRAPHC_CACHE=0        do not read or write the object cache
  GRAPHC_CACHE_DIR=dir  cache location (default $XDG_CACHE_HOME/graphc/kernels,
                        i.e. ~/.cache/graphc/kernels)
  GRAPHC_DUMP=dir       write <name>.ll (optimised IR) and <name>.s for each module
"""
import contextlib
import dataclasses
import hashlib
import os
import re
import struct
import tempfile
import threading
import time

import llvmlite
import llvmlite.binding as llvm

CACHE_FORMAT_VERSION = 1


@dataclasses.dataclass
class JitStats:
    """Process-wide counters, for tests and `graphc bench`."""
    hits: int = 0             # loaded from the object cache
    misses: int = 0           # optimised and code-generated here
    rejected: int = 0         # cache entries (objects, plans) ignored as corrupt or mismatched
    plan_hits: int = 0        # module IR from the plan cache: emission skipped (plan_cache.py)
    plan_misses: int = 0      # module IR emitted here
    compile_seconds: float = 0.0


stats = JitStats()
_lock = threading.RLock()     # LLVM's context and our counters are not thread-safe
_host = None


class _Host:
    """The native target, initialised once per process."""

    def __init__(self):
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        self.target = llvm.Target.from_default_triple()
        self.cpu_name = llvm.get_host_cpu_name()
        self.cpu_features = llvm.get_host_cpu_features().flatten()
        # Used for optimisation and assembly listings only: an engine takes
        # ownership of (and destroys) the machine it is given.
        self.machine = self.new_target_machine()
        self.data_layout = str(self.machine.target_data)

    def new_target_machine(self):
        # The "jitdefault" code model is "large" on x86-64: MCJIT may place
        # sections more than 2 GiB apart.
        return self.target.create_target_machine(
            cpu=self.cpu_name, features=self.cpu_features, opt=3,
            reloc="default", codemodel="jitdefault", jit=True)

    def parse(self, text, name):
        module = llvm.parse_assembly(text)
        module.name = name
        module.triple = self.machine.triple
        module.data_layout = self.data_layout
        return module

    def optimise(self, module, run_once=False):
        # A fresh pass builder per run: llvmlite registers instrumentation
        # callbacks on the builder each time a pipeline runs.
        # O2 with both vectorisers: measured on the W8 MLP step, O3 compiled 40% slower
        # and its kernels ran no faster (W1 GELU: 58 ms at O2 vs 110-155 ms at O3).
        # Loop unrolling off (the vectoriser still interleaves): it doubled the
        # optimised code of the W4 MLP step and cost 30% of its compile time, and
        # no kernel measured ran faster with it (GELU 2^24 19.2 ms either way,
        # softmax 4096x1024 2.9 ms, single thread, CPU time).
        # Code that runs once (variable initialisation) gets O1 without the
        # vectorisers: it compiles in ~60% of the time.
        tuning = llvm.create_pipeline_tuning_options(speed_level=1 if run_once else 2)
        tuning.loop_vectorization = not run_once
        tuning.slp_vectorization = not run_once
        tuning.loop_unrolling = False
        builder = llvm.create_pass_builder(self.machine, tuning)
        builder.getModulePassManager().run(module, builder)

    def optimised_ir(self, text, name, run_once=False):
        module = self.parse(text, name)
        module.verify()
        self.optimise(module, run_once)
        return module

    def cache_key(self, text, run_once=False):
        parts = (text, llvmlite.__version__, ".".join(map(str, llvm.llvm_version_info)),
                 self.machine.triple, self.cpu_name, self.cpu_features, str(CACHE_FORMAT_VERSION),
                 "run once" if run_once else "")
        return hashlib.sha256("\0".join(parts).encode()).digest()


def host():
    """The process-wide `_Host`, created on first use."""
    global _host
    with _lock:
        if _host is None:
            _host = _Host()
        return _host


class ObjectCache:
    """Object files on disk, one per key. An entry is a header (magic, key,
    sha256 of the object, its length) followed by the object; an entry that
    does not match its header is never handed to LLVM. (Plan entries,
    plan_cache.py, are files of another MAGIC and SUFFIX, checked alike.)"""

    MAGIC = b"GRAPHCO" + bytes([CACHE_FORMAT_VERSION])
    SUFFIX = ".o"
    HEADER = struct.Struct("<8s32s32sQ")

    def __init__(self, directory):
        self.directory = directory

    @classmethod
    def from_environment(cls):
        """The cache the environment asks for, or None when GRAPHC_CACHE=0."""
        if os.environ.get("GRAPHC_CACHE", "1") == "0":
            return None
        directory = os.environ.get("GRAPHC_CACHE_DIR")
        if not directory:
            base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
            directory = os.path.join(base, "graphc", "kernels")
        return cls(directory)

    def path(self, key):
        return os.path.join(self.directory, key.hex() + self.SUFFIX)

    def load(self, key):
        """The cached object for `key`, or None if absent or invalid."""
        try:
            with open(self.path(key), "rb") as f:
                entry = f.read()
        except OSError:
            return None
        if len(entry) >= self.HEADER.size:
            magic, stored_key, checksum, length = self.HEADER.unpack_from(entry)
            obj = entry[self.HEADER.size:]
            if (magic, stored_key, length) == (self.MAGIC, key, len(obj)) \
                    and hashlib.sha256(obj).digest() == checksum:
                return obj
        stats.rejected += 1
        return None

    def store(self, key, obj):
        """Write atomically (temporary file, fsync, rename); a cache that
        cannot be written is not an error."""
        header = self.HEADER.pack(self.MAGIC, key, hashlib.sha256(obj).digest(), len(obj))
        try:
            os.makedirs(self.directory, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header + obj)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, self.path(key))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


# A constant address in the IR would be baked into the cached object.
_EMBEDDED_ADDRESS = re.compile(r"inttoptr \(i64 -?\d+ to")


def embeds_address(text):
    """Whether IR `text` holds a constant address: such a module is never cached."""
    return _EMBEDDED_ADDRESS.search(text) is not None


class CompiledModule:
    """Native code for one LLVM module. The code is freed when this object is
    garbage-collected: keep it alive while its function addresses are in use."""

    def __init__(self, name, unoptimised_ir, engine, optimised_ir=None, run_once=False):
        self.name = name
        self.run_once = run_once
        self.unoptimised_ir = unoptimised_ir
        self._engine = engine
        self._optimised_ir = optimised_ir
        self._asm = None

    def address(self, fn_name):
        """The entry address of function `fn_name`."""
        address = self._engine.get_function_address(fn_name)
        if not address:
            raise KeyError(f"no function {fn_name!r} in module {self.name!r}")
        return address

    @property
    def llvm_ir(self):
        """The optimised IR (recomputed on demand when the code came from the cache)."""
        if self._optimised_ir is None:
            with _lock:
                self._optimised_ir = str(host().optimised_ir(self.unoptimised_ir, self.name, self.run_once))
        return self._optimised_ir

    @property
    def asm(self):
        """Assembly of the optimised IR, for the same target as the running code."""
        if self._asm is None:
            text = self.llvm_ir
            with _lock:
                self._asm = host().machine.emit_assembly(host().parse(text, self.name))
        return self._asm

    def dump(self, directory):
        os.makedirs(directory, exist_ok=True)
        stem = os.path.join(directory, re.sub(r"[^\w.-]", "_", self.name))
        for suffix, text in ((".ll", self.llvm_ir), (".s", self.asm)):
            with open(stem + suffix, "w") as f:
                f.write(text)


def compile_module(ir_module, name, run_once=False):
    """Compile an `llvmlite.ir.Module` (or its text) to native code, quickly
    rather than well when it will `run_once`.

    A cache hit skips parsing, verification, optimisation and code generation:
    MCJIT loads the cached object for an empty placeholder module (symbols are
    looked up in the loaded object). The key is the unoptimised IR, so the IR
    must not embed process addresses; modules that do are never cached.
    (plan_cache.py finds a plan's IR itself before emitting it.)"""
    text = str(ir_module)
    start = time.perf_counter()
    with _lock:
        compiled = _compile(text, name, run_once)
        stats.compile_seconds += time.perf_counter() - start
    dump_dir = os.environ.get("GRAPHC_DUMP")
    if dump_dir:
        compiled.dump(dump_dir)
    return compiled


def _compile(text, name, run_once):
    target = host()
    cache = None if embeds_address(text) else ObjectCache.from_environment()
    key = target.cache_key(text, run_once)
    obj = cache.load(key) if cache else None
    if obj is not None:
        stats.hits += 1
        engine = llvm.create_mcjit_compiler(target.parse("", name), target.new_target_machine())
        engine.set_object_cache(getbuffer_func=lambda module: obj)
        engine.finalize_object()
        return CompiledModule(name, text, engine, run_once=run_once)
    stats.misses += 1
    module = target.optimised_ir(text, name, run_once)
    optimised_ir = str(module)
    engine = llvm.create_mcjit_compiler(module, target.new_target_machine())
    if cache:
        engine.set_object_cache(notify_func=lambda module, buffer: cache.store(key, buffer))
    engine.finalize_object()
    return CompiledModule(name, text, engine, optimised_ir, run_once)
