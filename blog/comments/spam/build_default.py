"""Build the shipped default model from the shared labelled corpora.

    python -m blog.comments.spam.build_default ../shared/data/spam

Learns every YouTube CSV under youtube/, the SMS collection under sms/ and
the blog comments of blog_seed.csv beside this module (written for this
project: honest readers' comments and blog comment spam, so that a new blog's
readers' thanks and links are not judged by video comments and text messages
alone), and writes default_model.json.gz beside this module. The same files
always give the same bytes. Run it again whenever features.FEATURES_VERSION changes.
"""

import sys
from pathlib import Path

from .classifier import DEFAULT_MODEL, Classifier, MemoryStore, save
from .corpora import read
from .evaluate import read_corpora

BLOG_SEED = Path(__file__).with_name("blog_seed.csv")


def build(folder: Path) -> tuple[MemoryStore, dict]:
    youtube, sms = read_corpora(folder)
    store = MemoryStore()
    comments = [e for ex in youtube.values() for e in ex]
    learned = Classifier(store).train(comments + sms + read(BLOG_SEED))
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
