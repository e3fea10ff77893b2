"""scikit-learn referee for shared/fairness (referee.test.ts): per-group metrics of the same predictions.

Reads a JSON case list on stdin; writes one result per case on stdout. A rate whose denominator is 0
in a group is None (Layerloom reports null there); every defined value comes from scikit-learn
(confusion_matrix, multilabel_confusion_matrix, accuracy/precision/recall/f1 scores,
mean_absolute_error, mean_squared_error). Gaps between groups are max - min of those values.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, mean_absolute_error,
                             mean_squared_error, multilabel_confusion_matrix, precision_score, recall_score)

warnings.simplefilter("error")  # an ill-defined metric reaching scikit-learn is a referee bug


def per_class(t, p, k, c):
    mcm = multilabel_confusion_matrix(t, p, labels=list(range(k)))[c]
    tn, fp, fn, tp = (int(v) for v in mcm.ravel())
    n = tn + fp + fn + tp
    lab = dict(labels=[c], average=None)
    return {
        "selectionRate": float(np.mean(p == c)) if n else None,
        "tpr": float(recall_score(t, p, **lab)[0]) if tp + fn else None,
        "fpr": fp / (fp + tn) if fp + tn else None,
        "precision": float(precision_score(t, p, **lab)[0]) if tp + fp else None,
        "f1": float(f1_score(t, p, **lab, zero_division=0)[0]) if 2 * tp + fp + fn else None,
    }


def macro(t, p, scorer, classes, **kw):
    return float(scorer(t, p, labels=classes, average="macro", **kw)) if classes else None


def classification_group(t, p, k, positive):
    out = {"confusion": confusion_matrix(t, p, labels=list(range(k))).tolist(), "accuracy": float(accuracy_score(t, p))}
    per = [per_class(t, p, k, c) for c in range(k)]
    if k == 2:
        out.update(per[positive])
        return out, None
    defined = lambda key: [c for c in range(k) if per[c][key] is not None]
    out["tpr"] = macro(t, p, recall_score, defined("tpr"))
    out["precision"] = macro(t, p, precision_score, defined("precision"))
    out["f1"] = macro(t, p, f1_score, defined("f1"), zero_division=0)
    fprs = [per[c]["fpr"] for c in defined("fpr")]
    out["fpr"] = float(np.mean(fprs)) if fprs else None
    return out, per


def spread(values):
    d = [v for v in values if v is not None]
    return max(d) - min(d) if len(d) >= 2 else None


def ratio(values):
    d = [v for v in values if v is not None]
    return min(d) / max(d) if len(d) >= 2 and max(d) > 0 else None


def gaps(rows):
    tpr, fpr = spread([r["tpr"] for r in rows]), spread([r["fpr"] for r in rows])
    return {
        "demographicParityDifference": spread([r["selectionRate"] for r in rows]),
        "demographicParityRatio": ratio([r["selectionRate"] for r in rows]),
        "equalizedOddsDifference": None if tpr is None or fpr is None else max(tpr, fpr),
        "equalOpportunityDifference": tpr,
    }


def worst(values, pick):
    d = [v for v in values if v is not None]
    return pick(d) if d else None


def classification_case(case):
    t_all, p_all, g_all = (np.asarray(case[key]) for key in ("yTrue", "yPred", "groupOf"))
    k, positive = case["k"], case["positive"]
    groups, per_classes = [], []
    for g in range(case["groups"]):
        m = g_all == g
        out, per = classification_group(t_all[m], p_all[m], k, positive)
        groups.append(out)
        per_classes.append(per)
    summary = {"worstGroupAccuracy": min(r["accuracy"] for r in groups)}
    if k == 2:
        summary.update(gaps(groups))
        return {"groups": groups, "summary": summary}
    by_class = [gaps([per[c] for per in per_classes]) for c in range(k)]
    for key, pick in (("demographicParityDifference", max), ("demographicParityRatio", min),
                      ("equalizedOddsDifference", max), ("equalOpportunityDifference", max)):
        summary[key] = worst([b[key] for b in by_class], pick)
    return {"groups": groups, "perClass": per_classes, "summary": summary, "summaryPerClass": by_class}


def regression_case(case):
    t_all, p_all, g_all = (np.asarray(case[key], dtype=np.float64) for key in ("yTrue", "yPred", "groupOf"))
    groups = []
    for g in range(case["groups"]):
        m = g_all == g
        groups.append({"mae": float(mean_absolute_error(t_all[m], p_all[m])),
                       "rmse": float(np.sqrt(mean_squared_error(t_all[m], p_all[m])))})
    maes = [r["mae"] for r in groups]
    return {"groups": groups, "summary": {"maeDifference": spread(maes), "worstGroupMae": max(maes)}}


cases = json.load(sys.stdin)
print(json.dumps([classification_case(c) if c["task"] == "classification" else regression_case(c) for c in cases]))
