from tests.tf1_programs.conftest import seeded_graph  # noqa: F401  (the same seeding here)
