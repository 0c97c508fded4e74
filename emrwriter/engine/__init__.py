"""Language-model engines: the protocol the drafter uses, and the local llama.cpp engine."""

import os

# llama.cpp's threads meet at an OpenMP barrier many times per token; by default libgomp
# spins there, which on a busy PC takes the CPU from the thread being waited for (a
# second thread made writing twenty times slower next to another program; README,
# "A busy CPU"). Read once when llama.cpp loads, and every llama_cpp import is below
# this package; a site may still set its own.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
