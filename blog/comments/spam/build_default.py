"""Build the shipped default model from the shared labelled corpora.

    python -m blog.comments.spam.build_default ../shared/data/spam

Learns every YouTube CSV under youtube/ and the SMS collection under sms/ and
writes default_model.json.gz beside this module. The same corpora always give
the same bytes. Run it again whenever features.FEATURES_VERSION changes.
"""

import sys
from pathlib import Path

from .classifier import DEFAULT_MODEL, Classifier, MemoryStore, save
from .evaluate import read_corpora


def build(folder: Path) -> tuple[MemoryStore, dict]:
    youtube, sms = read_corpora(folder)
    store = MemoryStore()
    learned = Classifier(store).train([e for ex in youtube.values() for e in ex] + sms)
    return store, learned


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/spam")
    store, learned = build(folder)
    save(store, DEFAULT_MODEL)
    print(
        f"wrote {DEFAULT_MODEL}: {len(store.rows)} tokens from "
        f"{learned['spam']} spam and {learned['ham']} ham comments"
    )


if __name__ == "__main__":
    main()
