"""Memory planning: intermediates share arena space when their lifetimes do
not overlap.

A buffer lives from the step that writes it to the last step that reads it or
any alias of it (inclusive, so a kernel's output never overlaps its inputs);
buffers the run hands back (fetched aliases) or stages (small feeds and
outputs) live throughout. The exception is an element-wise kernel whose input
dies there: its output takes the input's place (in place: each element is read
before it is written). Buffers are placed largest first at the lowest offset
free for their whole lifetime. This runs per concrete feed shape, when
the sizes are known, and works on kernels and buffers, which only exist after
lowering: it belongs to the back end, not to the graph passes.
"""
from typing import NamedTuple

_ALIGNMENT = 64


class ArenaLayout(NamedTuple):
    offsets: dict        # storage slot -> byte offset
    size: int            # bytes with reuse
    size_without_reuse: int


def aligned(n):
    return (n + _ALIGNMENT - 1) // _ALIGNMENT * _ALIGNMENT


def lifetimes(plan, slots, whole_run):
    """(first step, last step) per arena slot; `whole_run` slots live throughout."""
    end = len(plan.steps)
    spans = {slot: (0, end) for slot in whole_run}
    for index, step in enumerate(plan.steps):
        for tensor in step.outputs:
            slot = plan.slot_of(tensor)
            if slot in slots and slot not in whole_run:
                first, last = spans.get(slot, (index, index))
                spans[slot] = (min(first, index), max(last, index))
        for tensor in step.inputs:
            slot = plan.slot_of(tensor)
            if slot in slots and slot not in whole_run:
                first, last = spans.get(slot, (index, index))
                spans[slot] = (min(first, index), max(last, index))
    return {slot: spans.get(slot, (0, end)) for slot in slots}


def in_place(plan, spans, sizes):
    """(output slot, input slot) pairs of element-wise steps whose input dies at
    that step and has the output's size: one buffer can hold both."""
    pairs, outs, sources = [], set(), set()  # a chain a -> b -> c is fine; two outputs in one input is not
    for index, step in enumerate(plan.steps):
        for o, i in step.in_place_pairs:
            out, source = plan.slot_of(step.outputs[o]), plan.slot_of(step.inputs[i])
            if (out in spans and source in spans and out not in outs and source not in sources and out != source
                    and spans[source][1] == index == spans[out][0] and sizes[out] == sizes[source]):
                pairs.append((out, source))
                outs.add(out)
                sources.add(source)
    return pairs


def plan_arena(sizes, spans, shared=()):
    """Offsets for buffers of `sizes` (slot -> bytes) living over `spans`;
    each pair of slots in `shared` (chains included) is one buffer."""
    owner = {}
    for out, source in shared:
        owner[out] = owner.get(source, source)
    members = {}
    for slot in sizes:
        members.setdefault(owner.get(slot, slot), []).append(slot)
    spans = {root: (min(spans[s][0] for s in group), max(spans[s][1] for s in group)) for root, group in members.items()}
    placed = []  # (offset, end offset, first, last)
    offsets = {}
    for slot in sorted(members, key=lambda s: (-sizes[s], s)):
        first, last = spans[slot]
        size = aligned(sizes[slot])
        offset = 0
        for start, stop, other_first, other_last in sorted(placed):
            overlaps_in_time = not (last < other_first or other_last < first)
            if overlaps_in_time and offset < stop and start < offset + size:
                offset = aligned(stop)
        offsets.update(dict.fromkeys(members[slot], offset))
        placed.append((offset, offset + size, first, last))
    total = max((stop for _, stop, _, _ in placed), default=0)
    return ArenaLayout(offsets, total, sum(aligned(n) for n in sizes.values()))
