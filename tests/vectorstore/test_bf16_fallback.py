import pytest

from vectorstore.embeddings import cpu_has_bf16

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("flags", "native"),
    [("fpu sse avx2 fma", False), ("fpu avx512f avx512_bf16", True), ("fpu amx_tile amx_bf16", True)],
)
def test_bf16_is_used_only_where_the_cpu_computes_it(tmp_path, flags, native):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {flags}\n")
    assert cpu_has_bf16(cpuinfo) is native


def test_an_unreadable_cpuinfo_means_no_bf16(tmp_path):
    assert cpu_has_bf16(tmp_path / "missing") is False
