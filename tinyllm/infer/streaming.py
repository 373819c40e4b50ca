"""Streaming text: yield the decoded text piece by piece as tokens are generated."""

from __future__ import annotations

from .generate import stream


def stream_text(model, tokenizer, prompt: str, max_new_tokens: int, **kwargs):
    """Yield new text as it is generated (greedy or sampling; kwargs as :func:`generate`).

    The whole new sequence is decoded at every step and only the new suffix is yielded,
    so a multi-byte character split over two BPE tokens comes out once it is complete
    (a trailing U+FFFD, an incomplete UTF-8 sequence, is held back).
    """
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("stream_text: prompt must be a non-empty string")
    ids = tokenizer.encode(prompt)
    if not ids:
        raise ValueError("stream_text: the prompt encodes to no tokens")
    new: list[int] = []
    shown = ""
    for step in stream(model, [ids], max_new_tokens, tokenizer=tokenizer, **kwargs):
        new.append(int(step[0]))
        text = tokenizer.decode(new)
        if text.endswith("\ufffd"):
            continue
        if len(text) > len(shown):
            yield text[len(shown):]
            shown = text
