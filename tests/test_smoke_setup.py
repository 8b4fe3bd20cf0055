from blog import content
from blog.models import Post


def test_sample_content_syncs(app, content_dir):
    report = content.sync(content_dir)
    assert report.errors == []
    assert Post.select().count() == len(report.added) >= 13
