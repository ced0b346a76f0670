"""What a failed dictionary save tells the editor, and putting the old file back.

Engine.save_dictionary writes the file inside the recount's transaction; when something
fails the editor is told exactly what was kept: both as they were, or (after the file was
written) the old file put back, or, if even that failed, that the file is ahead of the
counts and the next start will recount.
"""

from __future__ import annotations

import errno
from pathlib import Path

from .themes import write_atomic

_OS_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已满",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "文件系统是只读的",
}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    return str(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)


def restore_file(path: Path, old_text: str | None) -> bool:
    """Put the dictionary file back as it was; False if that failed too."""
    try:
        if old_text is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, old_text)
    except OSError:
        return False
    return True


def save_failure(exc: BaseException, path: Path, written: bool, old_text: str | None) -> str:
    """What a failed dictionary save tells the editor: exactly what was kept."""
    if not written:
        what = f"无法写入词典文件 {path.name}" if isinstance(exc, OSError) else "重新统计失败"
        return f"{what}（{_reason(exc)}）；词典文件和统计都保持原样"
    # The file was written but the counts did not commit.
    if restore_file(path, old_text):
        return f"保存统计时出错（{_reason(exc)}）；词典文件已恢复为原词典，统计保持原样"
    return (
        f"保存统计时出错（{_reason(exc)}），词典文件 {path.name} 已是新词典，统计仍按原词典；"
        "下次启动或导入前会自动按词典文件重新统计"
    )
