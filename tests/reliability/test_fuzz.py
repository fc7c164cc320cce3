"""The differential fuzzer (tests/reliability/fuzz.py) as a short seeded run.

`GRAPHC_FUZZ_EXAMPLES=N` runs N examples instead, `GRAPHC_FUZZ_SEED=S` another
seed; see docs/reliability.md for long runs that survive crashes."""
import os

from hypothesis import HealthCheck, given, seed, settings

from tests.reliability.fuzz import check, examples

EXAMPLES = int(os.environ.get("GRAPHC_FUZZ_EXAMPLES", "60"))
SEED = int(os.environ.get("GRAPHC_FUZZ_SEED", "20240611"))


@seed(SEED)
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(examples())
def test_executors_and_passes_agree_on_random_graphs(example):
    check(example)
