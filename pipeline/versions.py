"""Which versions of the page to compare when none are named: the two newest in raw/."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import SnapshotError

NAME_TWO = "name two versions: make diff OLD=FILE NEW=FILE (snapshots or partners files)"


def newest_pair(raw_dir: Path) -> tuple[Path, Path]:
    """The second newest and the newest snapshot in ``raw_dir`` (OLD, NEW).

    Raises SnapshotError, saying so plainly, when raw/ holds fewer than two snapshots.
    """
    from pipeline.snapshots import list_snapshots

    snapshots = list_snapshots(raw_dir)
    if not snapshots:
        raise SnapshotError(f"{raw_dir} holds no snapshot, so there is nothing to compare",
                            f"run `make refresh`, or {NAME_TWO}")
    if len(snapshots) == 1:
        raise SnapshotError(
            f"{raw_dir} holds only one snapshot ({snapshots[0].path.name}), so there is "
            "nothing to compare it with yet", NAME_TWO)
    return snapshots[-2].path, snapshots[-1].path
