import json

import pytest

from vectorstore.lexical import _META, LexicalIndex

pytestmark = pytest.mark.unit


def test_light_stemming_lets_a_question_find_another_form_of_the_word():
    index = LexicalIndex.build(["a", "b"], ["أعلنت الحكومات عن خطة جديدة", "مباراة كرة القدم"], "g1")
    assert [hit.chunk_id for hit in index.search("الحكومة", 2)] == ["a"]


def test_an_index_saved_by_another_analyzer_is_rebuilt_not_reused(tmp_path):
    folder = tmp_path / "bm25"
    LexicalIndex.build(["a"], ["القوات الأمريكية في سوريا"], "g1").save(folder)
    assert LexicalIndex.load(folder) is not None
    meta = json.loads((folder / _META).read_text())
    (folder / _META).write_text(json.dumps(meta | {"analyzer": "article-1"}))
    assert LexicalIndex.load(folder) is None
