"""Measure the content decision on labelled files, never touching the live model."""

import math
from collections.abc import Iterable, Mapping

from . import Outcome, strongest
from .classifier import Classifier, MemoryStore, load_default
from .content import content_verdicts
from .corpora import Example, read


def model(train_files: Iterable = (), use_default: bool = True) -> Classifier:
    """A fresh in-memory classifier: the default model (or none) plus training files."""
    classifier = Classifier(load_default() if use_default else MemoryStore())
    for path in train_files:
        for example in read(path):
            classifier.learn(example.fields, example.spam)
    return classifier


def decide(example: Example, settings: Mapping, classifier: Classifier) -> Outcome:
    verdicts = content_verdicts(
        example.fields, settings, classifier, matcher=lambda *args: None
    )
    return strongest(verdicts)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def scores(outcomes: list[tuple[Outcome, bool]]) -> dict:
    """Confusion counts and rates; spam is positive, pending counts as not spam."""
    tp = sum(1 for o, spam in outcomes if spam and o == Outcome.SPAM)
    fp = sum(1 for o, spam in outcomes if not spam and o == Outcome.SPAM)
    fn = sum(1 for o, spam in outcomes if spam and o != Outcome.SPAM)
    tn = len(outcomes) - tp - fp - fn
    precision, recall = _share(tp, tp + fp), _share(tp, tp + fn)
    f1 = _share(2 * tp, 2 * tp + fp + fn)
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = round((tp * tn - fp * fn) / denominator, 4) if denominator else 0.0
    hams = tn + fp
    return {
        "n": len(outcomes), "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "precision": precision, "recall": recall, "f1": f1, "mcc": mcc,
        "ham_to_spam": _share(fp, hams),
        "ham_held": _share(_count(outcomes, False, Outcome.HOLD), hams),
        "spam_approved": _share(_count(outcomes, True, Outcome.PASS), tp + fn),
    }  # fmt: skip


def _count(outcomes, spam: bool, outcome: Outcome) -> int:
    return sum(1 for o, s in outcomes if s == spam and o == outcome)


def evaluate(test_files, settings, train_files=(), use_default=True) -> dict:
    classifier = model(train_files, use_default)
    examples = [example for path in test_files for example in read(path)]
    return scores([(decide(e, settings, classifier), e.spam) for e in examples])
