"""`make test` runs the suite on two xdist workers with `--dist loadgroup`; the "servers" group
keeps the multi-process tests on one worker, one at a time. Two of them side by side take more
than PostgreSQL's 100 connections and fail with 503s that look like a product bug.

pytest-xdist groups by rewriting each node id to end in "@group". When a pytest release keeps
node ids differently the rewrite is lost without a word (pytest 9.2 with pytest-xdist 3.8:
pytest-dev/pytest-xdist#1386), so this test says so instead of a flaky concurrency failure.
"""

import pytest


@pytest.mark.xdist_group("servers")
def test_the_servers_group_reaches_the_scheduler(request):
    if not request.config.getoption("loadgroup", default=False):
        pytest.skip("not run with --dist loadgroup")
    assert request.node.nodeid.endswith("@servers"), (
        "--dist loadgroup lost the xdist_group marks: this pytest and pytest-xdist do not work "
        "together (see the pytest pin in pyproject.toml)"
    )
