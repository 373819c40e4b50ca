"""Classification metrics against confusion matrices counted by hand."""

import warnings

import numpy as np
import pytest

from tinyllm.metrics import (
    UndefinedMetricWarning,
    accuracy,
    classification_report,
    confusion_matrix,
    f1_score,
    fbeta_score,
    precision,
    precision_recall_fscore_support,
    recall,
)

# Binary: positions 0-2 are TP, 3 is FN, 4-5 are FP, 6-9 are TN.
BT = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
BP = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]

# 3-class:             true 0      true 1      true 2
MT = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
MP = np.array([0, 1, 0, 1, 1, 2, 2, 2, 0, 1])


def test_binary_confusion_matrix_and_scores():
    # rows = true [0, 1], cols = predicted [0, 1]: TN=4 FP=2 / FN=1 TP=3
    np.testing.assert_array_equal(confusion_matrix(BT, BP), [[4, 2], [1, 3]])
    assert accuracy(BT, BP) == pytest.approx(0.7)  # (3 + 4) / 10
    assert accuracy(BT, BP, normalize=False) == 7
    assert precision(BT, BP) == pytest.approx(3 / 5)  # TP / (TP + FP)
    assert recall(BT, BP) == pytest.approx(3 / 4)  # TP / (TP + FN)
    assert f1_score(BT, BP) == pytest.approx(2 / 3)  # 2*3 / (2*3 + 2 + 1)
    # pos_label=0: TP0=4, predicted 0 five times, 0 is true six times
    assert precision(BT, BP, pos_label=0) == pytest.approx(4 / 5)
    assert recall(BT, BP, pos_label=0) == pytest.approx(4 / 6)
    assert f1_score(BT, BP, pos_label=0) == pytest.approx(8 / 11)  # 2*4 / (8 + 1 + 2)
    # F2 = 5*TP / (5*TP + 4*FN + FP) = 15 / (15 + 4 + 2)
    assert fbeta_score(BT, BP, beta=2.0) == pytest.approx(15 / 21)


def test_binary_all_averages():
    # class 0: P=4/5 R=2/3 F=8/11 (support 6); class 1: P=3/5 R=3/4 F=2/3 (support 4)
    p, r, f, s = precision_recall_fscore_support(BT, BP, average=None)
    np.testing.assert_allclose(p, [4 / 5, 3 / 5])
    np.testing.assert_allclose(r, [2 / 3, 3 / 4])
    np.testing.assert_allclose(f, [8 / 11, 2 / 3])
    np.testing.assert_array_equal(s, [6, 4])
    # macro: plain means -> P=(0.8+0.6)/2=0.7, R=(2/3+3/4)/2=17/24, F=(8/11+2/3)/2=23/33
    assert precision(BT, BP, average="macro") == pytest.approx(0.7)
    assert recall(BT, BP, average="macro") == pytest.approx(17 / 24)
    assert f1_score(BT, BP, average="macro") == pytest.approx(23 / 33)
    # weighted by support 6:4 -> P=(4.8+2.4)/10=0.72, R=(4+3)/10=0.7, F=(48/11+8/3)/10=116/165
    assert precision(BT, BP, average="weighted") == pytest.approx(0.72)
    assert recall(BT, BP, average="weighted") == pytest.approx(0.7)
    assert f1_score(BT, BP, average="weighted") == pytest.approx(116 / 165)
    # micro pools counts: sum TP = 7, every sample predicted once and true once -> accuracy
    for fn in (precision, recall, f1_score):
        assert fn(BT, BP, average="micro") == pytest.approx(0.7)


def test_three_class_by_hand():
    # CM rows true, cols predicted:
    #   true 0: [2, 1, 0]   true 1: [0, 2, 1]   true 2: [1, 1, 2]
    np.testing.assert_array_equal(confusion_matrix(MT, MP), [[2, 1, 0], [0, 2, 1], [1, 1, 2]])
    # TP = diag = [2, 2, 2]; predicted = col sums [3, 4, 3]; true = row sums [3, 3, 4]
    p, r, f, s = precision_recall_fscore_support(MT, MP)
    np.testing.assert_allclose(p, [2 / 3, 1 / 2, 2 / 3])
    np.testing.assert_allclose(r, [2 / 3, 2 / 3, 1 / 2])
    np.testing.assert_allclose(f, [4 / 6, 4 / 7, 4 / 7])  # 2TP / (pred + true)
    np.testing.assert_array_equal(s, [3, 3, 4])
    # macro: P = R = (2/3 + 1/2 + 2/3)/3 = 11/18; F = (2/3 + 4/7 + 4/7)/3 = 38/63
    assert precision(MT, MP, average="macro") == pytest.approx(11 / 18)
    assert recall(MT, MP, average="macro") == pytest.approx(11 / 18)
    assert f1_score(MT, MP, average="macro") == pytest.approx(38 / 63)
    # weighted 3:3:4 -> P = (2 + 1.5 + 8/3)/10 = 37/60; R = 0.6; F = (2 + 12/7 + 16/7)/10 = 0.6
    assert precision(MT, MP, average="weighted") == pytest.approx(37 / 60)
    assert recall(MT, MP, average="weighted") == pytest.approx(0.6)
    assert f1_score(MT, MP, average="weighted") == pytest.approx(0.6)
    assert f1_score(MT, MP, average="micro") == pytest.approx(0.6) == accuracy(MT, MP)
    with pytest.raises(ValueError, match="average='binary' needs at most 2 classes"):
        f1_score(MT, MP)


def test_string_labels_and_label_order():
    names = np.array(["cat", "dog", "eel"])
    yt, yp = names[MT].tolist(), names[MP].tolist()
    np.testing.assert_array_equal(confusion_matrix(yt, yp), confusion_matrix(MT, MP))
    # Reordered labels permute rows and columns the same way.
    np.testing.assert_array_equal(
        confusion_matrix(yt, yp, labels=["eel", "cat", "dog"]),
        [[2, 1, 1], [0, 2, 1], [1, 0, 2]],
    )
    # A label subset drops samples whose true or predicted label is outside it.
    np.testing.assert_array_equal(confusion_matrix(yt, yp, labels=["cat", "dog"]),
                                  [[2, 1], [0, 2]])
    # ... but per-class precision still counts every prediction of "dog" (4 of them).
    assert precision(yt, yp, labels=["dog"], average=None)[0] == pytest.approx(2 / 4)
    assert precision(["neg", "pos", "pos"], ["pos", "pos", "neg"], pos_label="pos") == 0.5


def test_zero_division_class_never_predicted():
    yt, yp = [0, 0, 1, 1], [0, 0, 0, 0]
    # class 1: TP=0, predicted 0 times -> P = 0/0; R = 0/2 = 0; F = 0/(0+2+0) = 0
    p, r, f, _ = precision_recall_fscore_support(yt, yp)
    np.testing.assert_allclose(p, [0.5, 0.0])
    np.testing.assert_allclose(r, [1.0, 0.0])
    np.testing.assert_allclose(f, [2 / 3, 0.0])
    p, r, f, _ = precision_recall_fscore_support(yt, yp, zero_division=1)
    np.testing.assert_allclose(p, [0.5, 1.0])  # only the 0/0 entry takes the value
    np.testing.assert_allclose(f, [2 / 3, 0.0])  # F's denominator 2 is not 0
    assert precision(yt, yp, average="macro", zero_division=1) == pytest.approx(0.75)
    with pytest.warns(UndefinedMetricWarning, match="precision is undefined"):
        assert precision(yt, yp, zero_division="warn") == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # default zero_division=0 stays silent
        assert precision(yt, yp) == 0.0


def test_zero_division_class_never_present():
    yt, yp = [0, 1, 0, 1], [0, 1, 1, 1]
    # class 2 neither present nor predicted: P, R, F all 0/0
    p, r, f, s = precision_recall_fscore_support(yt, yp, labels=[0, 1, 2])
    np.testing.assert_allclose(p, [1.0, 2 / 3, 0.0])
    np.testing.assert_allclose(r, [0.5, 1.0, 0.0])
    np.testing.assert_allclose(f, [2 / 3, 4 / 5, 0.0])
    np.testing.assert_array_equal(s, [2, 2, 0])
    p, r, f, _ = precision_recall_fscore_support(yt, yp, labels=[0, 1, 2], zero_division=1)
    np.testing.assert_allclose([p[2], r[2], f[2]], [1.0, 1.0, 1.0])
    # macro with 0: (1 + 2/3 + 0)/3; with nan the undefined class is left out: (1 + 2/3)/2
    assert precision(yt, yp, labels=[0, 1, 2], average="macro") == pytest.approx(5 / 9)
    assert precision(yt, yp, labels=[0, 1, 2], average="macro",
                     zero_division=np.nan) == pytest.approx(5 / 6)
    # weighted ignores support-0 classes anyway: (2*1 + 2*2/3)/4
    assert precision(yt, yp, labels=[0, 1, 2], average="weighted") == pytest.approx(5 / 6)
    # binary with only negatives everywhere: TP=FP=FN=0 -> all zero_division
    assert f1_score([0, 0], [0, 0]) == 0.0
    assert f1_score([0, 0], [0, 0], zero_division=1) == 1.0


def test_books_formula_is_accuracy_not_precision():
    labels = np.array([1, 0, 0, 0])
    preds = np.array([1, 1, 0, 0])

    def book_precision(preds, labels):  # section 3.2, transcribed for NumPy
        return preds[preds == labels].shape[0] / preds.shape[0]

    def book_recall(preds, labels):
        return preds[preds == labels].shape[0] / labels.shape[0]

    assert book_precision(preds, labels) == 0.75 == accuracy(labels, preds)
    assert book_recall(preds, labels) == 0.75 == accuracy(labels, preds)
    # True values for the positive class: TP=1, FP=1, FN=0.
    assert precision(labels, preds) == 0.5
    assert recall(labels, preds) == 1.0
    assert f1_score(labels, preds) == pytest.approx(2 / 3)
    # The two definitions agree only by coincidence; on the 3-class data they differ.
    assert book_precision(MP, MT) == 0.6 != pytest.approx(precision(MT, MP, average="macro"))


SKLEARN_DOC_REPORT = """\
              precision    recall  f1-score   support

     class 0       0.50      1.00      0.67         1
     class 1       0.00      0.00      0.00         1
     class 2       1.00      0.67      0.80         3

    accuracy                           0.60         5
   macro avg       0.50      0.56      0.49         5
weighted avg       0.70      0.60      0.61         5
"""


def test_classification_report_text():
    # class 0: P=1/2 R=1 F=2/3; class 1: P=0/1 R=0/1 F=0; class 2: P=2/2 R=2/3 F=4/5
    # macro: P=.5, R=(1+0+2/3)/3=.556, F=(2/3+0+.8)/3=.489
    # weighted (1,1,3): P=(.5+0+3)/5=.7, R=(1+0+2)/5=.6, F=(2/3+0+2.4)/5=.613
    report = classification_report([0, 1, 2, 2, 2], [0, 0, 2, 2, 1],
                                   target_names=["class 0", "class 1", "class 2"])
    assert report == SKLEARN_DOC_REPORT


def test_classification_report_dict_and_digits():
    d = classification_report(MT, MP, output_dict=True)
    assert d["0"] == {"precision": pytest.approx(2 / 3), "recall": pytest.approx(2 / 3),
                      "f1-score": pytest.approx(2 / 3), "support": 3}
    assert d["1"]["precision"] == pytest.approx(0.5) and d["2"]["support"] == 4
    assert d["accuracy"] == pytest.approx(0.6)
    assert d["macro avg"]["f1-score"] == pytest.approx(38 / 63)
    assert d["weighted avg"]["precision"] == pytest.approx(37 / 60)
    assert d["weighted avg"]["support"] == 10
    text = classification_report(MT, MP, digits=4)
    assert "           1     0.5000    0.6667    0.5714         3" in text
    assert "   macro avg     0.6111    0.6111    0.6032        10" in text


def test_classification_report_label_subset_shows_micro_avg():
    text = classification_report(MT, MP, labels=[0, 1])
    # classes 0,1 pooled: TP = 4, predicted = 3 + 4 = 7, true = 3 + 3 = 6
    assert "   micro avg       0.57      0.67      0.62         6" in text
    assert "accuracy" not in text


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: accuracy([0, 1], [0]), ValueError, "different lengths \\(2 vs 1\\)"),
        (lambda: accuracy([], []), ValueError, "y_true is empty"),
        (lambda: accuracy([[0, 1]], [[0, 1]]), ValueError, "must be 1-D"),
        (lambda: accuracy([0.2, 0.9], [0, 1]), ValueError, "non-integer floats"),
        (lambda: accuracy(["a", 1], ["a", 1]), TypeError, "mixes string and numeric"),
        (lambda: accuracy(["a", "b"], [0, 1]), TypeError, "mix string and numeric"),
        (lambda: accuracy(5, [5]), TypeError, "must be a sequence"),
        (lambda: f1_score([0, 1], [0, 1], average="mean"), ValueError, "average must be one of"),
        (lambda: f1_score([0, 1], [0, 1], zero_division=2), ValueError, "zero_division"),
        (lambda: f1_score([0, 2], [0, 2]), ValueError, "pos_label=1 is not one of \\[0, 2\\]"),
        (lambda: confusion_matrix([0], [0], labels=[0, 0]), ValueError, "duplicates"),
        (lambda: classification_report([0, 1], [0, 1], target_names=["a"]), ValueError,
         "1 target_names for 2 labels"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_float_labels_that_are_integers_are_accepted():
    assert accuracy(np.array([0.0, 1.0, 1.0]), np.array([0, 1, 0])) == pytest.approx(2 / 3)
    assert precision(np.array([True, False]), np.array([True, True]), pos_label=True) == 0.5
