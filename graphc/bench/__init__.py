"""`graphc bench`: graphc against numpy and the installed peer libraries,
measured side by side in one run (shared BENCHMARKS.md; docs/benchmarks.md).

workloads  the cases: inputs, the numpy reference, graphc's kernel, bytes/flops
mlp cnn lstm  W4's, W5's and W6's models, with numpy steps
tf1        TF1-style kernels shared by graphc and TensorFlow
first_run  W8: first training step in a fresh process
peers/     one module per peer library, each contributing table columns
harness    build, check against numpy, time one cell
runner     every (case, column) cell, then the checks
targets    acceptance targets (issues 4 and 5), checked after the cells
report     progress lines, the tables, the JSON
command    the `graphc bench` command line
"""
