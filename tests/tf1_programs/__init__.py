"""Small TF1 programs, written as TF1 users write them (`import graphc as tf`),
each asserting that it learns or computes the right answer. Together they
exercise every symbol of the TF1 survey (docs/tf1-compatibility.md checks)."""
