""".git written by someone else: nothing outside the repository is read, only a hex id or a ref name is kept."""

import json
from pathlib import Path

import pytest

from mldebt_core.scan.resolve.git_head import git_identity, valid_ref
from mldebt_core.scan.runner import scan_repository

SECRET = "AWS_SECRET_ACCESS_KEY=hunter2-not-a-real-secret"
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder next to the repository holding a secret-looking file and a git directory of its own."""
    folder = tmp_path / "outside"
    (folder / "git" / "refs" / "heads").mkdir(parents=True)
    (folder / "secret").write_text(SECRET + "\n")
    (folder / "git" / "HEAD").write_text(SECRET + "\n")
    (folder / "git" / "refs" / "heads" / "main").write_text(SECRET + "\n")
    (folder / "git" / "packed-refs").write_text(f"{SECRET} refs/heads/main\n")
    return folder


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git" / "refs" / "heads").mkdir(parents=True)
    (root / "train.py").write_text("import pandas as pd\npd.read_csv('data/x.csv')\n")
    return root


def scanned(root: Path) -> str:
    return scan_repository(root).model_dump_json()


def trick_head_symlink(root, outside):
    (root / ".git" / "HEAD").symlink_to(outside / "secret")


def trick_ref_outside(root, outside):
    (root / ".git" / "HEAD").write_text("ref: ../../outside/secret\n")


def trick_ref_through_refs(root, outside):
    (root / ".git" / "HEAD").write_text("ref: refs/heads/../../../../outside/secret\n")


def trick_ref_symlink(root, outside):
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "refs" / "heads" / "main").symlink_to(outside / "secret")


def trick_packed_refs_symlink(root, outside):
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "packed-refs").symlink_to(outside / "git" / "packed-refs")


def trick_gitdir_outside(root, outside):
    (root / ".git" / "HEAD").unlink(missing_ok=True)
    for path in sorted((root / ".git").rglob("*"), reverse=True):
        path.rmdir()
    (root / ".git").rmdir()
    (root / ".git").write_text(f"gitdir: {outside / 'git'}\n")


def trick_gitdir_relative(root, outside):
    trick_gitdir_outside(root, outside)
    (root / ".git").write_text("gitdir: ../outside/git\n")


def trick_dot_git_symlink(root, outside):
    trick_gitdir_outside(root, outside)
    (root / ".git").unlink()
    (root / ".git").symlink_to(outside / "git", target_is_directory=True)


def trick_commondir_outside(root, outside):
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "commondir").write_text("../../outside/git\n")


def trick_garbage_head(root, outside):
    (root / ".git" / "HEAD").write_text(SECRET + "\n")


def trick_garbage_ref(root, outside):
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "refs" / "heads" / "main").write_text(SECRET + "\n")


TRICKS = [trick_head_symlink, trick_ref_outside, trick_ref_through_refs, trick_ref_symlink,
          trick_packed_refs_symlink, trick_gitdir_outside, trick_gitdir_relative, trick_dot_git_symlink,
          trick_commondir_outside, trick_garbage_head, trick_garbage_ref]


@pytest.mark.parametrize("trick", TRICKS, ids=lambda t: t.__name__.removeprefix("trick_"))
def test_no_byte_of_a_file_outside_the_repository_reaches_the_scan(tmp_path, outside, trick):
    root = repo(tmp_path)
    trick(root, outside)
    text = scanned(root)
    assert "hunter2" not in text and "AWS_SECRET" not in text
    assert json.loads(text)["repo"]["commit"] is None


def test_head_linked_to_the_process_environment_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setenv("MLDEBT_TEST_CI_TOKEN", "ci-token-hunter2")
    root = repo(tmp_path)
    (root / ".git" / "HEAD").symlink_to("/proc/self/environ")
    text = scanned(root)
    assert "hunter2" not in text and json.loads(text)["repo"]["commit"] is None


def test_a_head_fifo_does_not_block_the_scan(tmp_path):
    import os
    root = repo(tmp_path)
    os.mkfifo(root / ".git" / "HEAD")
    assert git_identity(root) == (None, None)


@pytest.mark.parametrize(("head", "files", "expected"), [
    (SHA, {}, (SHA, None)),  # detached
    ("a" * 64, {}, ("a" * 64, None)),  # SHA-256 repository
    ("ref: refs/heads/main", {"refs/heads/main": SHA}, (SHA, "main")),
    ("ref: refs/heads/feature/x", {"packed-refs": f"# pack-refs with: peeled\n{SHA} refs/heads/feature/x\n"},
     (SHA, "feature/x")),
    ("ref: refs/heads/new", {}, (None, "new")),  # an unborn branch
    ("ref: refs/heads/main", {"refs/heads/main": "not hex"}, (None, "main")),
    ("ref: refs/heads/ma in", {}, (None, None)),  # not a ref name
    (SHA.upper(), {}, (None, None)),
    (SHA[:39], {}, (None, None)),
])
def test_commit_is_a_hex_id_and_branch_a_ref_name_or_nothing(tmp_path, head, files, expected):
    root = repo(tmp_path)
    (root / ".git" / "HEAD").write_text(head + "\n")
    for name, text in files.items():
        (root / ".git" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / ".git" / name).write_text(text + "\n")
    assert git_identity(root) == expected


def test_a_linked_work_tree_inside_the_repository_is_still_read(tmp_path):
    root = repo(tmp_path)
    (root / ".git" / "refs" / "heads" / "main").write_text(SHA + "\n")
    worktree = root / ".git" / "worktrees" / "wt"
    worktree.mkdir(parents=True)
    (worktree / "HEAD").write_text("ref: refs/heads/main\n")
    (worktree / "commondir").write_text("../..\n")
    (root / ".git" / "HEAD").write_text("ref: refs/heads/other\n")
    (root / ".git").rename(root / "gitdir")
    (root / ".git").write_text("gitdir: gitdir/worktrees/wt\n")
    (root / "gitdir" / "worktrees" / "wt" / "commondir").write_text("../..\n")
    assert git_identity(root) == (SHA, "main")


@pytest.mark.parametrize(("ref", "valid"), [
    ("refs/heads/main", True), ("refs/heads/feature/x-1", True), ("refs/heads/../x", False),
    ("refs/heads/.hidden", False), ("refs/heads/x.lock", False), ("refs/heads/a@{1}", False),
    ("refs/heads/a b", False), ("refs/heads/a\x1b[31m", False), ("refs/heads/", False), ("main", False),
    ("refs//x", False), ("refs/heads/x.", False),
])
def test_ref_names_as_git_check_ref_format(ref, valid):
    assert valid_ref(ref) is valid


def test_the_git_index_is_not_read_through_a_gitdir_outside_the_repository(tmp_path, outside):
    from tests.scan.test_walk_and_skips import git_index, paths
    (outside / "git" / "index").write_bytes(git_index(["local.py"]))  # would keep the ignored local.py
    root = repo(tmp_path)
    (root / ".gitignore").write_text("local.py\n")
    (root / "local.py").write_text("x = 1\n")
    trick_gitdir_outside(root, outside)
    assert paths(root) == [".gitignore", "train.py"]  # a `.git` file is git's, never the repository's
    (root / ".git").unlink()
    (root / ".git").symlink_to(outside / "git", target_is_directory=True)
    assert paths(root) == [".gitignore", "train.py"]
