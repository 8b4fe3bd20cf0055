"""The spam filter's table for the README, on the shared corpora.

    .venv/bin/python -m tests.benchmarks.spam_table [../shared/data/spam]

Protocol 1: each YouTube file held out, trained on the other two and SMS.
Protocol 2: per file, a stratified 70/30 split (seed 7), trained on the 70%
and SMS. Both start from an empty model (the default model has seen every
file) and run the full content decision with the default settings.
"""

import random
import sys
from pathlib import Path

from blog.comments.spam.classifier import Classifier, MemoryStore
from blog.comments.spam.corpora import read
from blog.comments.spam.evaluate import decide, scores
from blog.settings import DEFINITIONS

DEFAULTS = {key: definition.default for key, definition in DEFINITIONS.items()}
COLUMNS = ["n", "precision", "recall", "f1", "mcc", "ham_to_spam", "ham_held"]


def run(train, test) -> dict:
    classifier = Classifier(MemoryStore())
    for example in train:
        classifier.learn(example.fields, example.spam)
    return scores([(decide(e, DEFAULTS, classifier), e.spam) for e in test])


def split(examples, share=0.7, seed=7):
    rng = random.Random(seed)
    train, test = [], []
    for label in (True, False):
        group = [e for e in examples if e.spam == label]
        rng.shuffle(group)
        cut = int(len(group) * share)
        train += group[:cut]
        test += group[cut:]
    return train, test


def row(name, report) -> str:
    return f"| {name} | " + " | ".join(str(report[c]) for c in COLUMNS) + " |"


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/spam")
    youtube = {p.stem: read(p) for p in sorted((folder / "youtube").glob("*.csv"))}
    sms = read(folder / "sms" / "SMSSpamCollection")
    print("| protocol / test file | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for name, examples in youtube.items():
        others = [e for other, ex in youtube.items() if other != name for e in ex]
        print(row(f"held out: {name}", run(others + sms, examples)))
    for name, examples in youtube.items():
        train, test = split(examples)
        print(row(f"70/30: {name}", run(train + sms, test)))


if __name__ == "__main__":
    main()
