

def one_story_in_two_files(tmp_path):
    """A folder of two JSON Lines files holding the same story under the same URL."""
    import json
    record = {"url": "https://example.com/story", "title": "Story", "published": "2025-01-02T10:00:00Z",
              "text": "The harbour reopened on Monday after a week of repairs to the sea wall. " * 5}
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("a.jsonl", "b.jsonl"):
        (inputs / name).write_text(json.dumps(record) + "\n")
    return inputs
