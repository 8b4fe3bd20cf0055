"""The spam filter against standard text classifiers, on the same runs.

    .venv/bin/pip install -e '.[reference]'     # scikit-learn, for this script only
    .venv/bin/python -m tests.benchmarks.spam_reference ../shared/data/spam

Each scikit-learn model has its hyperparameter chosen by a 5-fold grid search
on its training data alone, as in the TubeSpam paper. The runs are those of
the README's table:

- held out: each YouTube file, trained on the other two (with and without
  the SMS collection; the filter counts a message at 1/40 of a comment);
- 70/30: the same stratified split (seed 7) of each file, trained on the 70%.

With --seeds it prints instead each model's mean F1 per file over the 70/30
splits of the ten development seeds: one split of 106 comments is a small
sample.

Beside F1 and the share of ham sent to spam at each model's own decision, it
prints the best F1 any threshold reaches with at most 1% of ham sent to spam,
chosen after the fact on the test file itself: an upper bound no filter can
claim, which says how well a model ranks where the held-out target lies.
"""

import argparse
import warnings
from pathlib import Path

try:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC
except ImportError:
    raise SystemExit(
        "this comparison needs scikit-learn: .venv/bin/pip install -e '.[reference]'"
    ) from None

from blog.comments.spam import Outcome, evaluate
from blog.comments.spam.classifier import lesson
from blog.comments.spam.evaluate import (
    DEVELOPMENT_SEEDS,
    REPORT_SEED,
    decide,
    default_settings,
    read_corpora,
    split,
    trained,
)

HAM_LIMIT = 0.01


def _tfidf(**options):
    return TfidfVectorizer(sublinear_tf=True, **options)


# name: (pipeline, grid searched on the training data)
MODELS = {
    "naive Bayes, word counts": (
        lambda: Pipeline([("v", CountVectorizer()), ("m", MultinomialNB())]),
        {"m__alpha": [0.01, 0.1, 0.3, 1, 3]},
    ),
    "logistic regression, word tf-idf": (
        lambda: Pipeline([("v", _tfidf()), ("m", LogisticRegression(max_iter=2000))]),
        {"m__C": [0.3, 1, 3, 10, 30, 100]},
    ),
    "linear SVM, word tf-idf": (
        lambda: Pipeline([("v", _tfidf()), ("m", LinearSVC())]),
        {"m__C": [0.1, 0.3, 1, 3, 10]},
    ),
    "linear SVM, character 2-5-grams": (
        lambda: Pipeline(
            [("v", _tfidf(analyzer="char_wb", ngram_range=(2, 5))), ("m", LinearSVC())]
        ),
        {"m__C": [0.1, 0.3, 1, 3, 10]},
    ),
    "random forest, word counts": (
        lambda: Pipeline(
            [
                ("v", CountVectorizer()),
                ("m", RandomForestClassifier(n_estimators=300, random_state=0)),
            ]
        ),
        {"m__max_features": ["sqrt", "log2"]},
    ),
}


def figures(decisions, scores, labels) -> tuple[float, float, float]:
    """F1 and ham sent to spam at the decisions, and the best F1 within HAM_LIMIT."""
    outcomes = [Outcome.SPAM if d else Outcome.PASS for d in decisions]
    # The counts, not the shares: those are rounded to four places.
    c = evaluate.scores(list(zip(outcomes, labels, strict=True)))
    f1 = 2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"])
    ham_total = c["tn"] + c["fp"]
    best = best_f1(scores, labels, ham_total, c["tp"] + c["fn"])
    return f1, c["fp"] / ham_total, best


def best_f1(scores, labels, ham_total: int, spam_total: int) -> float:
    ranked = sorted(zip(scores, labels, strict=True), key=lambda pair: -pair[0])
    best, tp, fp = 0.0, 0, 0
    for _, spam in ranked:
        tp, fp = tp + spam, fp + (not spam)
        if fp / ham_total > HAM_LIMIT:
            break
        best = max(best, 2 * tp / (tp + fp + spam_total))
    return best


def texts(examples) -> list[str]:
    return [example.as_comment()["body"] for example in examples]


def reference(name: str, train, test) -> tuple[float, float, float]:
    build, grid = MODELS[name]
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    search = GridSearchCV(build(), grid, scoring="f1", cv=folds)
    search.fit(texts(train), [example.spam for example in train])
    if hasattr(search.best_estimator_, "decision_function"):
        scores = search.decision_function(texts(test))
    else:
        scores = search.predict_proba(texts(test))[:, 1]
    labels = [example.spam for example in test]
    return figures(list(search.predict(texts(test))), list(scores), labels)


def ours(train, test) -> tuple[float, float, float]:
    classifier = trained([lesson(example) for example in train])
    settings = default_settings()
    decisions = [decide(e, settings, classifier) == Outcome.SPAM for e in test]
    scores = [classifier.probability(example.as_comment()) for example in test]
    return figures(decisions, scores, [example.spam for example in test])


def runs(folder: Path):
    """(protocol, file, training set, test set) for every run of the table."""
    youtube, sms = read_corpora(folder)
    for name, examples in youtube.items():
        rest = [e for other, ex in youtube.items() if other != name for e in ex]
        yield "held out, the other two files", name, rest, examples
        yield "held out, the other two + SMS", name, rest + sms, examples
    for name, examples in youtube.items():
        train, test = split(examples, seed=REPORT_SEED)
        yield "70/30, the 70%", name, train, test


def seeds(folder: Path):
    youtube, _ = read_corpora(folder)
    print("| model | " + " | ".join(youtube) + " |")
    print("|---" * (len(youtube) + 1) + "|")
    for model in ["this filter", *MODELS]:
        means = []
        for examples in youtube.values():
            f1s = []
            for seed in DEVELOPMENT_SEEDS:
                train, test = split(examples, seed=seed)
                if model == "this filter":
                    f1s.append(ours(train, test)[0])
                else:
                    f1s.append(reference(model, train, test)[0])
            means.append(f"{sum(f1s) / len(f1s):.3f}")
        print(f"| {model} | " + " | ".join(means) + " |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default="../shared/data/spam", type=Path)
    parser.add_argument("--seeds", action="store_true", help="70/30, ten other seeds")
    arguments = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    if arguments.seeds:
        seeds(arguments.folder)
        return
    folder = arguments.folder
    print("| protocol | file | model | F1 | ham to spam | best F1 within 1% |")
    print("|---|---|---|---|---|---|")
    for protocol, name, train, test in runs(folder):
        results = {"this filter": ours(train, test)}
        results.update((model, reference(model, train, test)) for model in MODELS)
        for model, (f1, ham, best) in results.items():
            row = f"{f1:.3f} | {ham:.3f} | {best:.3f}"
            print(f"| {protocol} | {name} | {model} | {row} |", flush=True)


if __name__ == "__main__":
    main()
