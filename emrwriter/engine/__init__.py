"""Language-model engines: the protocol the drafter uses, and the local llama.cpp engine."""
