"""Evaluation metrics: classification, language modelling, sequence labelling, translation.

Metrics *evaluate* a model's predictions against reference answers after the fact. They
are not an "inference strategy": the book (sections 2.11, 3.2 and 9.3) files accuracy,
recall and F1 under 推理策略, but an inference (decoding) strategy is how a model turns
its outputs into predictions — greedy, beam search, temperature / top-k / top-p
sampling (see ``tinyllm.infer``). A metric only scores the result.

Classification (one label per sample; counts per class c)::

    TP_c = #{i : y_i = c and ŷ_i = c}     FP_c = #{i : y_i ≠ c and ŷ_i = c}
    FN_c = #{i : y_i = c and ŷ_i ≠ c}     support_c = TP_c + FN_c
    accuracy    = #{i : ŷ_i = y_i} / n
    precision_c = TP_c / (TP_c + FP_c)    "of what I called c, how much was c"
    recall_c    = TP_c / (TP_c + FN_c)    "of the real c, how much did I find"
    F_β,c       = (1 + β²)·TP_c / ((1 + β²)·TP_c + β²·FN_c + FP_c)
                = (1 + β²)·P·R / (β²·P + R)    (F1: harmonic mean of P and R)

Averaging over classes: ``"binary"`` reports only ``pos_label``; ``"macro"`` is the
unweighted mean of the per-class scores; ``"weighted"`` weights them by support;
``"micro"`` pools the counts first (ΣTP / Σ(TP+FP)), which for single-label data over
all classes equals accuracy; ``None`` returns the per-class array. When a denominator
is 0 (a class never predicted, or never present) the score is ``zero_division``
(default 0, as scikit-learn reports it; ``"warn"`` also emits a warning).

Erratum — the book's section 3.2 code::

    def precision(preds, labels):
        return (preds[preds == labels].shape[0] / preds.shape[0])
    def recall(preds, labels):
        return (preds[preds == labels].shape[0] / labels.shape[0])

Both count *all* correct predictions (of every class) and divide by the number of
samples (``preds`` and ``labels`` have the same length), so both are the accuracy —
never TP/(TP+FP) or TP/(TP+FN). With ``labels = [1, 0, 0, 0]`` and
``preds = [1, 1, 0, 0]`` the book gives 0.75 for both, while precision (class 1) is
1/2 and recall is 1/1. Its prose also calls F1 the harmonic mean of 准确率 (accuracy)
and recall; it is the harmonic mean of 精确率 (precision) and recall.

Also here: :func:`perplexity` (exp of the mean token negative log-likelihood), token
accuracy and entity-level scores for BIO tags (conlleval/seqeval rules), and BLEU
(Papineni et al., 2002) with optional smoothing.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = [
    "UndefinedMetricWarning",
    "accuracy",
    "confusion_matrix",
    "precision_recall_fscore_support",
    "precision",
    "recall",
    "f1_score",
    "fbeta_score",
    "classification_report",
    "perplexity",
    "token_accuracy",
    "bio_entities",
    "entity_precision_recall_f1",
    "entity_f1_score",
    "corpus_bleu",
    "sentence_bleu",
]


class UndefinedMetricWarning(UserWarning):
    """A precision/recall/F denominator was 0 and ``zero_division="warn"`` was chosen."""


# --------------------------------------------------------------------------- input checks


def _as_labels(y, func: str, arg: str) -> np.ndarray:
    """A 1-D array of class labels (ints, bools or strings), with clear errors."""
    if isinstance(y, (str, bytes)) or np.isscalar(y) or y is None:
        raise TypeError(f"{func}: {arg} must be a sequence of labels, got {type(y).__name__}")
    if isinstance(y, (list, tuple)):
        kinds = {"str" if isinstance(v, str) else "number" for v in y}
        if len(kinds) > 1:
            raise TypeError(f"{func}: {arg} mixes string and numeric labels")
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{func}: {arg} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{func}: {arg} is empty")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(
                f"{func}: {arg} holds non-integer floats; metrics need class labels "
                "(threshold or argmax scores/probabilities first)"
            )
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "biuUO":
        raise TypeError(f"{func}: {arg} has dtype {arr.dtype}; expected int, bool or str labels")
    elif arr.dtype.kind == "O" and not all(isinstance(v, (str, int)) for v in arr):
        raise TypeError(f"{func}: {arg} must hold int or str labels")
    return arr


def _pair(y_true, y_pred, func: str) -> tuple[np.ndarray, np.ndarray]:
    yt = _as_labels(y_true, func, "y_true")
    yp = _as_labels(y_pred, func, "y_pred")
    if len(yt) != len(yp):
        raise ValueError(
            f"{func}: y_true and y_pred have different lengths ({len(yt)} vs {len(yp)})"
        )
    if (yt.dtype.kind in "UO") != (yp.dtype.kind in "UO"):
        raise TypeError(f"{func}: y_true and y_pred mix string and numeric labels")
    return yt, yp


def _label_list(yt, yp, labels, func: str) -> np.ndarray:
    if labels is None:
        return np.unique(np.concatenate([yt, yp]))
    lab = _as_labels(labels, func, "labels")
    if len(np.unique(lab)) != len(lab):
        raise ValueError(f"{func}: labels contains duplicates: {list(lab)}")
    return lab


def _counts(yt, yp, labels):
    """Per-label TP, predicted count (TP+FP) and true count (TP+FN)."""
    tp = np.array([np.sum((yt == c) & (yp == c)) for c in labels], dtype=np.int64)
    pred = np.array([np.sum(yp == c) for c in labels], dtype=np.int64)
    true = np.array([np.sum(yt == c) for c in labels], dtype=np.int64)
    return tp, pred, true


def _check_zero_division(zero_division, func: str) -> float:
    if isinstance(zero_division, str):
        if zero_division != "warn":
            raise ValueError(f"{func}: zero_division must be 0, 1, nan or 'warn'")
        return 0.0
    z = float(zero_division)
    if not (z in (0.0, 1.0) or math.isnan(z)):
        raise ValueError(f"{func}: zero_division must be 0, 1, nan or 'warn', got {zero_division}")
    return z


def _safe_divide(num, den, zero_division, what: str, func: str):
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    z = _check_zero_division(zero_division, func)
    out = np.divide(num, den, out=np.full(num.shape, z), where=den != 0)
    if zero_division == "warn" and np.any(den == 0):
        warnings.warn(
            f"{func}: {what} is undefined (0/0) for some labels; reported as 0",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    return out


# --------------------------------------------------------------------------- classification


def accuracy(y_true, y_pred, normalize: bool = True) -> float:
    """Fraction (or, with ``normalize=False``, count) of samples with ŷ_i = y_i."""
    yt, yp = _pair(y_true, y_pred, "accuracy")
    correct = int(np.sum(yt == yp))
    return correct / len(yt) if normalize else correct


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """C[i, j] = number of samples whose true label is labels[i] and prediction labels[j].

    Rows are true classes, columns predicted classes (scikit-learn's convention).
    ``labels`` defaults to the sorted union of both inputs; samples whose true or
    predicted label is not in ``labels`` are left out.
    """
    yt, yp = _pair(y_true, y_pred, "confusion_matrix")
    lab = _label_list(yt, yp, labels, "confusion_matrix")
    index = {v: i for i, v in enumerate(lab.tolist())}
    k = len(lab)
    cm = np.zeros((k, k), dtype=np.int64)
    for t, p in zip(yt.tolist(), yp.tolist()):
        i, j = index.get(t), index.get(p)
        if i is not None and j is not None:
            cm[i, j] += 1
    return cm


_AVERAGES = ("binary", "micro", "macro", "weighted", None)


def precision_recall_fscore_support(
    y_true,
    y_pred,
    *,
    beta: float = 1.0,
    labels=None,
    pos_label=1,
    average: str | None = None,
    zero_division=0.0,
):
    """Precision, recall, F_β and support (see the module docstring for the formulas).

    Returns four per-class arrays (in ``labels`` order) when ``average is None``,
    otherwise three floats and ``support=None`` (as scikit-learn does).
    """
    func = "precision_recall_fscore_support"
    if average not in _AVERAGES:
        raise ValueError(f"{func}: average must be one of {_AVERAGES}, got {average!r}")
    if beta < 0:
        raise ValueError(f"{func}: beta must be >= 0, got {beta}")
    _check_zero_division(zero_division, func)
    yt, yp = _pair(y_true, y_pred, func)
    if average == "binary":
        present = np.unique(np.concatenate([yt, yp]))
        if len(present) > 2:
            raise ValueError(
                f"{func}: average='binary' needs at most 2 classes, found {len(present)} "
                f"({present.tolist()}); use average='macro', 'micro', 'weighted' or None"
            )
        if len(present) == 2 and pos_label not in present.tolist():
            raise ValueError(f"{func}: pos_label={pos_label!r} is not one of {present.tolist()}")
        lab = np.asarray([pos_label])
    else:
        lab = _label_list(yt, yp, labels, func)
    tp, pred, true = _counts(yt, yp, lab)
    b2 = beta * beta
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    p = _safe_divide(tp, pred, zero_division, "precision", func)
    r = _safe_divide(tp, true, zero_division, "recall", func)
    # F from the counts: only 0/0 when TP = FP = FN = 0.
    f = _safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * (true - tp) + (pred - tp),
                     zero_division, "F-score", func)
    if average is None:
        return p, r, f, true
    if average in ("binary", "micro"):
        return float(p[0]), float(r[0]), float(f[0]), None
    if average == "macro":
        weights = np.ones(len(lab))
    else:  # weighted
        weights = true.astype(np.float64)

    def avg(x):
        keep = ~np.isnan(x)  # zero_division=nan: such scores are left out of the average
        w = weights[keep]
        if w.sum() == 0:
            return _check_zero_division(zero_division, func)
        return float(np.sum(x[keep] * w) / w.sum())

    return avg(p), avg(r), avg(f), None


def precision(y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division=0.0):
    """TP / (TP + FP) — of the samples predicted as the class, the fraction that are it."""
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division,
    )[0]


def recall(y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division=0.0):
    """TP / (TP + FN) — of the samples that are the class, the fraction found."""
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division,
    )[1]


def fbeta_score(
    y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary", zero_division=0.0
):
    """F_β = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP); β > 1 favours recall."""
    return precision_recall_fscore_support(
        y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division,
    )[2]


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division=0.0):
    """F1 = 2·P·R / (P + R) = 2·TP / (2·TP + FP + FN)."""
    return fbeta_score(
        y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division,
    )


def classification_report(
    y_true,
    y_pred,
    *,
    labels=None,
    target_names=None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division=0.0,
):
    """Per-class precision / recall / F1 / support, then accuracy, macro and weighted averages.

    The text layout is scikit-learn's, so reports can be compared side by side. When
    ``labels`` leaves out some classes present in the data, a "micro avg" row replaces
    "accuracy" (pooled counts over the listed classes are then not the accuracy).
    """
    func = "classification_report"
    yt, yp = _pair(y_true, y_pred, func)
    lab = _label_list(yt, yp, labels, func)
    present = set(np.unique(np.concatenate([yt, yp])).tolist())
    micro_is_accuracy = labels is None or set(lab.tolist()) >= present
    if target_names is None:
        names = [str(v) for v in lab.tolist()]
    else:
        names = [str(n) for n in target_names]
        if len(names) != len(lab):
            raise ValueError(
                f"{func}: {len(names)} target_names for {len(lab)} labels {lab.tolist()}"
            )
    if not isinstance(digits, int) or digits < 0:
        raise ValueError(f"{func}: digits must be a non-negative int, got {digits!r}")

    kw = dict(labels=lab, zero_division=zero_division)
    p, r, f, s = precision_recall_fscore_support(yt, yp, average=None, **kw)
    rows = [(n, p[i], r[i], f[i], int(s[i])) for i, n in enumerate(names)]
    total = int(s.sum())
    averages = []
    if micro_is_accuracy:
        averages.append(("accuracy", None, None, accuracy(yt, yp), total))
    else:
        averages.append(("micro avg", *precision_recall_fscore_support(
            yt, yp, average="micro", **kw)[:3], total))
    for avg in ("macro", "weighted"):
        averages.append((f"{avg} avg", *precision_recall_fscore_support(
            yt, yp, average=avg, **kw)[:3], total))

    if output_dict:
        out: dict = {}
        for n, pi, ri, fi, si in rows + averages:
            if pi is None:
                out[n] = fi
            else:
                out[n] = {"precision": float(pi), "recall": float(ri), "f1-score": float(fi),
                          "support": si}
        return out

    width = max(max(len(n) for n in names), len("weighted avg"), digits)
    lines = [" " * width + " " + "".join(f" {h:>9}" for h in
                                         ("precision", "recall", "f1-score", "support")), ""]
    for n, pi, ri, fi, si in rows:
        lines.append(f"{n:>{width}} " + "".join(f" {v:>9.{digits}f}" for v in (pi, ri, fi))
                     + f" {si:>9}")
    lines.append("")
    for n, pi, ri, fi, si in averages:
        if pi is None:  # accuracy: only the F column and the support are meaningful
            lines.append(f"{n:>{width}} " + " " * 20 + f" {fi:>9.{digits}f} {si:>9}")
        else:
            lines.append(f"{n:>{width}} " + "".join(f" {v:>9.{digits}f}" for v in (pi, ri, fi))
                         + f" {si:>9}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- language models


def perplexity(losses, token_counts=None) -> float:
    """PPL = exp(mean negative log-likelihood per token), natural log.

    ``losses`` is one mean NLL (a float), or a sequence of per-batch mean NLLs; with
    ``token_counts`` (tokens per batch) the mean is token-weighted:
    ``exp(Σ_b loss_b·n_b / Σ_b n_b)`` — the right way to combine batches of different
    sizes. PPL = 1 for a perfect model, V for a uniform guess over V tokens.
    """
    arr = np.asarray(losses, dtype=np.float64)
    if arr.ndim > 1:
        raise ValueError(f"perplexity: losses must be a number or 1-D, got shape {arr.shape}")
    arr = arr.reshape(-1)
    if arr.size == 0:
        raise ValueError("perplexity: losses is empty")
    if np.any(np.isnan(arr)):
        raise ValueError("perplexity: losses contain NaN")
    # A token NLL is -log p >= 0; allow tiny negative round-off from log-softmax.
    if np.any(arr < -1e-6):
        raise ValueError(f"perplexity: negative log-likelihood {arr.min()} < 0 is impossible")
    if token_counts is None:
        mean = float(arr.mean())
    else:
        n = np.asarray(token_counts, dtype=np.float64).reshape(-1)
        if n.shape != arr.shape:
            raise ValueError(
                f"perplexity: {n.size} token_counts for {arr.size} losses"
            )
        if np.any(n < 0) or n.sum() <= 0:
            raise ValueError("perplexity: token_counts must be >= 0 with a positive total")
        mean = float(np.sum(arr * n) / n.sum())
    mean = max(mean, 0.0)
    return math.exp(mean) if mean < 709.0 else math.inf


# --------------------------------------------------------------------------- sequence labelling


def _sequences(y, func: str, arg: str) -> list[list]:
    """A list of sentences (each a list of tags); a flat list of str is one sentence."""
    if isinstance(y, np.ndarray):
        y = y.tolist() if y.ndim == 2 else [y.tolist()]
    if not isinstance(y, (list, tuple)) or len(y) == 0:
        raise ValueError(f"{func}: {arg} must be a non-empty list of tag sequences")
    if all(isinstance(t, (str, int, np.integer)) for t in y):
        return [list(y)]
    for s in y:
        if not isinstance(s, (list, tuple, np.ndarray)):
            raise TypeError(f"{func}: {arg} must be a list of tag lists, found {type(s).__name__}")
    return [list(s) for s in y]


def _seq_pair(y_true, y_pred, func):
    t = _sequences(y_true, func, "y_true")
    p = _sequences(y_pred, func, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"{func}: {len(t)} true sequences but {len(p)} predicted")
    for i, (a, b) in enumerate(zip(t, p)):
        if len(a) != len(b):
            raise ValueError(f"{func}: sequence {i} has {len(a)} true tags but {len(b)} predicted")
    return t, p


def token_accuracy(y_true, y_pred, ignore_label=None) -> float:
    """Fraction of tokens whose predicted tag equals the true tag, over all sequences.

    Tokens whose true tag equals ``ignore_label`` (e.g. -100 for padding) are skipped.
    Note: with mostly-"O" NER data this is high even for a model that finds no entity;
    use :func:`entity_precision_recall_f1` for NER.
    """
    t, p = _seq_pair(y_true, y_pred, "token_accuracy")
    pairs = [(a, b) for s, q in zip(t, p) for a, b in zip(s, q) if a != ignore_label]
    if not pairs:
        raise ValueError("token_accuracy: no tokens to score (all ignored or empty)")
    return sum(a == b for a, b in pairs) / len(pairs)


def _split_tag(tag, func: str):
    if not isinstance(tag, str):
        raise TypeError(f"{func}: BIO tags must be strings like 'B-PER', got {tag!r}")
    if tag == "O":
        return "O", ""
    prefix, sep, kind = tag.partition("-")
    if prefix not in ("B", "I") or (sep == "" and tag not in ("B", "I")):
        raise ValueError(f"{func}: {tag!r} is not a BIO tag ('O', 'B-TYPE' or 'I-TYPE')")
    return prefix, kind


def bio_entities(tags, func: str = "bio_entities") -> list[tuple[str, int, int]]:
    """Entities of one BIO-tagged sentence as ``(type, start, end)``, ``end`` exclusive.

    conlleval rules: ``B-X`` always opens an entity; ``I-X`` continues the open entity
    when it has type X, and otherwise (after ``O``, or after another type) opens a new
    one; ``O`` closes it. So ``["I-PER", "I-PER"]`` is one PER entity (0, 2) and
    ``["B-PER", "I-LOC"]`` is PER (0, 1) then LOC (1, 2).
    """
    entities = []
    open_kind, start = None, 0
    for i, tag in enumerate(list(tags) + ["O"]):  # the sentinel closes a trailing entity
        prefix, kind = _split_tag(tag, func)
        continues = prefix == "I" and open_kind == kind
        if open_kind is not None and not continues:
            entities.append((open_kind, start, i))
            open_kind = None
        if prefix == "B" or (prefix == "I" and not continues):
            open_kind, start = kind, i
    return entities


def entity_precision_recall_f1(y_true, y_pred, *, average="micro", zero_division=0.0):
    """Entity-level scores for BIO tags: an entity counts only if type, start and end match.

    precision = #correct entities / #predicted, recall = #correct / #true, F1 their
    harmonic mean. ``average``: "micro" (pool all types), "macro" / "weighted" (mean of
    per-type scores, weighted by #true entities) -> (p, r, f1); ``None`` ->
    ``{type: (p, r, f1, support)}``.
    """
    func = "entity_precision_recall_f1"
    if average not in ("micro", "macro", "weighted", None):
        raise ValueError(f"{func}: average must be 'micro', 'macro', 'weighted' or None")
    t, p = _seq_pair(y_true, y_pred, func)
    true_set = {(i, *e) for i, s in enumerate(t) for e in bio_entities(s, func)}
    pred_set = {(i, *e) for i, s in enumerate(p) for e in bio_entities(s, func)}
    types = sorted({e[1] for e in true_set | pred_set})
    tp = np.array([sum(1 for e in true_set & pred_set if e[1] == k) for k in types], dtype=float)
    n_pred = np.array([sum(1 for e in pred_set if e[1] == k) for k in types], dtype=float)
    n_true = np.array([sum(1 for e in true_set if e[1] == k) for k in types], dtype=float)
    if average == "micro" or not types:
        tp, n_pred, n_true = tp.sum(keepdims=True), n_pred.sum(keepdims=True), n_true.sum(
            keepdims=True)
    pr = _safe_divide(tp, n_pred, zero_division, "entity precision", func)
    rc = _safe_divide(tp, n_true, zero_division, "entity recall", func)
    f1 = _safe_divide(2 * tp, n_pred + n_true, zero_division, "entity F1", func)
    if average == "micro" or not types:
        if average is None:
            return {}
        return float(pr[0]), float(rc[0]), float(f1[0])
    if average is None:
        return {k: (float(pr[i]), float(rc[i]), float(f1[i]), int(n_true[i]))
                for i, k in enumerate(types)}
    w = np.ones(len(types)) if average == "macro" else n_true
    if w.sum() == 0:
        z = _check_zero_division(zero_division, func)
        return z, z, z
    return tuple(float(np.sum(x * w) / w.sum()) for x in (pr, rc, f1))


def entity_f1_score(y_true, y_pred) -> float:
    """Micro-averaged entity-level F1 (the number NER papers report)."""
    return entity_precision_recall_f1(y_true, y_pred, average="micro")[2]


# --------------------------------------------------------------------------- BLEU


def _tokens(x, func: str, what: str) -> list:
    if isinstance(x, str):
        return x.split()
    if isinstance(x, (list, tuple)):
        return list(x)
    raise TypeError(f"{func}: {what} must be a token list or a str, got {type(x).__name__}")


def _ngrams(tokens: list, n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


_SMOOTHING = (None, "epsilon", "add1", "exp")


def corpus_bleu(
    references: Sequence,
    hypotheses: Sequence,
    max_n: int = 4,
    weights: Sequence[float] | None = None,
    smoothing: str | None = None,
    epsilon: float = 0.1,
) -> float:
    """Corpus BLEU (Papineni et al., 2002): BP · exp(Σ_n w_n · log p_n).

    ``hypotheses[k]`` is a token list and ``references[k]`` a list of one or more
    token-list references for it; or, all as plain strings (split on whitespace), a str
    hypothesis with a list of str references.

    p_n = Σ_k Σ_g min(count_hyp(g), max_ref count_ref(g)) / Σ_k #n-grams(hyp_k), the
    *clipped* n-gram precision pooled over the corpus (not averaged per sentence).
    BP = 1 if c > r else exp(1 − r/c), with c the total hypothesis length and r the sum
    of the reference lengths closest to each hypothesis (the shorter one on ties).
    Weights default to 1/max_n each. Unsmoothed, any p_n = 0 makes BLEU 0.

    ``smoothing`` (Chen & Cherry, 2014) for short texts, applied when a count is 0:
    "epsilon" — p_n = ε / d_n; "add1" — p_n = (m_n + 1) / (d_n + 1) for n ≥ 2
    (Lin & Och, 2004); "exp" — the k-th order with zero matches gets 1 / (2^k · d_n).
    (d_n = max(#hypothesis n-grams, 1), m_n = clipped matches.)
    """
    func = "corpus_bleu"
    if not isinstance(max_n, int) or max_n < 1:
        raise ValueError(f"{func}: max_n must be a positive int, got {max_n!r}")
    if weights is None:
        weights = [1.0 / max_n] * max_n
    weights = [float(w) for w in weights]
    if len(weights) != max_n or any(w < 0 for w in weights):
        raise ValueError(f"{func}: weights must be {max_n} non-negative numbers, got {weights}")
    if smoothing not in _SMOOTHING:
        raise ValueError(f"{func}: smoothing must be one of {_SMOOTHING}, got {smoothing!r}")
    if isinstance(hypotheses, str) or isinstance(references, str):
        raise TypeError(f"{func}: pass lists of hypotheses and of reference lists")
    if len(hypotheses) == 0:
        raise ValueError(f"{func}: no hypotheses")
    if len(references) != len(hypotheses):
        raise ValueError(
            f"{func}: {len(references)} reference lists for {len(hypotheses)} hypotheses"
        )

    matches = [0] * max_n
    totals = [0] * max_n
    hyp_len = ref_len = 0
    for k, (refs, hyp) in enumerate(zip(references, hypotheses)):
        if isinstance(refs, str) or not isinstance(refs, (list, tuple)) or not refs:
            raise TypeError(
                f"{func}: references[{k}] must be a non-empty list of references "
                "(wrap a single reference: [[ref_tokens]])"
            )
        hyp_tokens = _tokens(hyp, func, f"hypotheses[{k}]")
        # A token-list hypothesis needs token-list references: a list of str next to it
        # is almost surely one tokenised reference that was not wrapped in a list.
        if not isinstance(hyp, str) and any(isinstance(r, str) for r in refs):
            raise TypeError(
                f"{func}: hypotheses[{k}] is a token list but references[{k}] holds strings; "
                "references[k] is a list of references (wrap a single reference: [[ref_tokens]])"
            )
        ref_tokens = [_tokens(r, func, f"references[{k}]") for r in refs]
        hyp_len += len(hyp_tokens)
        # Closest reference length; ties go to the shorter reference.
        ref_len += min((abs(len(r) - len(hyp_tokens)), len(r)) for r in ref_tokens)[1]
        for n in range(1, max_n + 1):
            hyp_counts = _ngrams(hyp_tokens, n)
            max_ref = Counter()
            for r in ref_tokens:
                max_ref |= _ngrams(r, n)  # | keeps the max count per n-gram
            matches[n - 1] += sum(min(c, max_ref[g]) for g, c in hyp_counts.items())
            totals[n - 1] += sum(hyp_counts.values())

    if hyp_len == 0:
        return 0.0
    log_sum = 0.0
    zeros_seen = 0
    for n in range(1, max_n + 1):
        m, d = matches[n - 1], totals[n - 1]
        if smoothing == "add1" and n >= 2:
            p = (m + 1) / (d + 1)
        elif m > 0:
            p = m / d
        elif smoothing == "epsilon":
            p = epsilon / max(d, 1)
        elif smoothing == "exp":
            zeros_seen += 1
            p = 1.0 / (2**zeros_seen * max(d, 1))
        else:
            p = 0.0
        if weights[n - 1] == 0:
            continue
        if p == 0.0:
            return 0.0
        log_sum += weights[n - 1] * math.log(p)
    bp = 1.0 if hyp_len > ref_len else math.exp(1.0 - ref_len / hyp_len)
    return bp * math.exp(log_sum)


def sentence_bleu(references: Sequence, hypothesis, **kwargs) -> float:
    """BLEU of one hypothesis against its references (``corpus_bleu`` on a corpus of one).

    Without smoothing this is 0 whenever some n-gram order has no match, which is
    common for short sentences — pass ``smoothing="epsilon"`` (or "add1", "exp").
    """
    return corpus_bleu([references], [hypothesis], **kwargs)
