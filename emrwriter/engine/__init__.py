"""Language-model engines: the protocol the drafter uses, and the local llama.cpp engine.

llama.cpp's threads meet at an OpenMP barrier many times per token, and libgomp spins
there by default. Measured (README, "A busy CPU, and a day of drafts"): on an idle PC
spinning waits with every core are the fastest (passive waits halved writing with two
threads), and next to another busy program one thread per free core is as fast as the
best fixed choice; so waits are left as they are (a site may set OMP_WAIT_POLICY) and the
engine chooses its threads from the load it finds (threads.py).
"""
