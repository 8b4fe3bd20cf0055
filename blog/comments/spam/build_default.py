"""Build the shipped default model from the labelled corpora.

    python -m blog.comments.spam.build_default ../shared/data/spam

Trains on every YouTube CSV and the SMS collection found under the folder and
writes default_model.json.gz beside this file.
"""

import gzip
import json
import sys
from pathlib import Path

from .classifier import DEFAULT_MODEL, Classifier, MemoryStore
from .corpora import read


def build(folder: Path) -> MemoryStore:
    store = MemoryStore()
    classifier = Classifier(store)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (path.suffix == ".csv" or path.name.startswith("SMS")):
            for example in read(path):
                classifier.learn(example.fields, example.spam)
    return store


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/spam")
    store = build(folder)
    with gzip.open(DEFAULT_MODEL, "wt", encoding="utf-8") as handle:
        json.dump(
            {"counts": store.dump()}, handle, sort_keys=True, separators=(",", ":")
        )
    print(f"wrote {DEFAULT_MODEL} with {len(store.counts)} tokens")


if __name__ == "__main__":
    main()
