"""Text preparation and tokenisation shared by the torch and ONNX encoders.

Both encoders tokenise with the model's own fast tokenizer (the ``tokenizers``
library, configured once and then only read, so concurrent callers are safe),
sort a batch by token length so little padding is computed, and put the vectors
back in input order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

# Text beyond this is never seen by a model with a few hundred tokens of context;
# cutting it first bounds tokenisation time and memory for pasted novels.
MAX_CHARS = 100_000

# Fixed probe texts: Hindi, Hinglish and English claims, with numbers, emoji, a URL,
# markup, stray whitespace, an empty string and one text past the token limit.
PROBE_TEXTS: tuple[str, ...] = (
    "मोदी ने कहा कि 1 अप्रैल से पेट्रोल मुफ्त मिलेगा",
    "ईवीएम हैक करके बिहार चुनाव 2020 जीता गया, वीडियो वायरल",
    "राशन कार्ड 31 मार्च तक ई-केवाईसी नहीं कराया तो रद्द हो जाएगा",
    "Modi ne kaha ki 1 April se petrol free milega",
    "EVM hack karke chunav jeeta gaya, ye video dekho sab log",
    "ration card e-kyc nahi kiya to cancel ho jayega kya?? sach h ya jhooth",
    "The EVM machines were hacked in the Bihar 2020 elections, says a viral video",
    "Free laptops for all students who register on this link before Sunday http://bit.ly/x",
    "Forwarded as received: सरकार ने 5000 रुपये दिए 🙏🙏 share karo",
    "  <script>alert('x')</script> Election date changed to 12/05  ",
    "",
    "claim " * 400,
)


def clean_text(text: str) -> str:
    """Make one input safe to tokenise: a ``str``, bounded, encodable as UTF-8."""
    if not isinstance(text, str):
        raise TypeError(f"texts must be str, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates (from mis-decoded input) cannot reach the Rust tokenizer.
            text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def clean_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError("encode() takes a sequence of texts, not a single string")
    return [clean_text(t) for t in texts]


def normalize_rows(vecs: np.ndarray) -> np.ndarray:
    """L2-normalise rows as float32 (zero rows stay zero)."""
    vecs = np.ascontiguousarray(vecs, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vecs / norms


@dataclass(frozen=True)
class Batch:
    rows: np.ndarray              # positions of these texts in the caller's list
    inputs: dict[str, np.ndarray]  # int64 arrays of shape (len(rows), padded length)


class TokenBatcher:
    """Tokenise texts and cut them into length-sorted, padded batches."""

    def __init__(self, tokenizer_json: str, *, max_length: int, input_names: Sequence[str],
                 lowercase: bool = False, pad_id: int = 0):
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_str(tokenizer_json)
        self._tok.no_padding()
        self._tok.enable_truncation(max_length)
        self.max_length = int(max_length)
        self.input_names = tuple(input_names)
        self.lowercase = lowercase
        self.pad_id = int(pad_id)
        unknown = set(self.input_names) - {"input_ids", "attention_mask", "token_type_ids"}
        if unknown:
            raise ValueError(f"unsupported model inputs: {sorted(unknown)}")

    def to_json(self) -> str:
        return self._tok.to_str()

    def batches(self, texts: Sequence[str], batch_size: int,
                pad_multiple: int = 1) -> Iterator[Batch]:
        prepared = clean_texts(texts)
        if self.lowercase:
            prepared = [t.lower() for t in prepared]
        encodings = self._tok.encode_batch(prepared, add_special_tokens=True)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            width = max(1, int(lengths[rows].max()))
            width = -(-width // pad_multiple) * pad_multiple
            ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                enc = encodings[i]
                n = len(enc.ids)
                ids[r, :n] = enc.ids
                mask[r, :n] = 1
                types[r, :n] = enc.type_ids
            full = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            yield Batch(rows, {name: full[name] for name in self.input_names})
